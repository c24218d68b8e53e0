"""audit log append-only: triggers refuse UPDATE and DELETE on audit_entry

Written by hand (autogenerate cannot see triggers) and kept by ``portal.migrations.regenerate``, which
rebuilds only 0001. The statements are those ``create_all`` installs (``portal.models.audit_guard``).
A later revision that rebuilds audit_entry in SQLite batch mode drops its triggers: it must call
``audit_guard.install`` again.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from portal.models import audit_guard

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    audit_guard.install(op.get_bind())


def downgrade() -> None:
    audit_guard.remove(op.get_bind())

"""throttle functions: PostgreSQL lock-then-read functions of the row-counting throttles

Written by hand (autogenerate cannot see functions) and kept by ``portal.migrations.regenerate``, which
rebuilds only 0001. The statements are those ``create_all`` installs (``portal.models.throttle_functions``);
nothing on SQLite.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from portal.models import throttle_functions

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    throttle_functions.install(op.get_bind())


def downgrade() -> None:
    throttle_functions.remove(op.get_bind())

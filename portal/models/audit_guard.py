"""The audit log is append-only in the database itself: triggers refuse UPDATE and DELETE of its rows.

The application never changes an audit row (``portal.services.audit.record`` only inserts); the triggers
make that hold for anything else that reaches the database too (a script, a SQL console, a bug). The same
statements are installed on both paths that build a schema: ``Base.metadata.create_all`` (tests,
benchmarks) through the ``after_create`` event below, and the Alembic revision
``0002_audit_append_only`` (production). ``TRUNCATE`` on PostgreSQL is not a row operation and is not
refused: emptying the whole table stays a deliberate act of the database owner.
"""

from __future__ import annotations

from sqlalchemy import DDL, Table, event
from sqlalchemy.engine import Connection

TABLE = "audit_entry"
MESSAGE = "audit_entry is append-only: rows cannot be updated or deleted"

SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]

POSTGRESQL_CREATE = [
    f"CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]

CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}


def install(conn: Connection) -> None:
    """Create the triggers on ``conn``'s database (idempotent)."""
    for statement in CREATE.get(conn.dialect.name, []):
        conn.exec_driver_sql(statement)


def remove(conn: Connection) -> None:
    """Drop the triggers (the downgrade of 0002; tests that must empty the table on SQLite)."""
    for statement in DROP.get(conn.dialect.name, []):
        conn.exec_driver_sql(statement)


def attach(table: Table) -> None:
    """Install the triggers whenever ``create_all`` creates ``table``."""
    for dialect, statements in CREATE.items():
        for statement in statements:
            # "%" would be read as a parameter marker by some drivers; the statements hold none.
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))

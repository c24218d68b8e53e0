"""PostgreSQL functions of the row-counting throttles: lock a key, then list its recent row times.

A throttle that counts a sender's rows inside the writing transaction (``portal.services.throttles``) must
first take a transaction lock on the sender, and its count must see the rows committed by the transaction
that held the lock before. In READ COMMITTED a statement sees what was committed before it *started*, so
the lock and the count cannot be one plain SQL statement (the count's snapshot would predate the wait).
A volatile PL/pgSQL function can: each statement inside it takes a fresh snapshot, so the SELECT after
``pg_advisory_xact_lock`` sees the previous holder's row. One call is one statement and one round trip,
and its plans are cached per connection.

The function returns the times rather than per-window counts: the rows inside the longest window are few
(the throttle itself refuses more than its limit), and the Python side counts them per window, so one
function serves any set of windows.

The same statements are installed on both paths that build a schema, as for the audit triggers
(``audit_guard``): ``Base.metadata.create_all`` (tests, benchmarks) through ``attach``, and the Alembic
revision ``0003_throttle_functions`` (production); an entry added to ``FUNCTIONS`` later needs a revision
that calls ``install`` again (every statement is CREATE OR REPLACE). SQLite needs none: its writer already holds the
database's single write lock when it counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import DDL, Table, event
from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class LockedTimes:
    """``{table}_throttle_times(lock_key, key_value, since)``: the times in ``when`` of the rows whose
    ``key`` column equals ``key_value`` and whose time is after ``since``, read after taking
    ``pg_advisory_xact_lock(lock_key)``."""

    table: str
    key: str
    when: str

    @property
    def name(self) -> str:
        return f"{self.table}_throttle_times"

    @property
    def create(self) -> str:
        # Parameters are named p_* so that they never shadow a column in the query.
        return (
            f"CREATE OR REPLACE FUNCTION {self.name}(p_lock_key bigint, p_key text, p_since timestamptz) "
            "RETURNS timestamptz[] LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
            "PERFORM pg_advisory_xact_lock(p_lock_key); "
            f'RETURN ARRAY(SELECT "{self.when}" FROM "{self.table}" '
            f'WHERE "{self.key}" = p_key AND "{self.when}" > p_since); '
            "END $$"
        )

    @property
    def drop(self) -> str:
        return f"DROP FUNCTION IF EXISTS {self.name}(bigint, text, timestamptz)"


# Every throttle that counts under a lock on PostgreSQL; its index on (key, when) serves the SELECT.
FUNCTIONS = [LockedTimes("consultation_comment", "sender_hash", "received_at")]


def function_for(table: str, key: str, when: str) -> LockedTimes | None:
    return next((f for f in FUNCTIONS if (f.table, f.key, f.when) == (table, key, when)), None)


def install(conn: Connection) -> None:
    """Create the functions on ``conn``'s database (idempotent; nothing on SQLite)."""
    if conn.dialect.name == "postgresql":
        for function in FUNCTIONS:
            conn.exec_driver_sql(function.create)


def remove(conn: Connection) -> None:
    """Drop the functions (the downgrade of 0003)."""
    if conn.dialect.name == "postgresql":
        for function in FUNCTIONS:
            conn.exec_driver_sql(function.drop)


def attach(table: Table) -> None:
    """Install ``table``'s functions whenever ``create_all`` creates it on PostgreSQL."""
    for function in FUNCTIONS:
        if function.table == table.name:
            event.listen(table, "after_create", DDL(function.create).execute_if(dialect="postgresql"))

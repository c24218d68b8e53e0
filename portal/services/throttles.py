"""Throttles counted from the database's own rows: "at most N rows like these in the last T seconds".

A throttle that lives in a worker's memory counts per worker, and one in Redis needs Redis. The rows a
form writes (comments with their sender hash and time) are already shared by every worker and process,
so counting them is a limit that holds on the embedded SQLite default with no extra service. Any area
can reuse this: give it the time column, the conditions that select "rows of this sender", and the
windows parsed from a setting such as ``"5 per minute;30 per hour"``.

The count is one indexed range scan per check (an index on (who, time) keeps it proportional to the rows
inside the longest window, which the throttle itself keeps small).

Counting after the insert, inside the writing transaction, is not enough on PostgreSQL by itself: two
transactions of one sender would each count their own uncommitted row and not the other's. So the count
takes a transaction lock on the key first (SQLite needs none: the insert already holds its single write
lock). The lock and the count go to the server together, in one round trip (a psycopg pipeline), yet as
two statements: in READ COMMITTED a statement sees the rows committed before it *started*, so a count in
the same statement as the lock would miss the rows of the transaction it waited for.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from limits import parse_many
from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

DISABLED = {"", "off", "none", "0", "false"}


@dataclass(frozen=True)
class Window:
    """At most ``amount`` rows in any ``seconds``-long window."""

    amount: int
    seconds: int


def parse_windows(spec: str) -> list[Window]:
    """``"5 per minute;30 per hour"`` (the Flask-Limiter syntax) -> windows; ``off`` or empty -> none.

    Raises ValueError for a string that is not a limit.
    """
    if spec.strip().lower() in DISABLED:
        return []
    return [Window(item.amount, item.get_expiry()) for item in parse_many(spec)]


class Counter:
    """Counts the rows of one key (e.g. a sender hash) in each window, in one query built once: on the hot
    path only the parameters change, so SQLAlchemy's compiled-statement cache does the rest."""

    def __init__(
        self,
        when: InstrumentedAttribute[datetime],
        key: InstrumentedAttribute[str],
        windows: Sequence[Window],
    ) -> None:
        self.when, self.key, self.windows = when, key, list(windows)
        self.longest = max((w.seconds for w in self.windows), default=0)
        columns = [
            func.count().filter(when > bindparam(f"since_{i}", type_=when.type))
            if w.seconds != self.longest
            else func.count()
            for i, w in enumerate(self.windows)
        ]
        self.statement = select(*columns).where(
            key == bindparam("key", type_=key.type),
            when > bindparam("since", type_=when.type),
        )
        self._postgresql_sql: str | None = None  # the count as psycopg text, compiled on first use

    def counts(self, sess: Session, key: str, now: datetime, *, lock: bool = False) -> list[int]:
        """Rows of ``key`` whose time lies in each window ending ``now``.

        ``lock``: on PostgreSQL, first take a transaction-level lock on ``key`` (held until commit or
        rollback), sent in the same round trip as the count, which then sees every row committed by a
        transaction that held the lock before.
        """
        if not self.windows:
            return []
        params: dict[str, object] = {"key": key, "since": now - timedelta(seconds=self.longest)}
        for i, w in enumerate(self.windows):
            if w.seconds != self.longest:
                params[f"since_{i}"] = now - timedelta(seconds=w.seconds)
        conn = sess.connection()
        if lock and conn.dialect.name == "postgresql":
            if self._postgresql_sql is None:
                self._postgresql_sql = str(self.statement.compile(dialect=conn.dialect))
            row = self._locked_postgresql(
                conn.connection.driver_connection, self._postgresql_sql, key, params
            )
        else:
            row = tuple(sess.execute(self.statement, params).one())
        return [int(n or 0) for n in row]

    @staticmethod
    def _locked_postgresql(raw: Any, count_sql: str, key: str, params: dict[str, object]) -> tuple[Any, ...]:
        """The lock and the count pipelined on the psycopg connection of the session's transaction: one
        round trip, two statements (the count's snapshot is taken after the lock is granted)."""
        with raw.cursor() as locking, raw.cursor() as counting:
            with raw.pipeline():
                locking.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(key),))
                counting.execute(count_sql, params)
            row = counting.fetchone()
        return tuple(row)


def lock_key(value: str) -> int:
    """A signed 64-bit advisory-lock key for ``value`` (a collision only makes two senders wait in turn)."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big", signed=True)


def first_exceeded(
    found: Sequence[int], windows: Sequence[Window], *, new_row_counted: bool
) -> Window | None:
    """The first window the new row does not fit into. ``new_row_counted``: the counts were taken after
    the row was inserted (inside the writing transaction), so they include it."""
    room = 0 if new_row_counted else 1
    return next((w for n, w in zip(found, windows, strict=True) if n + room > w.amount), None)


def retry_after(
    sess: Session,
    when: InstrumentedAttribute[datetime],
    conditions: Sequence[ColumnElement[bool]],
    window: Window,
    now: datetime,
) -> int:
    """Whole seconds until a new row would fit into ``window`` again: the ``amount``-th newest row must
    have left it."""
    stamp = sess.scalar(
        select(when).where(*conditions).order_by(when.desc()).offset(window.amount - 1).limit(1)
    )
    if stamp is None:
        return 1
    if stamp.tzinfo is None and now.tzinfo is not None:
        stamp = stamp.replace(tzinfo=now.tzinfo)
    return max(1, math.ceil((stamp + timedelta(seconds=window.seconds) - now).total_seconds()))

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
lock). The lock and the read are one call of a PL/pgSQL function (``portal.models.throttle_functions``):
one statement, one round trip, yet the read inside it takes its snapshot after the lock is granted, so it
sees the rows of the transaction it waited for (a plain statement that locked and counted would not, as
in READ COMMITTED a statement sees what was committed before it started).
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

from portal.models import throttle_functions

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
        key_column, when_column = key.property.columns[0], when.property.columns[0]
        function = throttle_functions.function_for(when_column.table.name, key_column.name, when_column.name)
        # PostgreSQL with ``lock``: the function that locks and reads in one call (None: not installed).
        self._locked_sql = f"SELECT {function.name}(%s, %s, %s)" if function else None

    def counts(self, sess: Session, key: str, now: datetime, *, lock: bool = False) -> list[int]:
        """Rows of ``key`` whose time lies in each window ending ``now``.

        ``lock``: on PostgreSQL, first take a transaction-level lock on ``key`` (held until commit or
        rollback), in the same call as the read, which then sees every row committed by a transaction
        that held the lock before.
        """
        if not self.windows:
            return []
        since = [now - timedelta(seconds=w.seconds) for w in self.windows]
        longest = now - timedelta(seconds=self.longest)
        conn = sess.connection()
        if lock and conn.dialect.name == "postgresql":
            if self._locked_sql is None:
                raise LookupError(f"no lock-then-read function for {self.key} in throttle_functions")
            # The psycopg connection of the session's transaction, past SQLAlchemy's statement layer:
            # this is the hot path of every submission, and the statement is a fixed string.
            raw: Any = conn.connection.driver_connection
            with raw.cursor() as cur:
                cur.execute(self._locked_sql, (lock_key(key), key, longest))
                times = cur.fetchone()[0]
            return [sum(1 for t in times if t > s) for s in since]
        params: dict[str, object] = {"key": key, "since": longest}
        for i, w in enumerate(self.windows):
            if w.seconds != self.longest:
                params[f"since_{i}"] = since[i]
        row = tuple(sess.execute(self.statement, params).one())
        return [int(n or 0) for n in row]


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

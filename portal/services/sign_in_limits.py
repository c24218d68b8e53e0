"""The sign-in throttle: failed sign-ins per account name and per client address, counted in the database.

Counting rows of ``sign_in_failure`` rather than a worker's memory makes the limits hold across every
worker and process on the embedded default (SQLite, no Redis), and they survive restarts.

Only failures count, not attempts: a refused (throttled) attempt leaves no row, so an attacker who keeps
knocking does not extend the lock, and the owner signs in normally once the window has passed. An attempt
is written as a failure *before* its password or code is checked and removed when the check succeeds;
concurrent guesses from several workers therefore see each other and cannot slip past the limit together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.models import SignInFailure
from portal.models.base import utcnow


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` failures per ``key`` (``account`` or ``address``) within ``window``."""

    key: str
    limit: int
    window: timedelta


RULES = (
    Rule("account", 5, timedelta(minutes=1)),
    Rule("account", 20, timedelta(hours=1)),
    # Password spraying: one address trying one password on many names.
    Rule("address", 30, timedelta(minutes=10)),
)
KEEP = timedelta(days=1)  # older rows can no longer count towards any rule


class Throttled(Exception):
    """Too many recent failures: refuse without checking the password or code."""

    def __init__(self, rule: Rule, retry_at: datetime, now: datetime) -> None:
        super().__init__(f"{rule.limit} failed sign-ins per {rule.key} within {rule.window}")
        self.rule = rule
        self.retry_at = retry_at
        self.retry_after = max(1, math.ceil((retry_at - now).total_seconds()))


def account_key(name: str) -> str:
    """Names are matched case-insensitively at sign-in, so they are counted that way too."""
    return (name or "").strip().lower()[:64]


def begin(sess: Session, account: str, address: str, step: str) -> SignInFailure:
    """Write the attempt as a failure; the caller commits it before checking the password or code."""
    row = SignInFailure(account=account_key(account), address=(address or "")[:64], step=step, at=utcnow())
    sess.add(row)
    sess.flush()
    return row


def check(sess: Session, attempt: SignInFailure) -> None:
    """Raise :class:`Throttled` when the failures before ``attempt`` already reach a limit.

    Only rows written before this one count (smaller id), so of concurrent attempts the earliest go on.
    """
    now = attempt.at
    refusals = []
    for rule in RULES:
        column = SignInFailure.account if rule.key == "account" else SignInFailure.address
        value = attempt.account if rule.key == "account" else attempt.address
        earlier = (
            select(SignInFailure.at)
            .where(column == value, SignInFailure.at > now - rule.window, SignInFailure.id < attempt.id)
            .order_by(SignInFailure.at.desc())
        )
        # The limit-th most recent failure: once it leaves the window, fewer than `limit` remain.
        pivot = sess.scalar(earlier.offset(rule.limit - 1).limit(1))
        if pivot is not None:
            refusals.append(Throttled(rule, pivot + rule.window, now))
    if refusals:
        raise max(refusals, key=lambda t: t.retry_at)


def forget(sess: Session, attempt: SignInFailure) -> None:
    """The attempt succeeded or was refused unchecked: it is not a failure."""
    sess.execute(delete(SignInFailure).where(SignInFailure.id == attempt.id))


def prune(sess: Session) -> None:
    """Drop rows too old to count (called on failures, so the table stays as small as its windows)."""
    sess.execute(delete(SignInFailure).where(SignInFailure.at < utcnow() - KEEP))


def failures(sess: Session, *, account: str = "", address: str = "", within: timedelta) -> int:
    """How many failures an account name or an address has within ``within`` (for reports and tests)."""
    stmt = select(func.count(SignInFailure.id)).where(SignInFailure.at > utcnow() - within)
    if account:
        stmt = stmt.where(SignInFailure.account == account_key(account))
    if address:
        stmt = stmt.where(SignInFailure.address == address)
    return sess.scalar(stmt) or 0

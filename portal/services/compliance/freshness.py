"""Column freshness (NORMS 44, 25): columns past their update interval and empty columns, the inspection's
veto items (单项否决: homepage not updated in 2 weeks, ≥ 5 stale columns, ≥ 5 empty columns).

Each column has a kind; the interval of a kind is a setting (``column_intervals``: ``news=14d``,
``notices=14d``, ``policies=6m``, ``replies=2m``). A column's last update is the newest date of what it
lists publicly. The portal has no 动态/要闻 news column; the homepage shows the newest items of every
column, so it is as fresh as the freshest of them, and is tracked as a news page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from portal.clock import local_day, today_local
from portal.models import Document, Enquiry, GazetteIssue, Interpretation, Meeting
from portal.models.consultations import Consultation
from portal.services.compliance import settings
from portal.services.compliance.site_meta import COLUMNS
from portal.services.enquiries.rules import add_months

_INTERVAL = re.compile(r"^(?P<kind>[a-z_]+)=(?P<n>\d+)(?P<unit>[dwm])$")
NOTICE_GENRES = ("通知", "公告", "通告")


@dataclass(frozen=True)
class Interval:
    count: int
    unit: str  # d | w | m

    def expires(self, last: date) -> date:
        """The last day the column is still fresh after an update on ``last``."""
        if self.unit == "m":
            return add_months(last, self.count)
        return last + timedelta(days=self.count * (7 if self.unit == "w" else 1))

    def __str__(self) -> str:
        return f"{self.count}{ {'d': '天', 'w': '周', 'm': '个月'}[self.unit] }"


def parse_intervals(entries: tuple[str, ...]) -> dict[str, Interval]:
    """``("news=14d", "policies=6m")`` → {kind: Interval}; a malformed entry raises ValueError."""
    out = {}
    for entry in entries:
        match = _INTERVAL.match(entry.strip())
        if match is None:
            raise ValueError(
                f"bad column interval {entry!r} (expected kind=<number><d|w|m>, e.g. policies=6m)"
            )
        out[match["kind"]] = Interval(int(match["n"]), match["unit"])
    return out


def _public_documents(*extra: ColumnElement[bool]) -> tuple[ColumnElement[bool], ...]:
    return (Document.status == "published", Document.disclosure == "active", *extra)


def _latest(sess: Session, column: Any, *where: ColumnElement[bool]) -> tuple[int, date | None]:
    count, latest = sess.execute(select(func.count(), func.max(column)).where(*where)).one()
    if isinstance(latest, datetime):
        latest = local_day(latest)
    return count, latest


# Columns tracked: key in site_meta.COLUMNS, kind, and (count, last update) from the public records.
TRACKED: list[tuple[str, str, Callable[[Session], tuple[int, date | None]]]] = [
    ("policies", "policies", lambda s: _latest(s, Document.published_at, *_public_documents())),
    (
        "notices",
        "notices",
        lambda s: _latest(s, Document.published_at, *_public_documents(Document.genre.in_(NOTICE_GENRES))),
    ),
    (
        "interpretations",
        "policies",
        lambda s: _latest(
            s,
            Interpretation.published_at,
            Interpretation.status == "published",
            Interpretation.document_id.in_(select(Document.id).where(*_public_documents())),
        ),
    ),
    (
        "gazette",
        "policies",
        lambda s: _latest(s, GazetteIssue.published_on, GazetteIssue.status == "published"),
    ),
    (
        "consultations",
        "policies",
        lambda s: _latest(s, Consultation.opens_on, Consultation.status != "draft"),
    ),
    (
        "meetings",
        "news",
        lambda s: _latest(s, Meeting.held_on, Meeting.is_open.is_(True), Meeting.cancelled.is_(False)),
    ),
    (
        "enquiries",
        "replies",
        lambda s: _latest(
            s, Enquiry.published_at, Enquiry.published_at.is_not(None), Enquiry.state == "answered"
        ),
    ),
]


@dataclass
class ColumnState:
    key: str
    name: str
    kind: str
    interval: Interval
    count: int
    last_update: date | None
    fresh_until: date | None

    @property
    def empty(self) -> bool:
        return self.count == 0

    @property
    def stale(self) -> bool:
        return self.fresh_until is not None and self.fresh_until < today_local()

    @property
    def note(self) -> str:
        if self.empty or self.last_update is None:
            return "栏目为空"
        return f"最近更新 {self.last_update.isoformat()}，超过{self.interval}未更新"


def columns(sess: Session, today: date | None = None) -> list[ColumnState]:
    """Every tracked column with its count, last update and the day it goes stale."""
    intervals = parse_intervals(settings().column_intervals)
    out = []
    measured = [(key, kind, *measure(sess)) for key, kind, measure in TRACKED]
    # The homepage lists the newest items of every column: it is as fresh as the freshest of them, and
    # counts as a news page (veto: homepage not updated for 2 weeks).
    dates = [last for *_, last in measured if last is not None]
    measured.insert(0, ("home", "news", sum(m[2] for m in measured), max(dates) if dates else None))
    for key, kind, count, last in measured:
        interval = intervals.get(kind)
        if interval is None:
            continue  # a kind without an interval is not tracked
        out.append(
            ColumnState(
                key, COLUMNS[key].name, kind, interval, count, last, interval.expires(last) if last else None
            )
        )
    return out


def problems(sess: Session, today: date | None = None) -> list[ColumnState]:
    """Columns that are stale or empty on ``today`` (the dashboard's list)."""
    today = today or today_local()
    return [c for c in columns(sess) if c.empty or (c.fresh_until is not None and c.fresh_until < today)]

"""Who owes last year's annual report (art 49, NORMS 37): departments and streets publish theirs by
31 January, the district government its report by 31 March. Dates are Beijing dates (portal.clock).

A report is flagged while it is due, once its deadline has passed unpublished, and when it was published
after its deadline (the inspection counts a late report as a failure even once it is out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import local_day, today_local
from portal.models import Agency, AnnualReport

STATES = {"due": "待发布", "overdue": "已超过发布期限", "late": "逾期发布"}


def due_on(agency: Agency, year: int) -> date:
    return date(year + 1, 3, 31) if agency.kind == "government" else date(year + 1, 1, 31)


@dataclass
class Flag:
    agency: Agency
    year: int
    due_on: date
    state: str  # STATES key
    report: AnnualReport | None

    @property
    def note(self) -> str:
        return f"{STATES[self.state]}（期限 {self.due_on.month}月{self.due_on.day}日）"


def flags(sess: Session, today: date | None = None) -> list[Flag]:
    """Flags for the year just ended: the district first, then departments and streets by position."""
    today = today or today_local()
    year = today.year - 1
    agencies = sess.scalars(
        select(Agency)
        .where(Agency.external.is_(False), Agency.kind.in_(("government", "department", "street")))
        .order_by(Agency.kind != "government", Agency.position, Agency.id)
    ).all()
    reports = {r.agency_id: r for r in sess.scalars(select(AnnualReport).where(AnnualReport.year == year))}
    out = []
    for agency in agencies:
        due = due_on(agency, year)
        report = reports.get(agency.id)
        if report is not None and report.published_at is not None:
            if local_day(report.published_at) > due:
                out.append(Flag(agency, year, due, "late", report))
        else:
            out.append(Flag(agency, year, due, "overdue" if today > due else "due", report))
    return out

"""What the FOI pages show, built once here for the views (and anything else that renders them).

Staff see only their own agency's requests (admins all of them), filtered in SQL; applicants' ID numbers
are masked except for the FOI roles of the handling agency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.clock import today_local
from portal.models import Agency, User
from portal.models.foi import STATES, InfoRequest
from portal.services.foi import deadlines, report
from portal.services.foi.requests import masked_id
from portal.services.staff_lists import Page, paginate

PAGE_SIZE = 30
FOI_ROLES = ("foi_officer", "foi_head")


def can_handle(user: User, req: InfoRequest) -> bool:
    """Handle the request and see the applicant's data unmasked: the FOI roles of its agency."""
    return user.has_role(*FOI_ROLES) and (user.agency_id is None or user.agency_id == req.agency_id)


def can_see(user: User, req: InfoRequest) -> bool:
    return user.has_role("admin") or can_handle(user, req)


def shown_id(user: User, req: InfoRequest) -> str:
    return req.id_number if can_handle(user, req) else masked_id(req.id_number)


def scoped(user: User) -> Select[InfoRequest]:
    stmt = select(InfoRequest)
    if not user.has_role("admin") and user.agency_id is not None:
        stmt = stmt.where(InfoRequest.agency_id == user.agency_id)
    return stmt


def get(sess: Session, request_id: int) -> InfoRequest | None:
    return sess.get(InfoRequest, request_id)


def repeated(sess: Session, user: User) -> list[tuple[str, int]]:
    """Subjects asked for by several applicants (art 44): shown to FOI staff as candidates to publish."""
    return report.repeated_subjects(sess) if user.has_role(*FOI_ROLES, "admin") else []


@dataclass
class Watch:
    """The watchdog's counts for one list of requests (NORMS 33): what needs doing before it is late."""

    due_soon: list[InfoRequest] = field(default_factory=list)
    overdue: list[InfoRequest] = field(default_factory=list)
    correction: list[InfoRequest] = field(default_factory=list)
    fee: list[InfoRequest] = field(default_factory=list)
    unconfirmed: list[InfoRequest] = field(default_factory=list)
    pause_lapsed: list[InfoRequest] = field(default_factory=list)

    @property
    def alarms(self) -> int:
        return len(self.overdue) + len(self.pause_lapsed) + len(self.unconfirmed)


def watch(sess: Session, user: User, today: date | None = None) -> Watch:
    today = today or today_local()
    w = Watch()
    open_requests = sess.scalars(
        scoped(user).where(InfoRequest.state.not_in(("answered", "closed"))).order_by(InfoRequest.due_on)
    ).all()
    for req in open_requests:
        if req.state == "submitted":
            w.unconfirmed.append(req)
        elif req.due_on is not None and req.due_on < today:
            w.overdue.append(req)
        elif deadlines.is_due_soon(req.due_on, today):
            w.due_soon.append(req)
        if req.state == "correction":
            w.correction.append(req)
        if req.state == "fee":
            w.fee.append(req)
        if (
            req.pause_deadline_on is not None
            and req.pause_deadline_on < today
            and req.state in ("correction", "fee")
        ):
            w.pause_lapsed.append(req)
    return w


@dataclass
class AgencyCount:
    agency: str
    open: int
    overdue: int


def per_agency(sess: Session, today: date | None = None) -> list[AgencyCount]:
    """Open and overdue requests per agency, for the dashboard of admins and the e-mail digest."""
    today = today or today_local()
    rows = sess.execute(
        select(
            Agency.name,
            func.count(InfoRequest.id),
            func.count(InfoRequest.id).filter(InfoRequest.due_on < today),
        )
        .join(InfoRequest, InfoRequest.agency_id == Agency.id)
        .where(InfoRequest.state.not_in(("answered", "closed")))
        .group_by(Agency.name)
        .order_by(Agency.name)
    ).all()
    return [AgencyCount(name, int(n), int(late)) for name, n, late in rows]


def queue(sess: Session, user: User, state: str = "", page: int = 1) -> Page:
    """The user's list, filtered by state when it is one, due first, paged in SQL."""
    stmt = scoped(user)
    if state in STATES:
        stmt = stmt.where(InfoRequest.state == state)
    return paginate(
        sess,
        stmt.order_by(InfoRequest.concluded_on.is_not(None), InfoRequest.due_on, InfoRequest.id.desc()),
        page,
        PAGE_SIZE,
    )


@dataclass
class YearReport:
    year: int
    table3: report.Table3 | None
    table4: report.Table4 | None
    error: str = ""


def year_report(sess: Session, year: int) -> YearReport:
    try:
        return YearReport(year, report.table3(sess, year), report.table4(sess, year))
    except report.InvariantError as exc:
        return YearReport(year, None, None, str(exc))


EVENT_LABELS = {
    "received": "收到申请",
    "correction_requested": "告知补正",
    "correction_received": "收到补正材料",
    "third_party_sent": "征求第三方意见",
    "third_party_replied": "第三方答复",
    "extended": "延长答复期限",
    "fee_notice": "发出收费通知",
    "fee_paid": "收到缴费",
    "transferred": "转办",
    "drafted": "起草答复",
    "returned": "退回修改",
    "replied": "出具答复",
    "lapsed": "逾期办结",
    "withdrawn": "申请人撤回",
}
# What the applicant's status page lists: the steps that concern them, not the office's internal ones.
APPLICANT_EVENTS = (
    "received",
    "correction_requested",
    "correction_received",
    "third_party_sent",
    "third_party_replied",
    "extended",
    "fee_notice",
    "fee_paid",
    "replied",
    "lapsed",
    "withdrawn",
)


def office(sess: Session, agency_id: int | None) -> Agency | None:
    """An agency that takes applications, by id (None for any other id)."""
    return next((a for a in public_offices(sess) if a.id == agency_id), None)


def public_offices(sess: Session) -> list[Agency]:
    """The district's bodies that take applications, for the guide on /foi/ and the form's drop-down:
    governments, and departments and streets under one (bodies elsewhere that only issue documents the
    portal republishes have no parent here)."""
    district = (Agency.kind == "government") | (
        Agency.kind.in_(("department", "street")) & Agency.parent_id.is_not(None)
    )
    return list(sess.scalars(select(Agency).where(district).order_by(Agency.position, Agency.id)))

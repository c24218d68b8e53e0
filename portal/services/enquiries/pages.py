"""What the enquiry pages show, built here once for the views: the public board, its monthly statistics,
the staff queue and the watchdog (deadlines, zombie messages, the publication cadence)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, extract, func, or_, select
from sqlalchemy.orm import Session

from portal.clock import local_day, today_local, working_days
from portal.models import Agency, User
from portal.models.enquiries import STATES, Enquiry
from portal.services.enquiries import rules
from portal.services.staff_lists import Page, paginate

PAGE_SIZE = 20
HANDLERS = ("editor", "reviewer", "publisher")

EVENT_LABELS = {
    "received": "收到留言",
    "accepted": "受理",
    "rejected": "不予受理",
    "transferred": "转办",
    "extended": "延长答复期限",
    "drafted": "起草答复",
    "returned": "退回修改",
    "answered": "答复",
    "published": "公开",
    "unpublished": "撤下",
}
WRITER_EVENTS = ("received", "accepted", "rejected", "transferred", "extended", "answered", "published")


def offices(sess: Session) -> list[Agency]:
    """The district's bodies a citizen can write to (governments, and departments and streets under one)."""
    district = (Agency.kind == "government") | (
        Agency.kind.in_(("department", "street")) & Agency.parent_id.is_not(None)
    )
    return list(sess.scalars(select(Agency).where(district).order_by(Agency.position, Agency.id)))


def office(sess: Session, agency_id: int | None) -> Agency | None:
    return next((a for a in offices(sess) if a.id == agency_id), None)


def error_desk(sess: Session) -> Agency | None:
    """Who answers 我为政府网站找错: the site's own office (the government's general office), else the first."""
    found = offices(sess)
    return next((a for a in found if a.slug.endswith("gov-office")), found[0] if found else None)


# -- the public board -------------------------------------------------------------------------------


def published_query() -> Select[Any]:
    """Answered messages staff published: the only ones the board, the API and the bulk files show."""
    return _published()


def _published() -> Select[Enquiry]:
    return select(Enquiry).where(Enquiry.published_at.is_not(None), Enquiry.state == "answered")


@dataclass
class Board:
    items: list[Enquiry]
    page: int
    pages: int
    total: int
    agency: str
    topic: str
    year: int | None
    q: str


def board(
    sess: Session, agency: str = "", topic: str = "", year: int | None = None, q: str = "", page: int = 1
) -> Board:
    stmt = _published()
    if agency:
        stmt = stmt.join(Agency, Agency.id == Enquiry.agency_id).where(Agency.slug == agency)
    if topic:
        stmt = stmt.where(Enquiry.topic == topic)
    if year:
        stmt = stmt.where(extract("year", Enquiry.received_on) == year)
    words = q.split()[:5]
    for word in words:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(
            or_(
                Enquiry.subject.like(pattern),
                Enquiry.reply.like(pattern),
                Enquiry.publish_question.is_(True) & Enquiry.body.like(pattern),
            )
        )
    total = int(sess.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    items = sess.scalars(
        stmt.order_by(Enquiry.replied_on.desc(), Enquiry.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return Board(list(items), page, pages, total, agency, topic, year, q)


def published_ids(sess: Session) -> list[int]:
    return list(sess.scalars(_published().with_only_columns(Enquiry.id).order_by(Enquiry.id)))


def published_item(sess: Session, enquiry_id: int) -> Enquiry | None:
    return sess.scalars(_published().where(Enquiry.id == enquiry_id)).first()


@dataclass
class MonthStat:
    month: str  # 2020-06
    received: int = 0
    answered: int = 0
    days: list[int] = field(default_factory=list)  # working days to answer, per answered message
    open: int = 0

    @property
    def average(self) -> str:
        return f"{sum(self.days) / len(self.days):.1f}" if self.days else "—"

    @property
    def longest(self) -> str:
        return str(max(self.days)) if self.days else "—"


def _working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``: how the deadlines count them."""
    return working_days(start + timedelta(days=1), end)


def monthly(sess: Session, year: int) -> list[MonthStat]:
    """Messages received per month of ``year`` (refused ones not counted), how many were answered, how long
    answering took in working days (average, longest), and how many are still open (NORMS 26)."""
    rows = sess.execute(
        select(Enquiry.received_on, Enquiry.replied_on, Enquiry.state).where(
            extract("year", Enquiry.received_on) == year, Enquiry.state != "rejected"
        )
    ).all()
    stats: dict[str, MonthStat] = defaultdict(lambda: MonthStat(""))
    for received_on, replied_on, _state in rows:
        key = received_on.strftime("%Y-%m")
        stat = stats[key]
        stat.month = key
        stat.received += 1
        if replied_on is not None:
            stat.answered += 1
            stat.days.append(_working_days_between(received_on, replied_on))
        else:
            stat.open += 1
    return [stats[k] for k in sorted(stats)]


def board_years(sess: Session) -> list[int]:
    years = sess.scalars(
        select(extract("year", Enquiry.received_on)).where(Enquiry.published_at.is_not(None)).distinct()
    )
    return sorted({int(y) for y in years}, reverse=True)


# -- staff --------------------------------------------------------------------------------------------


def scoped(user: User) -> Select[Enquiry]:
    stmt = select(Enquiry)
    if not user.has_role("admin") and user.agency_id is not None:
        stmt = stmt.where(Enquiry.agency_id == user.agency_id)
    return stmt


def can_handle(user: User, msg: Enquiry) -> bool:
    return user.has_role("admin") or (
        user.has_role(*HANDLERS) and (user.agency_id is None or user.agency_id == msg.agency_id)
    )


def get(sess: Session, enquiry_id: int) -> Enquiry | None:
    return sess.get(Enquiry, enquiry_id)


def queue(sess: Session, user: User, state: str = "", page: int = 1) -> Page:
    """The user's list, filtered by state when it is one, due first, paged in SQL."""
    stmt = scoped(user)
    if state in STATES:
        stmt = stmt.where(Enquiry.state == state)
    return paginate(
        sess, stmt.order_by(Enquiry.due_on.is_(None), Enquiry.due_on, Enquiry.id.desc()), page, PAGE_SIZE
    )


@dataclass
class Watch:
    due_soon: list[Enquiry] = field(default_factory=list)
    overdue: list[Enquiry] = field(default_factory=list)
    zombies: list[Enquiry] = field(default_factory=list)  # unanswered for more than three months
    unpublished: list[Enquiry] = field(default_factory=list)  # answered, not yet published
    last_published: date | None = None
    cadence_broken: bool = False
    undated: list[Enquiry] = field(default_factory=list)  # published without its dates (NORMS 25)


def watch(sess: Session, user: User, today: date | None = None) -> Watch:
    today = today or today_local()
    w = Watch()
    open_items = sess.scalars(
        scoped(user).where(Enquiry.state.in_(("received", "accepted", "drafted")))
    ).all()
    deadlines = rules.current()
    soon = rules.due_soon_until(today, deadlines)
    for msg in open_items:
        if rules.zombie_since(msg.received_on, deadlines) <= today:
            w.zombies.append(msg)
        if msg.due_on is not None and msg.due_on < today:
            w.overdue.append(msg)
        elif msg.due_on is not None and msg.due_on <= soon:
            w.due_soon.append(msg)
    w.unpublished = list(
        sess.scalars(
            scoped(user).where(Enquiry.state == "answered", Enquiry.published_at.is_(None)).limit(50)
        )
    )
    last = sess.scalar(select(func.max(Enquiry.published_at)).where(Enquiry.published_at.is_not(None)))
    w.last_published = local_day(last) if last else None
    w.cadence_broken = rules.cadence_broken(w.last_published, today, deadlines)
    w.undated = list(
        sess.scalars(
            _published().where(or_(Enquiry.replied_on.is_(None), Enquiry.accepted_on.is_(None))).limit(50)
        )
    )
    return w

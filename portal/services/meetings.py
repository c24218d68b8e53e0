"""The meetings register: its rules and its one write (with audit), and the public read side.

The staff form (``portal.web.admin.meetings_forms``) only parses what was typed and ``portal load`` only
reads its files (``portal.services.loader.registers``): both hand the values to :func:`save_meeting`,
which checks them by :func:`check_meeting` and refuses with each problem in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.ingest.markdown import render_markdown
from portal.models import Agency, Meeting, User
from portal.models.meetings import INVITED_GROUPS
from portal.search import refresh_after_commit
from portal.services import staff_lists
from portal.services.audit import record
from portal.services.compliance import RuleProblem
from portal.services.fields import check_slug, shown
from portal.services.refusals import refuse

AUDIT_FIELDS = ("title", "agency_id", "held_on", "is_open", "invited", "stream_url", "cancelled")


def is_open(invited: list[str], stream_url: str) -> bool:
    """A meeting is open when the public, experts or media sat in, or when it was streamed."""
    return bool(invited) or bool(stream_url.strip())


@dataclass
class MeetingForm:
    """A meeting's values as a writer gives them (the staff form, a content file), not yet checked:
    :func:`check_meeting` holds the rules, :func:`save_meeting` applies them before writing."""

    title: str = ""
    agency_id: int | None = None
    held_on: date | None = None
    invited: list[str] = field(default_factory=list)
    stream_url: str = ""
    minutes_md: str = ""
    cancelled: bool = False

    @classmethod
    def from_meeting(cls, meeting: Meeting) -> MeetingForm:
        return cls(
            meeting.title,
            meeting.agency_id,
            meeting.held_on,
            list(meeting.invited),
            meeting.stream_url,
            meeting.minutes_md,
            meeting.cancelled,
        )


TITLE_MAX = 500
URL_MAX = 500
DATE_MESSAGE = "请按“年-月-日”填写会议日期，例如 2020-06-02。"


def check_meeting(sess: Session, actor: User | str, form: MeetingForm, slug: str = "") -> list[RuleProblem]:
    """Every rule ``form`` breaks, one problem per field: the rules of every writer of the register.

    ``actor`` is a staff member (who records only their own agency's meetings, unless an admin or
    unassigned) or a system actor such as ``content``; ``slug`` is a content file's name, which becomes
    the meeting's address (staff meetings get one from their date)."""
    problems: list[RuleProblem] = []
    if not form.title:
        problems.append(RuleProblem("title", "请填写会议名称。", "missing required field 'title'"))
    elif len(form.title) > TITLE_MAX:
        problems.append(
            RuleProblem(
                "title", "会议名称不能超过500个字。", f"'title' must be at most {TITLE_MAX} characters"
            )
        )
    agency = sess.get(Agency, form.agency_id) if form.agency_id is not None else None
    own = own_agency(actor) if isinstance(actor, User) else None
    if agency is None:
        problems.append(
            RuleProblem("agency_id", "请选择召开会议的部门或街道。", "missing required field 'agency'")
        )
    elif own is not None and agency.id != own:
        problems.append(
            RuleProblem(
                "agency_id", "只能登记本单位的会议。", f"'{actor}' records only its own agency's meetings"
            )
        )
    if form.held_on is None:
        problems.append(RuleProblem("held_on", DATE_MESSAGE, "missing required field 'held_on' (YYYY-MM-DD)"))
    unknown = [g for g in form.invited if g not in INVITED_GROUPS]
    if unknown:
        problems.append(
            RuleProblem(
                "invited",
                "邀请对象只能是企业市民代表、专家学者或媒体。",
                f"unknown invited group '{shown(unknown[0])}' (allowed: {', '.join(INVITED_GROUPS)})",
            )
        )
    if form.stream_url and not form.stream_url.startswith(("https://", "http://")):
        problems.append(
            RuleProblem(
                "stream_url",
                "直播链接须以 http:// 或 https:// 开头。",
                f"'stream_url' must start with http:// or https:// (not '{shown(form.stream_url, 60)}')",
            )
        )
    elif len(form.stream_url) > URL_MAX:
        problems.append(
            RuleProblem("stream_url", "直播链接过长。", f"'stream_url' must be at most {URL_MAX} characters")
        )
    if slug:
        try:
            check_slug(slug)
        except RuleProblem as problem:
            problems.append(problem)
    return problems


def _slug_for(sess: Session, held_on: date) -> str:
    """meeting-2020-06-02, meeting-2020-06-02-2, ...: stable, readable, unique."""
    base = f"meeting-{held_on.isoformat()}"
    taken = set(sess.scalars(select(Meeting.slug).where(Meeting.slug.startswith(base))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def snapshot(meeting: Meeting) -> dict[str, Any]:
    out = {}
    for name in AUDIT_FIELDS:
        value = getattr(meeting, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out


def _values(form: MeetingForm) -> dict[str, Any]:
    """The columns a checked form sets; openness and the minutes' HTML are derived here only."""
    invited = [g for g in INVITED_GROUPS if g in form.invited]
    return {
        "title": form.title,
        "agency_id": form.agency_id,
        "held_on": form.held_on,
        "invited": invited,
        "stream_url": form.stream_url,
        "is_open": is_open(invited, form.stream_url),
        "minutes_md": form.minutes_md,
        "minutes_html": render_markdown(form.minutes_md),
        "cancelled": form.cancelled,
    }


def save_meeting(
    sess: Session, actor: User | str, form: MeetingForm, meeting: Meeting | None = None, slug: str = ""
) -> Meeting:
    """Create or update a meeting, in the caller's transaction, with an audit entry: the one write of the
    register, for the staff form and ``portal load`` alike. Raises :class:`~portal.services.refusals.Refused` (writing nothing)
    when a rule is broken; an update that changes nothing writes nothing."""
    refuse(check_meeting(sess, actor, form, slug if meeting is None else ""))
    assert form.held_on is not None  # checked
    values = _values(form)
    if meeting is not None and all(getattr(meeting, k) == v for k, v in values.items()):
        return meeting
    is_new = meeting is None
    before = None if meeting is None else snapshot(meeting)
    if meeting is None:
        meeting = Meeting(slug=slug or _slug_for(sess, form.held_on))
        sess.add(meeting)
    for name, value in values.items():
        setattr(meeting, name, value)
    sess.flush()
    # Every writer goes through here: the site search follows the change.
    refresh_after_commit(sess, meeting)
    record(
        sess,
        actor,
        f"meeting.{'create' if is_new else 'update'}",
        meeting,
        before=before,
        after=snapshot(meeting),
    )
    return meeting


def delete_meeting(sess: Session, actor: User | str, meeting: Meeting) -> None:
    record(sess, actor, "meeting.delete", meeting, before=snapshot(meeting))
    refresh_after_commit(sess, meeting)
    sess.delete(meeting)


def own_agency(user: User) -> int | None:
    """The one agency whose meetings ``user`` records, or None for admins and unassigned staff (all)."""
    return user.agency_id if user.agency_id and not user.has_role("admin") else None


def recording_agencies(sess: Session, user: User) -> list[Agency]:
    """The agencies ``user`` may record meetings for, in register order."""
    stmt = select(Agency).order_by(Agency.position, Agency.id)
    own = own_agency(user)
    if own is not None:
        stmt = stmt.where(Agency.id == own)
    return list(sess.scalars(stmt))


def meeting_by_id(sess: Session, meeting_id: int) -> Meeting | None:
    return sess.get(Meeting, meeting_id)


def staff_meetings(sess: Session, agency_id: int | None = None, page: int = 1) -> staff_lists.Page:
    """One page of the meetings of ``agency_id`` (every agency's when None), newest first, scoped in SQL."""
    stmt = select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    if agency_id is not None:
        stmt = stmt.where(Meeting.agency_id == agency_id)
    return staff_lists.paginate(sess, stmt, page)


def public_meetings_query() -> Select[Any]:
    """Open meetings that took place (not cancelled): the only ones the public sees."""
    return select(Meeting).where(Meeting.is_open.is_(True), Meeting.cancelled.is_(False))


def public_meetings(sess: Session, year: int | None = None) -> list[Meeting]:
    """Open meetings that took place (not cancelled), newest first."""
    stmt = public_meetings_query()
    if year:
        stmt = stmt.where(Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= date(year, 12, 31))
    return list(sess.scalars(stmt.order_by(Meeting.held_on.desc(), Meeting.id.desc())))


def public_meeting(sess: Session, slug: str) -> Meeting | None:
    return sess.scalars(public_meetings_query().where(Meeting.slug == slug)).first()


def meeting_years(sess: Session) -> list[int]:
    days = sess.scalars(
        select(Meeting.held_on).where(Meeting.is_open.is_(True), Meeting.cancelled.is_(False))
    )
    return sorted({d.year for d in days}, reverse=True)

"""The meetings register: validated writes (with audit) and the public read side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, object_session

from portal.ingest.markdown import render_markdown
from portal.models import Agency, Meeting, User
from portal.models.meetings import INVITED_GROUPS
from portal.search import refresh_after_commit
from portal.services import staff_lists
from portal.services.audit import record
from portal.services.numbers import parse_int

AUDIT_FIELDS = ("title", "agency_id", "held_on", "is_open", "invited", "stream_url", "cancelled")


def is_open(invited: list[str], stream_url: str) -> bool:
    """A meeting is open when the public, experts or media sat in, or when it was streamed."""
    return bool(invited) or bool(stream_url.strip())


@dataclass
class MeetingForm:
    """What a staff member typed, parsed; ``errors`` maps a field to a Chinese message."""

    title: str = ""
    agency_id: int | None = None
    held_on: date | None = None
    invited: list[str] = field(default_factory=list)
    stream_url: str = ""
    minutes_md: str = ""
    cancelled: bool = False
    errors: dict[str, str] = field(default_factory=dict)

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

    @classmethod
    def parse(cls, sess: Session, data: Any) -> MeetingForm:
        form = cls()
        form.title = (data.get("title") or "").strip()
        if not form.title:
            form.errors["title"] = "请填写会议名称。"
        elif len(form.title) > 500:
            form.errors["title"] = "会议名称不能超过500个字。"
        agency_id = parse_int(data.get("agency_id"))
        if agency_id is not None and sess.get(Agency, agency_id) is not None:
            form.agency_id = agency_id
        else:
            form.errors["agency_id"] = "请选择召开会议的部门或街道。"
        try:
            form.held_on = date.fromisoformat((data.get("held_on") or "").strip())
        except ValueError:
            form.errors["held_on"] = "请按“年-月-日”填写会议日期，例如 2020-06-02。"
        form.invited = [g for g in INVITED_GROUPS if g in data.getlist("invited")]
        if len(form.invited) != len(set(data.getlist("invited"))):
            form.errors["invited"] = "邀请对象只能是企业市民代表、专家学者或媒体。"
        form.stream_url = (data.get("stream_url") or "").strip()
        if form.stream_url and not form.stream_url.startswith(("https://", "http://")):
            form.errors["stream_url"] = "直播链接须以 http:// 或 https:// 开头。"
        elif len(form.stream_url) > 500:
            form.errors["stream_url"] = "直播链接过长。"
        form.minutes_md = (data.get("minutes_md") or "").strip()
        form.cancelled = data.get("cancelled") in {"1", "on", "true"}
        return form


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


def apply(meeting: Meeting, form: MeetingForm) -> None:
    """Copy validated fields onto ``meeting``; openness and the minutes' HTML are derived here only."""
    assert form.agency_id is not None and form.held_on is not None, "apply needs a validated form"
    meeting.title = form.title
    meeting.agency_id = form.agency_id
    meeting.held_on = form.held_on
    meeting.invited = list(form.invited)
    meeting.stream_url = form.stream_url
    meeting.is_open = is_open(form.invited, form.stream_url)
    meeting.minutes_md = form.minutes_md
    meeting.minutes_html = render_markdown(form.minutes_md)
    meeting.cancelled = form.cancelled
    # Every writer (staff form, content loader) goes through here: the site search follows the change.
    sess = object_session(meeting)
    if sess is not None:
        refresh_after_commit(sess, meeting)


def save_meeting(
    sess: Session, actor: User | str, form: MeetingForm, meeting: Meeting | None = None
) -> Meeting:
    """Create or update a meeting from a valid form, in the caller's transaction, with an audit entry."""
    assert not form.errors, "save_meeting needs a validated form"
    assert form.held_on is not None, "save_meeting needs a validated form"
    is_new = meeting is None
    before = None if meeting is None else snapshot(meeting)
    if meeting is None:
        meeting = Meeting(slug=_slug_for(sess, form.held_on))
        sess.add(meeting)
    apply(meeting, form)
    sess.flush()
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

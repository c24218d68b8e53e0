"""Staff pages of the meetings register: list, create, edit, delete (/admin/meetings/).

Forms carry the CSRF token checked app-wide (``portal.web.security``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal.db import session
from portal.models import Agency, Meeting
from portal.models.meetings import INVITED_GROUPS
from portal.services import meetings, staff_lists
from portal.web.admin.access import roles_required

bp = Blueprint("admin_meetings", __name__, url_prefix="/admin/meetings")
EDITORS = ("editor", "publisher", "admin")


def _agencies() -> list[Agency]:
    """The agencies this user may record meetings for: their own, or all for admins and unassigned staff."""
    stmt = select(Agency).order_by(Agency.position, Agency.id)
    if current_user.agency_id and not current_user.has_role("admin"):
        stmt = stmt.where(Agency.id == current_user.agency_id)
    return list(session.scalars(stmt))


def _editable(meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    if meeting.agency_id not in {a.id for a in _agencies()}:
        abort(403)
    return meeting


def _form_page(form: meetings.MeetingForm, meeting: Meeting | None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/meetings/form.html", form=form, meeting=meeting, agencies=_agencies(), groups=INVITED_GROUPS
    ), status


def _save(meeting: Meeting | None) -> Response | tuple[str, int]:
    form = meetings.MeetingForm.parse(session, request.form)
    if form.agency_id is not None and form.agency_id not in {a.id for a in _agencies()}:
        form.errors["agency_id"] = "只能登记本单位的会议。"
    if form.errors:
        return _form_page(form, meeting, 400)
    saved = meetings.save_meeting(session, current_user, form, meeting)
    session.commit()
    flash(f"已保存会议“{saved.title}”。", "success")
    return redirect(url_for("admin_meetings.index"))


@bp.get("/")
@roles_required(*EDITORS)
def index() -> str:
    # Scoped like _agencies(): their own agency's, or every agency's for admins and unassigned staff.
    own = current_user.agency_id if current_user.agency_id and not current_user.has_role("admin") else None
    result = meetings.staff_meetings(session, own, staff_lists.page_arg(request.args))
    return render_template("admin/meetings/index.html", meetings=result.items, result=result)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new() -> Response | tuple[str, int]:
    if request.method == "POST":
        return _save(None)
    return _form_page(meetings.MeetingForm(), None)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(meeting_id: int) -> Response | tuple[str, int]:
    meeting = _editable(meeting_id)
    if request.method == "POST":
        return _save(meeting)
    return _form_page(meetings.MeetingForm.from_meeting(meeting), meeting)


@bp.post("/<int:meeting_id>/delete")
@roles_required(*EDITORS)
def delete(meeting_id: int) -> Response:
    meeting = _editable(meeting_id)
    title = meeting.title
    meetings.delete_meeting(session, current_user, meeting)
    session.commit()
    flash(f"已删除会议“{title}”。", "success")
    return redirect(url_for("admin_meetings.index"))

"""Staff pages of the meetings register: list, create, edit, delete (/admin/meetings/).

Forms carry the CSRF token checked app-wide (``portal.web.security``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.db import session
from portal.models import Meeting
from portal.services import meetings, staff_lists
from portal.services.refusals import Refused
from portal.web.admin.access import roles_required
from portal.web.admin.meetings_forms import MeetingForm

bp = Blueprint("admin_meetings", __name__, url_prefix="/admin/meetings")
EDITORS = ("editor", "publisher", "admin")


def _form(meeting: Meeting | None) -> MeetingForm:
    """The form, offering the agencies this user records meetings for: their own, or all for admins and
    unassigned staff."""
    return MeetingForm(obj=meeting).offer(meetings.recording_agencies(session, current_user))


def _editable(meeting_id: int) -> Meeting:
    meeting = meetings.meeting_by_id(session, meeting_id)
    if meeting is None:
        abort(404)
    if meeting.agency_id not in {a.id for a in meetings.recording_agencies(session, current_user)}:
        abort(403)
    return meeting


def _form_page(form: MeetingForm, meeting: Meeting | None, status: int = 200) -> tuple[str, int]:
    return render_template("admin/meetings/form.html", form=form, meeting=meeting), status


def _save(meeting: Meeting | None) -> Response | tuple[str, int]:
    form = _form(meeting)
    if not form.validate():  # the CSRF token, or a date that is not one: show the rules' refusals too
        form.refused(meetings.check_meeting(session, current_user, form.entry()))
        return _form_page(form, meeting, 400)
    try:
        saved = meetings.save_meeting(session, current_user, form.entry(), meeting)
    except Refused as exc:
        form.refused(exc.problems)
        return _form_page(form, meeting, 400)
    session.commit()
    flash(f"已保存会议“{saved.title}”。", "success")
    return redirect(url_for("admin_meetings.index"))


@bp.get("/")
@roles_required(*EDITORS)
def index() -> str:
    result = meetings.staff_meetings(
        session, meetings.own_agency(current_user), staff_lists.page_arg(request.args)
    )
    return render_template("admin/meetings/index.html", meetings=result.items, result=result)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new() -> Response | tuple[str, int]:
    if request.method == "POST":
        return _save(None)
    return _form_page(_form(None), None)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(meeting_id: int) -> Response | tuple[str, int]:
    meeting = _editable(meeting_id)
    if request.method == "POST":
        return _save(meeting)
    return _form_page(_form(meeting), meeting)


@bp.post("/<int:meeting_id>/delete")
@roles_required(*EDITORS)
def delete(meeting_id: int) -> Response:
    meeting = _editable(meeting_id)
    title = meeting.title
    meetings.delete_meeting(session, current_user, meeting)
    session.commit()
    flash(f"已删除会议“{title}”。", "success")
    return redirect(url_for("admin_meetings.index"))

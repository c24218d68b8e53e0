"""Public page of the meetings register: open meetings (会议开放) and their minutes."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from portal.db import session
from portal.services import meetings

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


@bp.get("/")
def index() -> str:
    year = request.args.get("year", "")
    chosen = int(year) if year.isdigit() and 1990 <= int(year) <= 2100 else None
    return render_template("meetings/index.html", meetings=meetings.public_meetings(session, chosen),
                           years=meetings.meeting_years(session), year=chosen)


@bp.get("/<slug>/")
def meeting(slug: str) -> str:
    item = meetings.public_meeting(session, slug)
    if item is None:
        abort(404)
    return render_template("meetings/meeting.html", meeting=item)

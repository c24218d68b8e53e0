"""Public page of the meetings register: open meetings (会议开放) and their minutes."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, abort, render_template
from sqlalchemy.orm import Session

from portal.db import session
from portal.services import meetings
from portal.web.inputs import int_arg
from portal.web.public_urls import public_urls

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


@bp.get("/")
def index() -> str:
    chosen = int_arg("year", None, 1990, 2100)
    return render_template(
        "meetings/index.html",
        meetings=meetings.public_meetings(session, chosen),
        years=meetings.meeting_years(session),
        year=chosen,
    )


@bp.get("/<slug>/")
def meeting(slug: str) -> str:
    item = meetings.public_meeting(session, slug)
    if item is None:
        abort(404)
    return render_template("meetings/meeting.html", meeting=item)


@public_urls
def meeting_urls(sess: Session) -> Iterator[str]:
    yield "/meetings/"
    for item in meetings.public_meetings(sess):
        yield f"/meetings/{item.slug}/"

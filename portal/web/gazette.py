"""Public pages of the government gazette (政府公报)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, abort, render_template
from sqlalchemy.orm import Session

from portal.db import session
from portal.services import gazette
from portal.web.public_urls import public_urls

bp = Blueprint("gazette", __name__, url_prefix="/gazette")


@bp.get("/")
def index() -> str:
    return render_template("gazette/index.html", years=gazette.public_issues(session))


@bp.get("/<int:year>/<int:number>/")
def issue(year: int, number: int) -> str:
    found = gazette.public_issue(session, year, number)
    if found is None:
        abort(404)
    issue, sections = found
    return render_template("gazette/issue.html", issue=issue, sections=sections)


@public_urls
def gazette_urls(sess: Session) -> Iterator[str]:
    yield "/gazette/"
    for _year, issues in gazette.public_issues(sess):
        for item in issues:
            yield f"/gazette/{item.year}/{item.number}/"

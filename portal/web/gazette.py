"""Public pages of the government gazette (政府公报)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from portal.db import session
from portal.services import gazette

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

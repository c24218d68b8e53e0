"""Public pages of the government gazette (政府公报), and the printed issue's PDF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy.orm import Session

from portal.db import session
from portal.models import GazetteIssue
from portal.services import gazette
from portal.services.gazette_assembly import pdf_path
from portal.web.public_urls import public_urls

bp = Blueprint("gazette", __name__, url_prefix="/gazette")


@bp.get("/")
def index() -> str:
    return render_template("gazette/index.html", years=gazette.public_issues(session))


@bp.get("/<int:year>/<int:number>/")
def issue(year: int, number: int) -> Any:
    found = gazette.public_issue(session, year, number)
    if found is None:
        return _withdrawn_notice(year, number)
    issue, sections = found
    return render_template("gazette/issue.html", issue=issue, sections=sections)


def _withdrawn_notice(year: int, number: int) -> Any:
    """A withdrawn issue answers 410 Gone with the publisher's public reason; anything else is a 404."""
    issue = gazette.withdrawn_issue(session, year, number)
    if issue is None:
        abort(404)
    return render_template("gazette/withdrawn.html", issue=issue), 410


def pdf_filename(issue: GazetteIssue) -> str:
    """The last part of the PDF's address, ASCII so any static host serves the exported file."""
    return f"gazette-{issue.year}-{issue.number:02d}.pdf"


@bp.get("/<int:year>/<int:number>/<path:filename>")
def pdf(year: int, number: int, filename: str) -> Any:
    found = gazette.public_issue(session, year, number)
    if found is None or not found[0].pdf_sha256 or filename != pdf_filename(found[0]):
        abort(404)
    return send_pdf(found[0])


def send_pdf(issue: GazetteIssue) -> Any:
    from portal.web.downloads import send_stored_file

    path = pdf_path(current_app.extensions["settings"].instance_path, issue)
    if path is None:
        abort(404)
    return send_stored_file(
        path, "application/pdf", f"政府公报{issue.year}年第{issue.number}期.pdf", issue.pdf_sha256
    )


@bp.app_template_global("gazette_pdf_url")
def gazette_pdf_url(issue: GazetteIssue) -> str:
    """Where the public downloads the printed issue: the uploaded PDF, else a content file's link."""
    from flask import url_for

    if issue.pdf_sha256:
        return url_for("gazette.pdf", year=issue.year, number=issue.number, filename=pdf_filename(issue))
    return issue.pdf_url


@public_urls
def gazette_urls(sess: Session) -> Iterator[str]:
    yield "/gazette/"
    for _year, issues in gazette.public_issues(sess):
        for item in issues:
            yield f"/gazette/{item.year}/{item.number}/"
            if item.pdf_sha256:
                yield f"/gazette/{item.year}/{item.number}/{pdf_filename(item)}"

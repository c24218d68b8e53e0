"""The home page (/): the latest documents and interpretations of the policy library."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, render_template
from sqlalchemy.orm import Session

from portal.db import session
from portal.services.policies import queries
from portal.web.public_urls import public_urls

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    return render_template(
        "home.html",
        documents=queries.latest_documents(session),
        interpretations=queries.latest_interpretations(session),
    )


@public_urls
def home_urls(sess: Session) -> Iterator[str]:
    del sess  # one page, always there
    yield "/"

"""Public Atom feeds: /feeds/all.atom, /feeds/agency/<slug>.atom, /feeds/topic/<name>.atom."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import session
from portal.models import Agency, Topic
from portal.services.feeds import build_feed
from portal.web.public_urls import public_urls

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


def _atom(body: bytes) -> Response:
    return Response(body, mimetype="application/atom+xml")


@bp.get("/all.atom")
def all_items() -> Response:
    return _atom(build_feed(session, current_app.extensions["settings"], title="最新发布", self_path=request.path))


@bp.get("/agency/<slug>.atom")
def agency(slug: str) -> Response:
    found = session.scalars(select(Agency).where(Agency.slug == slug)).first()
    if found is None:
        abort(404)
    return _atom(build_feed(session, current_app.extensions["settings"], title=found.name,
                            self_path=request.path, agency=found))


@bp.get("/topic/<name>.atom")
def topic(name: str) -> Response:
    found = session.scalars(select(Topic).where(Topic.name == name)).first()
    if found is None:
        abort(404)
    return _atom(build_feed(session, current_app.extensions["settings"], title=f"主题：{found.name}",
                            self_path=request.path, topic=found))


@public_urls
def feed_urls(sess: Session) -> Iterator[str]:
    yield "/feeds/all.atom"
    for slug in sess.scalars(select(Agency.slug).order_by(Agency.position)):
        yield f"/feeds/agency/{slug}.atom"
    for name in sess.scalars(select(Topic.name).order_by(Topic.name)):
        if "/" not in name:
            yield f"/feeds/topic/{name}.atom"

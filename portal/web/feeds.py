"""Public Atom feeds: /feeds/all.atom, /feeds/agency/<slug>.atom, /feeds/topic/<name>.atom."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import select

from portal.db import session
from portal.models import Agency, Topic
from portal.services.feeds import build_feed

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

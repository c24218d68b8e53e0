"""Public Atom feeds: /feeds/all.atom, /feeds/agency/<slug>.atom, /feeds/topic/<name>.atom."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy.orm import Session

from portal.db import session
from portal.services import feeds as feed_service
from portal.services.facet_values import is_path_segment
from portal.services.feeds import build_feed
from portal.web.public_urls import Shard, StaticPage, bulk_pages, public_urls

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


def _atom(body: bytes) -> Response:
    return Response(body, mimetype="application/atom+xml")


@bp.get("/all.atom")
def all_items() -> Response:
    return _atom(
        build_feed(session, current_app.extensions["settings"], title="最新发布", self_path=request.path)
    )


@bp.get("/agency/<slug>.atom")
def agency(slug: str) -> Response:
    found = feed_service.agency_of_feed(session, slug)
    if found is None:
        abort(404)
    return _atom(
        build_feed(
            session,
            current_app.extensions["settings"],
            title=found.name,
            self_path=request.path,
            agency=found,
        )
    )


@bp.get("/topic/<name>.atom")
def topic(name: str) -> Response:
    found = feed_service.topic_of_feed(session, name)
    if found is None:
        abort(404)
    return _atom(
        build_feed(
            session,
            current_app.extensions["settings"],
            title=f"主题：{found.name}",
            self_path=request.path,
            topic=found,
        )
    )


@public_urls
def feed_urls(sess: Session) -> Iterator[str]:
    yield "/feeds/all.atom"
    for agency in feed_service.agencies_with_feeds(sess):
        yield f"/feeds/agency/{agency.slug}.atom"
    for topic in feed_service.topics_with_feeds(sess):
        if is_path_segment(topic.name):
            yield f"/feeds/topic/{topic.name}.atom"


@bulk_pages
def feed_pages(sess: Session, shard: Shard) -> Iterator[StaticPage]:
    """The export's fast path for the feeds: the same bytes as the views, built by the processes that
    render the bulk pages (each feed costs as much as twenty document pages)."""
    settings = current_app.extensions["settings"]
    feeds: list[tuple[str, str, dict]] = [("/feeds/all.atom", "最新发布", {})]
    feeds += [
        (f"/feeds/agency/{a.slug}.atom", a.name, {"agency": a})
        for a in feed_service.agencies_with_feeds(sess)
    ]
    feeds += [
        (f"/feeds/topic/{t.name}.atom", f"主题：{t.name}", {"topic": t})
        for t in feed_service.topics_with_feeds(sess)
        if is_path_segment(t.name)
    ]
    for position, (path, title, scope) in enumerate(feeds):
        if shard.mine(position):
            yield StaticPage(
                path, "", {}, body=build_feed(sess, settings, title=title, self_path=path, **scope)
            )


# -- feeds of the other areas: consultations, gazette issues, meetings --------------------------------


@bp.get("/<any(consultations, gazette, meetings):area>.atom")
def area_feed(area: str) -> Response:
    from portal.services.area_feeds import build_area_feed

    return _atom(build_area_feed(session, current_app.extensions["settings"], area))


@public_urls
def area_feed_urls(sess: Session) -> Iterator[str]:
    from portal.services.area_feeds import AREAS

    for area in AREAS:
        yield f"/feeds/{area}.atom"

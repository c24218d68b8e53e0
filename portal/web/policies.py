"""Public pages of the policy library (/policies/): listings, document, interpretation, attachment downloads,
and the notice that replaces a withdrawn item (410 Gone with the publisher's public reason)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.db import session
from portal.models import Document, Interpretation
from portal.services.facet_values import is_path_segment
from portal.services.policies import pages, queries
from portal.services.policies.document_page import document_page
from portal.services.policies.interpretation_page import interpretation_page
from portal.services.policies.pages import Withdrawn
from portal.web.public_urls import Shard, StaticPage, bulk_pages, public_urls

bp = Blueprint("policies", __name__)
FACET_NAMES = "any(" + ", ".join(queries.FACETS) + ")"


@bp.app_template_global()
def policies_url(args: dict[str, Any]) -> str:
    """Link to a library listing: a path for one facet or none (so the static export has the page as a
    file), a query string for combinations and sort orders (served by the app)."""
    args = dict(args)
    page = int(args.pop("page", 1) or 1)
    if not args:
        return url_for("policies.index_page", page=page) if page > 1 else url_for("policies.index")
    if len(args) == 1:
        ((facet, value),) = args.items()
        # A value that cannot be one path segment (stored before the facet_values rule) is listed by
        # query string: served by the app, never a file of the export.
        if facet in queries.FACETS and is_path_segment(str(value)):
            return url_for("policies.facet", facet=facet, value=str(value), page=page)
    if page > 1:
        args["page"] = page
    return url_for("policies.index", **args)


FACET_LABELS = {
    "agency": "发文机关",
    "year": "发布年份",
    "genre": "公文种类",
    "topic": "主题分类",
    "validity": "有效性",
    "normative": "文件类型",
}


def facet_sidebar(query: queries.LibraryQuery, facets: dict[str, list[tuple[str, str, int]]]) -> list:
    """The library's filter links: [(facet label, [(text, count, href, active), ...]), ...].

    Built once per listing (not per page) by the export, hence in Python rather than in the template."""
    current = query.args()
    sidebar = []
    for name, label in FACET_LABELS.items():
        links = []
        for value, text, count in facets.get(name, []):
            active = str(current.get(name, "")) == value
            links.append((text, count, policies_url(query.args(**{name: None if active else value})), active))
        if links:
            sidebar.append((label, links))
    return sidebar


def listing_feed(query: queries.LibraryQuery) -> tuple[str, str] | None:
    """The Atom feed a listing has, as (href, link text): all documents, one agency's or one topic's."""
    args = query.args()
    if not args:
        return url_for("feeds.all_items"), "订阅全部最新发布"
    if list(args) == ["agency"]:
        return url_for("feeds.agency", slug=query.agency), "订阅本机关的文件更新"
    if list(args) == ["topic"] and is_path_segment(query.topic):
        return url_for("feeds.topic", name=query.topic), f"订阅“{query.topic}”主题的文件更新"
    return None


def _listing(
    query: queries.LibraryQuery, result: queries.LibraryPage, sidebar: list | None = None
) -> dict[str, Any]:
    return {
        "query": query,
        "result": result,
        "sidebar": sidebar or facet_sidebar(query, result.facets),
        "feed": listing_feed(query) if result.total else None,
    }


@bp.get("/policies/")
def index() -> str | Response:
    query = queries.LibraryQuery.from_args(request.args)
    if "page" in request.args and not query.ignored:
        # One address per page: ?page=2 (with at most one filter) is the page the static export has as
        # /policies/page/2/, so send the visitor there rather than serve a second copy.
        canonical = policies_url(query.args(page=query.page))
        if "?" not in canonical:
            return redirect(canonical, 301)
    return render_template("policies/index.html", **_listing(query, queries.browse(session, query)))


@bp.get("/policies/page/<int:page>/", endpoint="index_page")
@bp.get(f"/policies/<{FACET_NAMES}:facet>/<value>/", endpoint="facet", defaults={"page": 1})
@bp.get(f"/policies/<{FACET_NAMES}:facet>/<value>/page/<int:page>/", endpoint="facet")
def policies_path(page: int, facet: str = "", value: str = "") -> str | Response:
    args = {facet: value} if facet else {}
    query = queries.LibraryQuery.from_args({**args, "page": str(page)})
    if query.ignored:
        abort(404)
    if page == 1 and request.path.endswith("/page/1/"):
        return redirect(policies_url(query.args()), 301)  # page 1 is the listing itself
    result = queries.browse(session, query)
    if page > result.pages:
        abort(404)
    return render_template("policies/index.html", **_listing(query, result))


@bp.get("/policies/<slug>/")
def document(slug: str) -> Any:
    page = document_page(session, slug)
    if page is None:
        return _gone(pages.withdrawn_document(session, slug))
    return render_template("policies/document.html", **page.context())


@bp.get("/interpretations/<slug>/")
def interpretation(slug: str) -> Any:
    page = interpretation_page(session, slug)
    if page is None:
        return _gone(pages.withdrawn_interpretation(session, slug))
    return render_template("policies/interpretation.html", **page.context())


def _gone(found: Withdrawn | None) -> Any:
    """A withdrawn item answers 410 Gone with the publisher's public reason; anything else is a 404."""
    if found is None:
        abort(404)
    return render_template("policies/withdrawn.html", obj=found.obj, document=found.document), 410


@bp.get("/policies/<slug>/files/<int:attachment_id>/<path:filename>")
def attachment(slug: str, attachment_id: int, filename: str) -> Any:
    from portal.web.downloads import send_attachment

    att = queries.public_attachment(session, slug, attachment_id)
    if att is None:
        abort(404)
    del filename  # only for a readable URL; the stored name is what is served
    return send_attachment(att)


@public_urls
def policies_urls(sess: Session) -> Iterator[str]:
    """Every listing page (all of it, and per facet value), every document and interpretation."""
    facets = queries.browse(sess, queries.LibraryQuery()).facets
    total = sess.scalar(queries.public_documents().with_only_columns(func.count(Document.id))) or 0
    yield from _listing_paths("/policies/", total)
    for facet, values in facets.items():
        for value, _label, count in values:
            if is_path_segment(value):
                yield from _listing_paths(f"/policies/{facet}/{value}/", count)
    for slug in sess.scalars(queries.public_documents().with_only_columns(Document.slug)):
        yield f"/policies/{slug}/"
    for slug in sess.scalars(queries.public_interpretations().with_only_columns(Interpretation.slug)):
        yield f"/interpretations/{slug}/"


def _listing_paths(base: str, total: int) -> Iterator[str]:
    yield base
    last = max(1, -(-total // queries.PAGE_SIZE))
    for page in range(2, last + 1):
        yield f"{base}page/{page}/"


@bulk_pages
def policies_pages(sess: Session, shard: Shard) -> Iterator[StaticPage]:
    """The export's fast path for the library: the same pages as the views, loaded in bulk."""
    sidebars: dict[tuple, list] = {}
    for query, result in pages.iter_all_listings(sess, shard=(shard.index, shard.count)):
        key = tuple(query.args().items())  # the sidebar is the same on every page of a listing
        if key not in sidebars:
            sidebars[key] = facet_sidebar(query, result.facets)
        yield StaticPage(
            policies_url(query.args(page=query.page)),
            "policies/index.html",
            _listing(query, result, sidebars[key]),
        )
    for page in pages.iter_document_pages(sess, shard=(shard.index, shard.count)):
        yield StaticPage(f"/policies/{page.doc.slug}/", "policies/document.html", page.context())
    for interp in pages.iter_interpretation_pages(sess, shard=(shard.index, shard.count)):
        yield StaticPage(
            f"/interpretations/{interp.interp.slug}/", "policies/interpretation.html", interp.context()
        )

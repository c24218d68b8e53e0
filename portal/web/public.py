"""Public pages of the policy library: home, library, document, interpretation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.db import session
from portal.models import Document, Interpretation
from portal.services import library
from portal.services.facet_values import is_path_segment
from portal.web import published
from portal.web.public_urls import Shard, StaticPage, bulk_pages, public_urls

bp = Blueprint("public", __name__)
FACET_NAMES = "any(" + ", ".join(library.FACETS) + ")"


@bp.app_template_global()
def library_url(args: dict[str, Any]) -> str:
    """Link to a library listing: a path for one facet or none (so the static export has the page as a
    file), a query string for combinations and sort orders (served by the app)."""
    args = dict(args)
    page = int(args.pop("page", 1) or 1)
    if not args:
        return url_for("public.policies_page", page=page) if page > 1 else url_for("public.policies")
    if len(args) == 1:
        ((facet, value),) = args.items()
        # A value that cannot be one path segment (stored before the facet_values rule) is listed by
        # query string: served by the app, never a file of the export.
        if facet in library.FACETS and is_path_segment(str(value)):
            return url_for("public.policies_facet", facet=facet, value=str(value), page=page)
    if page > 1:
        args["page"] = page
    return url_for("public.policies", **args)


FACET_LABELS = {
    "agency": "发文机关",
    "year": "发布年份",
    "genre": "公文种类",
    "topic": "主题分类",
    "validity": "有效性",
    "normative": "文件类型",
}


def facet_sidebar(query: library.LibraryQuery, facets: dict[str, list[tuple[str, str, int]]]) -> list:
    """The library's filter links: [(facet label, [(text, count, href, active), ...]), ...].

    Built once per listing (not per page) by the export, hence in Python rather than in the template."""
    current = query.args()
    sidebar = []
    for name, label in FACET_LABELS.items():
        links = []
        for value, text, count in facets.get(name, []):
            active = str(current.get(name, "")) == value
            links.append((text, count, library_url(query.args(**{name: None if active else value})), active))
        if links:
            sidebar.append((label, links))
    return sidebar


def listing_feed(query: library.LibraryQuery) -> tuple[str, str] | None:
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
    query: library.LibraryQuery, result: library.LibraryPage, sidebar: list | None = None
) -> dict[str, Any]:
    return {
        "query": query,
        "result": result,
        "sidebar": sidebar or facet_sidebar(query, result.facets),
        "feed": listing_feed(query) if result.total else None,
    }


@bp.get("/")
def home() -> str:
    return render_template(
        "home.html",
        documents=library.latest_documents(session),
        interpretations=library.latest_interpretations(session),
    )


@bp.get("/policies/")
def policies() -> str | Response:
    query = library.LibraryQuery.from_args(request.args)
    if "page" in request.args and not query.ignored:
        # One address per page: ?page=2 (with at most one filter) is the page the static export has as
        # /policies/page/2/, so send the visitor there rather than serve a second copy.
        canonical = library_url(query.args(page=query.page))
        if "?" not in canonical:
            return redirect(canonical, 301)
    return render_template("policies/index.html", **_listing(query, library.browse(session, query)))


@bp.get("/policies/page/<int:page>/", endpoint="policies_page")
@bp.get(f"/policies/<{FACET_NAMES}:facet>/<value>/", endpoint="policies_facet", defaults={"page": 1})
@bp.get(f"/policies/<{FACET_NAMES}:facet>/<value>/page/<int:page>/", endpoint="policies_facet")
def policies_path(page: int, facet: str = "", value: str = "") -> str | Response:
    args = {facet: value} if facet else {}
    query = library.LibraryQuery.from_args({**args, "page": str(page)})
    if query.ignored:
        abort(404)
    if page == 1 and request.path.endswith("/page/1/"):
        return redirect(library_url(query.args()), 301)  # page 1 is the listing itself
    result = library.browse(session, query)
    if page > result.pages:
        abort(404)
    return render_template("policies/index.html", **_listing(query, result))


@bp.get("/policies/<slug>/")
def document(slug: str) -> str:
    doc = library.public_document(session, slug)
    if doc is None:
        return published.withdrawn_notice(Document, slug)  # 410 with the public reason, or 404
    interpretations = [i for i in doc.interpretations if i.status == "published"]
    return render_template(
        "policies/document.html",
        doc=doc,
        interpretations=interpretations,
        links=library.document_links(session, doc),
    )


@bp.get("/interpretations/<slug>/")
def interpretation(slug: str) -> str:
    interp = library.public_interpretation(session, slug)
    if interp is None:
        return published.withdrawn_notice(Interpretation, slug)
    return render_template("policies/interpretation.html", interp=interp, doc=interp.document)


@public_urls
def library_urls(sess: Session) -> Iterator[str]:
    """Home, every listing page (all of it, and per facet value), every document and interpretation."""
    yield "/"
    facets = library.browse(sess, library.LibraryQuery()).facets
    total = sess.scalar(library.public_documents().with_only_columns(func.count(Document.id))) or 0
    yield from _listing_paths("/policies/", total)
    for facet, values in facets.items():
        for value, _label, count in values:
            if is_path_segment(value):
                yield from _listing_paths(f"/policies/{facet}/{value}/", count)
    for slug in sess.scalars(library.public_documents().with_only_columns(Document.slug)):
        yield f"/policies/{slug}/"
    for slug in sess.scalars(library.public_interpretations().with_only_columns(Interpretation.slug)):
        yield f"/interpretations/{slug}/"


def _listing_paths(base: str, total: int) -> Iterator[str]:
    yield base
    pages = max(1, -(-total // library.PAGE_SIZE))
    for page in range(2, pages + 1):
        yield f"{base}page/{page}/"


@bulk_pages
def library_pages(sess: Session, shard: Shard) -> Iterator[StaticPage]:
    """The export's fast path for the library: the same pages as the views, loaded in bulk."""
    sidebars: dict[tuple, list] = {}
    for query, result in library.iter_all_listings(sess, shard=(shard.index, shard.count)):
        key = tuple(query.args().items())  # the sidebar is the same on every page of a listing
        if key not in sidebars:
            sidebars[key] = facet_sidebar(query, result.facets)
        yield StaticPage(
            library_url(query.args(page=query.page)),
            "policies/index.html",
            _listing(query, result, sidebars[key]),
        )
    for doc, interpretations, links, helpers in library.iter_public_documents(
        sess, shard=(shard.index, shard.count)
    ):
        yield StaticPage(
            f"/policies/{doc.slug}/",
            "policies/document.html",
            {"doc": doc, "interpretations": interpretations, "links": links, **helpers},
        )
    for interp, helpers in library.iter_public_interpretations(sess, shard=(shard.index, shard.count)):
        yield StaticPage(
            f"/interpretations/{interp.slug}/",
            "policies/interpretation.html",
            {"interp": interp, "doc": interp.document, **helpers},
        )

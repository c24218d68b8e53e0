"""``/robots.txt`` and ``/sitemap.xml``, built from the registry of public pages."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app
from sqlalchemy.orm import Session

from portal.db import session
from portal.web.public_urls import Shard, StaticPage, all_public_urls, bulk_pages, public_urls

bp = Blueprint("site_files", __name__)


def _base() -> str:
    return current_app.extensions["settings"].base_url.rstrip("/")


@bp.get("/robots.txt")
def robots() -> Response:
    body = f"User-agent: *\nDisallow: /admin/\nDisallow: /search\nSitemap: {_base()}/sitemap.xml\n"
    return Response(body, mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    return Response(sitemap_xml(session, _base()), mimetype="application/xml")


def sitemap_xml(sess: Session, base: str) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path in all_public_urls(sess):
        if path.endswith("/"):  # pages; the sitemap and feeds list themselves elsewhere
            lines.append(f"<url><loc>{escape(base + quote(path))}</loc></url>")
    lines.append("</urlset>\n")
    return "\n".join(lines)


@bulk_pages
def sitemap_page(sess: Session, shard: Shard) -> Iterator[StaticPage]:
    """The export's fast path for the sitemap (it lists every page: as long to build as fifty pages), so
    that it is built by a process rendering bulk pages rather than after them."""
    if shard.mine(shard.count - 1):  # the last process: the first one also has the pages left at the end
        yield StaticPage("/sitemap.xml", "", {}, body=sitemap_xml(sess, _base()).encode("utf-8"))


@public_urls
def site_file_urls(_sess: object) -> list[str]:
    return ["/robots.txt", "/sitemap.xml"]

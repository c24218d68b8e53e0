"""``/robots.txt`` and ``/sitemap.xml``, built from the registry of public pages."""

from __future__ import annotations

from urllib.parse import quote
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app

from portal.db import session
from portal.web.public_urls import all_public_urls, public_urls

bp = Blueprint("site_files", __name__)


def _base() -> str:
    return current_app.extensions["settings"].base_url.rstrip("/")


@bp.get("/robots.txt")
def robots() -> Response:
    body = (
        "User-agent: *\n"
        "Disallow: /admin/\n"
        "Disallow: /search\n"
        f"Sitemap: {_base()}/sitemap.xml\n"
    )
    return Response(body, mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    base = _base()
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in all_public_urls(session):
        if path.endswith("/"):  # pages; the sitemap and feeds list themselves elsewhere
            lines.append(f"<url><loc>{escape(base + quote(path))}</loc></url>")
    lines.append("</urlset>\n")
    return Response("\n".join(lines), mimetype="application/xml")


@public_urls
def site_file_urls(_sess: object) -> list[str]:
    return ["/robots.txt", "/sitemap.xml"]

"""Security headers on every response, and HTTP caching of public pages.

- Security: a Content-Security-Policy that allows no inline script or style (templates therefore carry no
  ``<script>``/``<style>`` blocks and no ``style=`` attributes), nosniff, a strict referrer policy,
  ``frame-ancestors 'none'``, and HSTS when ``settings.https``.
- Caching: a public page answered to an anonymous visitor gets an ETag, a Last-Modified (the last change of
  public content) and ``Cache-Control: public`` with a short shared lifetime suited to a CDN in front; a
  conditional request is answered with 304. Anything personal (a request with cookies, a response setting
  one) is ``private``; the staff area is ``no-store`` (also enforced by ``web.admin.access``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, session
from werkzeug.http import http_date

from portal.services import public_version
from portal.web import page_cache

PUBLIC_CACHE_CONTROL = "public, max-age=60, s-maxage=60, stale-while-revalidate=30"
STATIC_CACHE_CONTROL = "public, max-age=3600"


def private(body: str, status: int = 200) -> Response:
    """A page of a citizen's own data (receipt, status): never stored by a browser or a shared cache."""
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def content_security_policy(base_url: str) -> str:
    """The CSP shared by the app and the nginx config; forms may also post to the dynamic app's origin."""
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    form_action = " ".join(x for x in ("'self'", origin) if x)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; "
        f"form-action {form_action}; frame-ancestors 'none'"
    )


def security_headers(https: bool, base_url: str) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(base_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    }
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


# What werkzeug's make_conditional reads from a request: without any of them it only adds a Date header.
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_RANGE",
    "HTTP_IF_RANGE",
)


def _last_modified() -> str:
    seconds = public_version.of().changed_at() or current_app.extensions["started_at"]
    return _http_date(int(seconds))


@lru_cache(maxsize=16)
def _http_date(seconds: int) -> str:
    """Formatted once per change of public content, not per response."""
    return http_date(datetime.fromtimestamp(seconds, UTC))


def _make_conditional(response: Response) -> None:
    """``make_conditional``, short-cut for the usual request that asks nothing conditional: werkzeug
    would parse the Last-Modified just set back into a date to compare it with nothing (a twentieth of a
    cached page's CPU)."""
    environ = request.environ
    if any(name in environ for name in CONDITIONAL_HEADERS):
        response.make_conditional(request)
    elif "Date" not in response.headers:
        response.headers["Date"] = http_date()


def _apply(response: Response) -> Response:
    response.headers.update(current_app.extensions["security_headers"])
    if request.path.startswith("/admin/"):
        response.headers["Cache-Control"] = "no-store"
        return response
    if request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", STATIC_CACHE_CONTROL)
        return response
    if "Cache-Control" in response.headers:
        return response  # a view that chose its own policy keeps it
    page_cache.store(response)
    if request.method not in ("GET", "HEAD"):
        response.headers["Cache-Control"] = "no-store"
    elif "Cookie" in request.headers or "Set-Cookie" in response.headers or session.modified:
        response.headers["Cache-Control"] = "private, no-cache"
    elif response.status_code == 200:
        response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
        response.vary.add("Cookie")
        if response.is_sequence and not response.direct_passthrough:
            response.add_etag()
            response.headers["Last-Modified"] = _last_modified()
            _make_conditional(response)
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    import time

    settings = app.extensions["settings"]
    app.extensions["started_at"] = time.time()
    app.extensions["security_headers"] = security_headers(settings.https, settings.base_url)
    page_cache.init_app(app)
    app.after_request(_apply)

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
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, session

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


def _last_modified() -> datetime:
    seconds = public_version.of().changed_at() or current_app.extensions["started_at"]
    return datetime.fromtimestamp(int(seconds), UTC)


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
            response.last_modified = _last_modified()
            response.make_conditional(request)
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

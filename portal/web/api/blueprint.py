"""The API's blueprint and what every answer of it carries: an ETag (304 on a matching If-None-Match),
a public cache lifetime, and CORS headers on GET and HEAD only (any site may read public data; nothing else
is offered across origins)."""

from __future__ import annotations

from flask import Blueprint, Response, request

bp = Blueprint("api", __name__, url_prefix="/api/v1")

CACHE_CONTROL = "public, max-age=60, s-maxage=60, stale-while-revalidate=30"
READ_METHODS = ("GET", "HEAD")
EXPOSED = "ETag, Link, Last-Modified"


def cors_read_only(response: Response) -> Response:
    """CORS for reading: GET/HEAD answers, and the preflight a browser sends before a GET with
    If-None-Match. A preflight for any other method gets no CORS header, so browsers refuse it."""
    if request.method == "OPTIONS" and response.status_code == 200:
        # Flask's automatic OPTIONS answer is an empty text/html 200; an empty 204 says what it is.
        response.status_code = 204
        response.set_data(b"")
        response.headers.pop("Content-Type", None)
    if request.method in READ_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
    elif request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method") in READ_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def conditional(response: Response) -> Response:
    """ETag from the body and 304 on a match. Set here rather than by ``web.headers`` because the API never
    reads cookies: a visitor who also browses the site (and so sends a cookie) still gets 304s."""
    if request.method in READ_METHODS and response.status_code == 200 and not response.direct_passthrough:
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.add_etag()
        response.make_conditional(request)
    return response


@bp.after_request
def _after(response: Response) -> Response:
    return cors_read_only(conditional(response))

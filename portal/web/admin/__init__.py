"""The staff area under /admin/. Default-deny: see ``portal.web.admin.access``.

One blueprint per part: auth (sign-in), dashboard, documents and interpretations (editing and
workflow), gazette (assembling and publishing issues), manage (users, agencies, channels, audit log).
"""

from __future__ import annotations

from flask import Flask, g, request
from werkzeug.wrappers import Response


def _forget_cached_user() -> None:
    """Flask-Login caches the user on ``g``; when an app context outlives a request (tests, CLI
    helpers), that cache must not carry one request's user into the next."""
    g.pop("_login_user", None)


DOWNLOAD_ENDPOINTS = {
    "admin_documents.download_attachment",
    "policies.attachment",
    "admin_gazette.download_pdf",
    "gazette.pdf",
}


def _download_policy(response: Response) -> Response:
    """Uploaded files are served under the strictest policy (registered before the site-wide headers,
    so it runs after them and has the last word)."""
    if request.endpoint in DOWNLOAD_ENDPOINTS:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    from portal.web import feeds
    from portal.web.admin import auth, dashboard, documents, gazette, interpretations, manage

    # Runs before the access check, so an expired or idle session is treated as signed out.
    app.before_request_funcs.setdefault(None, []).insert(0, auth.check_session)
    app.before_request_funcs[None].insert(0, _forget_cached_user)
    for module in (auth, dashboard, documents, interpretations, gazette, manage):
        app.register_blueprint(module.bp)
    app.register_blueprint(feeds.bp)
    app.after_request(_download_policy)

"""App-wide CSRF protection on every form (Flask-WTF), and the session cookie's attributes; the rate
limiter is in ``portal.web.limits``.

Every POST, PUT, PATCH and DELETE anywhere on the site must carry the CSRF token: templates put
``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">`` (or ``{{ csrf_field() }}``) in
each form.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup

from portal.web.errors import render_error

csrf = CSRFProtect()
HTTPS_SESSION_COOKIE = "__Host-session"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signing serializer built once per set of keys rather than
    on every request (Flask opens the session of every request, cookie or not)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[str | bytes, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(keys)
        if found is None:
            found = super().get_signing_serializer(app)
            self._serializers = {keys: found}
        return found


def init_app(app: Flask) -> None:
    settings = app.extensions["settings"]
    if settings.https:
        # The __Host- prefix makes browsers accept the cookie only when Secure, with Path=/ and no Domain:
        # a sibling subdomain or a plain-HTTP response cannot plant or overwrite the staff session.
        app.config["SESSION_COOKIE_NAME"] = HTTPS_SESSION_COOKIE
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None
    app.session_interface = SessionInterface()
    # Tokens live as long as the session: a long form must not expire while being filled in.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("WTF_CSRF_SSL_STRICT", settings.https)
    csrf.init_app(app)
    app.jinja_env.globals["csrf_field"] = csrf_field

    @app.errorhandler(CSRFError)
    def _csrf_error(_exc: CSRFError) -> tuple[str, int]:
        return render_error(400, "页面已过期或表单来源无法验证，请刷新页面后重新提交。")


def csrf_field() -> Markup:
    """The hidden CSRF input every form must carry."""
    return Markup(f'<input type="hidden" name="csrf_token" value="{generate_csrf()}">')

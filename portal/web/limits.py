"""The one Flask-Limiter instance every area shares (comment forms, login, receipt lookups).

Limits are per client address. With ``PORTAL_REDIS_URL`` set they are counted in Redis, so they hold
across gunicorn workers; otherwise each worker counts in its own memory.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)

DISABLED = {"", "off", "none", "0", "false"}


def setting_limit(name: str) -> str:
    """The limit string held in the named setting, for ``@limiter.limit(lambda: setting_limit(...))``."""
    value = getattr(current_app.extensions["settings"], name)
    return "" if value.strip().lower() in DISABLED else value


def is_disabled(name: str) -> bool:
    return not setting_limit(name)


def init_app(app: Flask) -> None:
    settings = app.extensions["settings"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    # A limiter whose storage is down must not take the site down with it.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)

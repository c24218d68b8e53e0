"""The one Flask-Limiter instance every area shares, for coarse request limits per client address.

These are flood guards (requests per minute on a form's POST, on the receipt lookup, on sign-in). With
``PORTAL_REDIS_URL`` set they are counted in Redis and hold across workers; without it each worker counts
in its own memory. When Redis cannot be reached the limiter logs a warning and counts in memory until it
is back, rather than letting every request through.

The throttles that must hold exactly whatever the deployment (comments per sender) are not here: they are
counted from the database's own rows (:mod:`portal.services.throttles`).

Every 429, from here or from a throttle, carries ``Retry-After``.
"""

from __future__ import annotations

import logging
import math
import sys
import time

from flask import Flask, current_app
from flask_limiter import Limiter, RateLimitExceeded, RouteLimit
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from portal.web.errors import render_error

limiter = Limiter(
    key_func=get_remote_address, default_limits=[], headers_enabled=False, in_memory_fallback_enabled=True
)

DISABLED = {"", "off", "none", "0", "false"}
log = logging.getLogger("flask-limiter")


def setting_limit(name: str) -> str:
    """The limit string held in the named setting, for ``@limiter.limit(lambda: setting_limit(...))``."""
    value = getattr(current_app.extensions["settings"], name)
    return "" if value.strip().lower() in DISABLED else value


def is_disabled(name: str) -> bool:
    return not setting_limit(name)


def limit_by_setting(name: str) -> RouteLimit:
    """``@limit_by_setting("receipt_lookup_rate_limit")``: the limit the named setting holds, read per
    request; a setting turned off exempts the route."""
    return limiter.limit(
        lambda: setting_limit(name) or "1000000 per second", exempt_when=lambda: is_disabled(name)
    )


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets the next request through (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.window.reset_time - time.time()))


def wait_text(seconds: int) -> str:
    """约3分钟 / 约40秒: how long to wait, in Chinese."""
    if seconds < 60:
        return f"{seconds}秒"
    return f"{math.ceil(seconds / 60)}分钟"


def too_many(detail: str, seconds: int) -> Response:
    """The Chinese 429 page with ``Retry-After``."""
    body, status = render_error(429, detail)
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(seconds)
    return response


def _log_to_stderr() -> None:
    """Flask-Limiter logs "storage unreachable - falling back to in-memory storage" to a logger that has
    only a NullHandler: give it a real one, or the warning goes nowhere under gunicorn."""
    if not any(not isinstance(h, logging.NullHandler) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s %(message)s"))
        handler.setLevel(logging.WARNING)
        log.addHandler(handler)
    log.setLevel(logging.INFO)


def init_app(app: Flask) -> None:
    settings = app.extensions["settings"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    # Redis down: count in memory (the fallback above) and log it; an error inside the limiter itself
    # must still not take the site down with it.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    _log_to_stderr()
    limiter.init_app(app)
    # The extension object is shared by every app of the process (views are decorated at import): an app
    # starts with its own storage, not with "storage down" left over from another app (tests).
    limiter._storage_dead = False  # noqa: SLF001

    @app.errorhandler(RateLimitExceeded)
    def _too_many(_exc: RateLimitExceeded) -> Response:
        seconds = retry_after_seconds()
        return too_many(f"您的操作过于频繁，请于{wait_text(seconds)}后再试。", seconds)


APP_WIDE_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def drop_app_wide_check(app: Flask) -> None:
    """Called once every blueprint is registered. Every limit of this app is on its own route
    (:func:`limit_by_setting`), checked by that route's wrapper; the extension's ``before_request`` hook
    only looks for app-wide, default and blueprint limits, which this app does not set, and cost every
    uncached page about a twentieth of its CPU to find none. It stays if any such limit is set."""
    manager = limiter.limit_manager
    if (
        any(app.config.get(name) for name in APP_WIDE_SETTINGS)
        or manager.default_limits
        or manager.application_limits
        or any(manager.blueprint_limits(app, name) for name in app.blueprints)
    ):
        return
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if hook != limiter._check_request_limit]  # noqa: SLF001

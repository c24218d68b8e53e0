"""The client's address and scheme behind reverse proxies (``PORTAL_TRUSTED_PROXIES``).

Behind nginx every connection comes from 127.0.0.1: without this, one abuser's throttle or one
moderator's block would apply to every citizen at once. Only as many ``X-Forwarded-For`` entries as there
are trusted proxies are believed, counted from the right (the entries each proxy appended): a client
cannot pass itself off as someone else by sending the header itself. With 0 (the default, for the app
served directly) the headers are ignored altogether.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    trusted = app.extensions["settings"].trusted_proxies
    if trusted > 0:
        # Host is passed through unchanged by nginx (proxy_set_header Host $http_host), so only the
        # address and the scheme are taken from the proxy's headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)  # type: ignore[method-assign]

"""The web layer: one blueprint per area, the shared template helpers and the error pages."""

from __future__ import annotations

from flask import Flask

from portal.web import api, errors, gazette, public, search, templating
from portal.web.admin import access


def init_app(app: Flask) -> None:
    templating.init_app(app)
    errors.init_app(app)
    access.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(gazette.bp)
    app.register_blueprint(search.bp)

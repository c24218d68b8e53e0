"""The web layer: one blueprint per area, the shared template helpers and the error pages."""

from __future__ import annotations

from flask import Flask

from portal.web import errors, meetings, public, targets, templating
from portal.web.admin import access
from portal.web.admin import meetings as admin_meetings


def init_app(app: Flask) -> None:
    templating.init_app(app)
    errors.init_app(app)
    access.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(targets.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(admin_meetings.bp)

"""The web layer: one blueprint per area, the shared template helpers and the error pages."""

from __future__ import annotations

from flask import Flask

from portal.web import (
    admin,
    api,
    consultations,
    enquiries,
    errors,
    foi,
    gazette,
    headers,
    home,
    inputs,
    limits,
    meetings,
    policies,
    proxy,
    search,
    security,
    site_files,
    subscriptions,
    targets,
    templating,
    xxgk,
)
from portal.web.admin import access
from portal.web.admin import annual_reports as admin_annual_reports
from portal.web.admin import consultations as admin_consultations
from portal.web.admin import enquiries as admin_enquiries
from portal.web.admin import foi as admin_foi
from portal.web.admin import meetings as admin_meetings
from portal.web.admin import xxgk as admin_xxgk


def init_app(app: Flask) -> None:
    inputs.init_app(app)  # first: the bounded int converter must be in place before any route is added
    proxy.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    access.init_app(app)  # before CSRF: an anonymous POST to /admin/ is sent to sign in, not told off
    security.init_app(app)
    limits.init_app(app)
    admin.init_app(app)
    headers.init_app(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(policies.bp)
    api.init_app(app)
    app.register_blueprint(gazette.bp)
    app.register_blueprint(consultations.bp)
    app.register_blueprint(admin_consultations.bp)
    app.register_blueprint(targets.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(admin_meetings.bp)
    app.register_blueprint(foi.bp)
    app.register_blueprint(enquiries.bp)
    app.register_blueprint(admin_enquiries.bp)
    app.register_blueprint(admin_foi.bp)
    app.register_blueprint(admin_annual_reports.bp)
    app.register_blueprint(xxgk.bp)
    app.register_blueprint(admin_xxgk.bp)
    app.register_blueprint(site_files.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(subscriptions.bp)
    limits.drop_app_wide_check(app)  # last: it looks at every blueprint

"""Read-only open-data API (``/api/v1/``), its OpenAPI 3.1 description and reference page, and the bulk
downloads (``/data/``). What the public pages show, as data: the same services, the same rules."""

from __future__ import annotations

from flask import Flask

from portal.web.api import bulk, routes  # noqa: F401  (the routes register on the blueprints)
from portal.web.api.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions.setdefault("error_handlers_by_prefix", {})["/api/v1/"] = routes.json_error
    app.register_blueprint(bulk.bp)

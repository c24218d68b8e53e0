"""The application factory: it only wires the subsystems together, in a short list of named steps."""

from __future__ import annotations

from typing import Any

from flask import Flask

from portal import db
from portal.config import PROJECT_ROOT, load_settings


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    settings = load_settings(overrides)
    app = Flask(
        "portal",
        instance_path=str(settings.instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.extensions["settings"] = settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=settings.upload_max_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        JSON_AS_ASCII=False,
    )
    db.init_app(app)
    _init_public_version(app)
    _init_search(app)
    _init_web(app)
    return app


def _init_public_version(app: Flask) -> None:
    from portal.services import public_version

    public_version.init_app(app)


def _init_search(app: Flask) -> None:
    from portal import search
    from portal.services.search_types import register_builtin_types

    register_builtin_types()
    search.init_app(app)


def _init_web(app: Flask) -> None:
    from portal.web import init_app

    init_app(app)

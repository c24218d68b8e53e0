"""The ``portal`` command: serve, load, import, migrate and the other staff tools.

Areas add their own commands with ``@main.command()`` in a module of this package listed in
``COMMAND_MODULES``. Messages are in English; the exit status is non-zero whenever anything was refused.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy import func, select

from portal import db


def make_app(overrides: dict[str, Any] | None = None, *, migrate: bool = True) -> Flask:
    """The app for a command. Its database is migrated first, as ``portal serve`` does, so that a command
    run on a fresh instance works instead of failing on missing tables."""
    from portal.app import create_app

    app = create_app(overrides or None)
    if migrate:
        ensure_schema(app.extensions["settings"].sqlalchemy_url)
    return app


def ensure_schema(url: str) -> None:
    """Upgrade a database that is empty or under Alembic to the newest schema.

    A schema created without Alembic (``metadata.create_all``, as the tests do) is left as it is: there is
    no version to upgrade from."""
    from sqlalchemy import create_engine, inspect

    from portal.migrations import upgrade

    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    if not tables or "alembic_version" in tables:
        upgrade(url)


@click.group()
def main() -> None:
    """District open-government portal (政务公开平台)."""


@main.command()
def migrate() -> None:
    """Create or upgrade the database schema to the newest migration."""
    app = make_app(migrate=False)
    from portal.migrations import upgrade

    upgrade(app.extensions["settings"].sqlalchemy_url)
    click.echo("database is up to date")


def _load(app: Flask, directory: Path) -> bool:
    from portal.services.loader import load_content

    with app.app_context():
        report = load_content(db.session, directory)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(f"loaded {directory}: {report.summary()}")
    return report.ok


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def load(directory: Path | None) -> None:
    """Load content (default: the content/ folder) as an idempotent upsert keyed by slug."""
    app = make_app()
    directory = directory or app.extensions["settings"].content_dir
    if not _load(app, directory):
        sys.exit(1)


def first_run(app: Flask) -> None:
    """Migrate, and load the demo content into a database that has none yet."""
    from portal.migrations import upgrade
    from portal.models import Agency

    settings = app.extensions["settings"]
    upgrade(settings.sqlalchemy_url)
    with app.app_context():
        empty = not db.session.scalar(select(func.count(Agency.id)))
    if empty and settings.content_dir.is_dir():
        _load(app, settings.content_dir)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn sync workers")
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader")
def serve(host: str, port: int, workers: int, dev: bool) -> None:
    """Migrate, load the demo content on first run, then serve."""
    from portal.config import local_base_url

    # Feeds, the sitemap, robots.txt and SiteDomain name the address served here unless the deployment
    # says otherwise; the environment reaches gunicorn's workers too.
    if not os.environ.get("PORTAL_BASE_URL"):
        os.environ["PORTAL_BASE_URL"] = local_base_url(host, port)
    app = make_app(migrate=False)
    first_run(app)
    if dev:
        app.run(host=host, port=port, debug=True, use_reloader=True)
        return
    from portal.serving import run_gunicorn

    click.echo(f"serving on http://{host}:{port}/")
    run_gunicorn(host=host, port=port, workers=workers)


COMMAND_MODULES: list[str] = [
    "portal.cli.admin",
    "portal.cli.data",
    "portal.cli.watchdog",
    "portal.cli.freeze",
    "portal.cli.import_",
    "portal.cli.push",
    "portal.cli.report",
    "portal.cli.search",
    "portal.cli.subscriptions",
]


def _register_area_commands() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)


_register_area_commands()

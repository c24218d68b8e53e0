"""``portal freeze --out DIR``: the static export of the public site."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from portal.cli import main, make_app


@main.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="directory to write (created if missing; a previous export there is updated in place)",
)
@click.option(
    "--base-url", default="", help="URL of the dynamic app for forms and search (default: PORTAL_BASE_URL)"
)
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=None,
    help="processes rendering the bulk pages (default: one per idle core)",
)
def freeze(out: Path, base_url: str, processes: int | None) -> None:
    """Write every public page, feed, sitemap.xml and robots.txt as static files."""
    from portal.export import freeze as run_freeze

    overrides: dict[str, Any] = {"page_cache_seconds": 0}
    if base_url:
        overrides["base_url"] = base_url
    app = make_app(overrides)
    report = run_freeze(app, out, processes=processes)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    for link in report.broken_links:
        click.echo(f"broken link: {link}", err=True)
    click.echo(f"froze {out}: {report.summary()}")
    if not report.ok:
        sys.exit(1)

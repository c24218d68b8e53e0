"""``portal data --build``: build the open-data bulk files (``/data/``) of the current content now.

The app rebuilds them in the background after a change and serves the previous build meanwhile; running
this after loading content (at deploy, or from cron after a batch of publications) means no visitor ever
sees an old build, and an instance never builds its first one while a request waits.
"""

from __future__ import annotations

import click

from portal.cli import main, make_app


@main.command("data")
@click.option("--build", is_flag=True, help="Build the bulk files of the current content (if not built yet).")
def data_command(build: bool) -> None:
    """Open-data bulk files (/data/)."""
    from portal.web.api import bulk

    if not build:
        raise click.UsageError("give --build")
    app = make_app()
    with app.app_context():
        done = bulk.build_current(app)
    rows = sum(f.rows for f in done.files if f.fmt == "jsonl")
    click.echo(
        f"bulk files of the current content: {len(done.files)} files, {rows} rows, built {done.built_at:%Y-%m-%d %H:%M:%S} UTC in {done.folder}"
    )

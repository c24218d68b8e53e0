"""``portal index``: rebuild the search index from the database, or report drift between them."""

from __future__ import annotations

import sys

import click

from portal.cli import main, make_app


@main.command("index")
@click.option(
    "--rebuild", is_flag=True, help="Build a fresh index from the database and swap it in atomically."
)
@click.option(
    "--check",
    "check_",
    is_flag=True,
    help="Apply index work left in the outbox, then report items missing from, extra in or stale in the index.",
)
def index_command(rebuild: bool, check_: bool) -> None:
    """Maintain the search index (Whoosh folder or PostgreSQL table, per PORTAL_SEARCH_BACKEND)."""
    from portal import search

    if not rebuild and not check_:
        raise click.UsageError("give --rebuild or --check")
    app = make_app()
    backend = search.get_backend(app)
    if rebuild:
        try:
            stats = search.rebuild(app)
        except RuntimeError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        rate = stats.documents / stats.seconds if stats.seconds else 0
        click.echo(
            f"rebuilt the {backend.name} index: {stats.documents} items in {stats.seconds:.1f} s "
            f"({rate:.0f} items/s), {stats.size_bytes / 1e6:.1f} MB"
        )
    if check_:
        drift = search.check(app)
        if drift.applied:
            click.echo(f"applied {drift.applied} index update(s) left in the outbox (an interrupted process)")
        for label, keys in (("missing", drift.missing), ("extra", drift.extra), ("stale", drift.stale)):
            for key in keys:
                click.echo(f"{label}: {key}")
        if drift.ok:
            click.echo(f"the {backend.name} index matches the database ({drift.indexed} items)")
        else:
            click.echo(
                f"drift: {len(drift.missing)} missing, {len(drift.extra)} extra, {len(drift.stale)} stale; "
                "run `portal index --rebuild`",
                err=True,
            )
            sys.exit(1)

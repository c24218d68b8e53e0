"""``portal watchdog``: the deadlines that need someone today (FOI requests, enquiries), printed or e-mailed."""

from __future__ import annotations

import sys

import click

from portal import db
from portal.cli import main, make_app


@main.command("watchdog")
@click.option("--send", is_flag=True, help="e-mail each member of staff their digest")
def watchdog_command(send: bool) -> None:
    """FOI requests and enquiries overdue or due soon, zombie messages, lapsed pauses, a stale reply board.

    Run it daily from cron with --send; without it the digests are printed."""
    from portal.services import watchdog

    app = make_app()
    with app.app_context():
        settings = app.extensions["settings"]
        if not send:
            for digest in watchdog.digests(db.session, settings.base_url):
                click.echo(f"To: {digest.user.email}\nSubject: {digest.subject}\n\n{digest.body}\n")
            return
        sent, errors = watchdog.send(db.session, settings)
    click.echo(f"sent {sent} digest(s)")
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if errors:
        sys.exit(1)

"""``portal foi-watchdog``: the FOI deadlines that need someone today, printed or e-mailed."""

from __future__ import annotations

import sys

import click

from portal import db
from portal.cli import main, make_app


@main.command("foi-watchdog")
@click.option("--send", is_flag=True, help="e-mail each FOI officer and head their agency's digest")
def foi_watchdog(send: bool) -> None:
    """Requests overdue, due within 5 working days, unconfirmed or past a correction/payment deadline.

    Run it daily from cron with --send; without it the digests are printed."""
    from portal.services.foi import watchdog

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

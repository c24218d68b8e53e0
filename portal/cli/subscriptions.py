"""``portal subscriptions digest --period daily|weekly``: send the digest of each digest subscription.

Run ``--period daily`` from cron every morning and ``--period weekly`` on Mondays. Each digest holds what
matched since that subscription's last digest, so a missed or repeated run loses and repeats nothing. The
daily run also purges what is no longer needed: confirmation requests nobody followed, throttle rows, old
events. Immediate messages and retries are sent by ``portal push --run``.
"""

from __future__ import annotations

import click

from portal import db
from portal.cli import main, make_app


@main.group("subscriptions")
def subscriptions_group() -> None:
    """E-mail subscriptions: digests and housekeeping."""


@subscriptions_group.command("digest")
@click.option("--period", type=click.Choice(["daily", "weekly"]), required=True)
def digest_command(period: str) -> None:
    """Queue and send one digest per subscription of PERIOD that has news."""
    from portal.services.subscriptions import delivery

    app = make_app()
    with app.app_context():
        count = delivery.digest(db.current_session(), app.extensions["settings"], period)
    click.echo(f"{period} digests: {count}")

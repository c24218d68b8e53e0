"""``portal push --run``: attempt every push that is due (new ones and retries with back-off).

Run it from cron or a systemd timer every minute, or keep it running with ``--loop SECONDS``. The first
attempt of a push is also made right after the publishing transaction commits, so the worker mostly
handles retries; several workers may run at once on PostgreSQL (rows are claimed with SKIP LOCKED).

The same run delivers the subscription e-mail (:mod:`portal.services.subscriptions.delivery`): it matches
change events the after-commit step left unmatched, then sends queued messages and retries failed ones.
"""

from __future__ import annotations

import sys
import time

import click

from portal import db
from portal.cli import main, make_app


@main.command("push")
@click.option("--run", "run_due", is_flag=True, help="attempt every push that is due, then exit")
@click.option(
    "--loop", type=float, default=None, metavar="SECONDS", help="keep running, checking every SECONDS"
)
@click.option(
    "--status", "show_status", is_flag=True, help="print how many pushes are pending, failed, delivered"
)
def push_command(run_due: bool, loop: float | None, show_status: bool) -> None:
    """Deliver pending and failed pushes to the configured channels."""
    from sqlalchemy import func, select

    from portal.models import Push, SubscriptionMessage
    from portal.services import push
    from portal.services.subscriptions import delivery

    if not (run_due or loop or show_status):
        click.echo("error: give --run, --loop SECONDS or --status", err=True)
        sys.exit(2)
    if loop is not None and loop <= 0:
        click.echo("error: --loop needs a positive number of seconds", err=True)
        sys.exit(2)
    app = make_app()
    settings = app.extensions["settings"]
    with app.app_context():
        if show_status:
            counts = dict(db.session.execute(select(Push.status, func.count()).group_by(Push.status)).all())
            click.echo(", ".join(f"{k}: {counts.get(k, 0)}" for k in ("pending", "failed", "delivered")))
            mails = dict(
                db.session.execute(
                    select(SubscriptionMessage.status, func.count()).group_by(SubscriptionMessage.status)
                ).all()
            )
            states = ("queued", "sent", "bounced", "failed")
            click.echo("subscription mail: " + ", ".join(f"{k}: {mails.get(k, 0)}" for k in states))
        if not (run_due or loop):
            return
        failures = 0
        while True:
            delivered, failed = push.run_due(db.current_session(), settings)
            failures += failed
            if delivered or failed:
                click.echo(f"delivered {delivered}, failed {failed}")
            sent, not_sent = delivery.run_due(db.current_session(), settings)
            if sent or not_sent:
                click.echo(f"subscription mail: sent {sent}, not sent {not_sent}")
            if loop is None:
                break
            db.remove_session()
            time.sleep(loop)
    if failures:
        sys.exit(1)

"""``portal create-admin NAME``: the first admin account, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from portal import db
from portal.cli import main, make_app


@main.command("create-admin")
@click.argument("name")
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="read the password from the first line of this file instead of prompting",
)
def create_admin(name: str, password_file: Path | None) -> None:
    """Create an admin account NAME. The TOTP second factor is enrolled at its first sign-in."""
    from portal.services import accounts

    if password_file is not None:
        lines = password_file.read_text("utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = make_app()
    with app.app_context():
        try:
            user = accounts.create_admin(db.session, name, password)
        except accounts.AccountError as exc:
            db.session.rollback()
            click.echo(f"error: {exc.english}", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(
            f"created admin {user.username!r} (id {user.id}); a TOTP authenticator is bound at first sign-in"
        )

"""``portal create-admin``: the first admin, from the command line."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from portal.cli import main
from portal.models import AuditEntry, User


def _env(app, monkeypatch):  # noqa: ANN001, ANN202
    settings = app.extensions["settings"]
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.sqlalchemy_url)


def test_create_admin_from_password_file_then_refuse_duplicate_and_weak(app, sess, tmp_path, monkeypatch):
    _env(app, monkeypatch)
    secret = tmp_path / "pw"
    secret.write_text("a long enough password\n")
    runner = CliRunner()
    result = runner.invoke(main, ["create-admin", "root", "--password-file", str(secret)])
    assert result.exit_code == 0, result.output
    sess.expire_all()
    user = sess.scalars(select(User).where(User.username == "root")).one()
    assert user.roles == ["admin"] and user.password_hash.startswith("$argon2id$")
    assert (
        sess.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one().actor_name == "cli"
    )

    again = runner.invoke(main, ["create-admin", "root", "--password-file", str(secret)])
    assert again.exit_code == 1 and "taken" in again.output
    secret.write_text("short\n")
    weak = runner.invoke(main, ["create-admin", "other", "--password-file", str(secret)])
    assert weak.exit_code == 1 and "at least 8 characters" in weak.output


def test_create_admin_prompts_for_the_password(app, sess, monkeypatch):
    _env(app, monkeypatch)
    result = CliRunner().invoke(
        main, ["create-admin", "root"], input="a long enough password\na long enough password\n"
    )
    assert result.exit_code == 0, result.output
    sess.expire_all()
    assert sess.scalars(select(User).where(User.username == "root")).one()

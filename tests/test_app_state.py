"""State belongs to the app: two apps in one process share no session, no cache stamp."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

import portal.models  # noqa: F401  (every table on Base.metadata)
from portal import db
from portal.app import create_app
from portal.db import Base
from portal.models import Agency
from portal.services import public_version


def _app(tmp: Path, name: str) -> Flask:
    app = create_app(
        {
            "instance_path": tmp / name,
            "search_index": tmp / f"{name}-index",
            "database_url": f"sqlite:///{tmp / name}.sqlite3",
            "secret_key": "test-secret",
            "testing": True,
        }
    )
    Base.metadata.create_all(app.extensions["engine"])
    return app


def test_two_apps_keep_their_own_session_and_public_stamp(tmp_path: Path):
    first, second = _app(tmp_path, "first"), _app(tmp_path, "second")
    with second.app_context():
        second_stamp = public_version.current()
    with first.app_context():
        db.session.add(Agency(slug="fgw", name="区发展改革委", kind="department"))
        db.session.commit()
        assert db.session.get_bind() is first.extensions["engine"]
        assert public_version.current() != ""  # the commit changed what the first app's public sees
        first_stamp = public_version.current()
    with second.app_context():
        assert db.session.get_bind() is second.extensions["engine"]
        assert db.session.query(Agency).count() == 0
        assert public_version.current() == second_stamp  # untouched by the other app's commit
    with first.app_context():
        assert public_version.current() == first_stamp
    for app in (first, second):
        app.extensions["engine"].dispose()

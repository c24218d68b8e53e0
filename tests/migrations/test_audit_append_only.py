"""The audit log is append-only in the database: UPDATE and DELETE through SQL are refused on both
backends, whether the schema came from create_all (the tests) or from the Alembic migrations."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DatabaseError

from portal.db import make_engine
from portal.migrations import upgrade
from portal.models import AuditEntry
from portal.services.audit import record
from tests.migrations.test_schema import empty_database_url  # noqa: F401  (fixture)


def _refused(conn, statement: str) -> None:  # noqa: ANN001
    with pytest.raises(DatabaseError, match="append-only"), conn.begin_nested():
        conn.execute(text(statement))


def test_audit_rows_cannot_be_updated_or_deleted(app, sess):
    record(sess, "cli", "document.publish", None, note="published")
    sess.commit()
    with app.extensions["engine"].connect() as conn, conn.begin():
        _refused(conn, "UPDATE audit_entry SET actor_name = 'someone else'")
        _refused(conn, "DELETE FROM audit_entry")
        assert conn.execute(text("SELECT actor_name, note FROM audit_entry")).all() == [("cli", "published")]
        conn.execute(
            insert(AuditEntry).values(actor_name="cli", action="x", object_type="y")
        )  # appending works


def test_migrated_database_refuses_them_too(empty_database_url):  # noqa: F811
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(insert(AuditEntry).values(actor_name="cli", action="x", object_type="y"))
            _refused(conn, "UPDATE audit_entry SET note = 'changed'")
            _refused(conn, "DELETE FROM audit_entry WHERE id = 1")
            assert conn.execute(text("SELECT count(*) FROM audit_entry")).scalar() == 1
    finally:
        engine.dispose()

"""The migrated database has what the throttles call: on PostgreSQL the lock-then-read function that
``create_all`` installs for the tests (portal/models/throttle_functions.py) comes from revision 0003."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from portal.db import make_engine
from portal.migrations import upgrade
from portal.models import Comment
from portal.services import throttles
from tests.migrations.test_schema import empty_database_url  # noqa: F401  (fixture)


def test_a_migrated_database_counts_under_the_senders_lock(empty_database_url):  # noqa: F811
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    counter = throttles.Counter(
        Comment.received_at, Comment.sender_hash, throttles.parse_windows("3 per minute")
    )
    try:
        with Session(engine) as sess:
            assert counter.counts(sess, "sender", datetime.now(UTC), lock=True) == [0]
            sess.rollback()
    finally:
        engine.dispose()

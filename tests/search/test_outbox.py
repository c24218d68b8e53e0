"""Index work is recorded in the transaction of the change (the outbox), so a crash between the commit and
the index update heals by itself: at the next start-up, drain or ``portal index --check``. Issue 11: 6 of 22
``kill -9`` during a publish had left a published document out of the index until a manual rebuild."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, text

from portal import search
from portal.app import create_app
from portal.models import Document, SearchOutbox
from portal.search import outbox
from portal.search.base import SearchRequest
from portal.search.text import parse_query
from tests.search.conftest import CONTENT

ROOT = Path(__file__).resolve().parents[2]
NEW_DOC = """---
title: 西城区关于断电后仍可检索的测试通知
agency: xicheng-gov
published_on: 2020-06-01
---
本通知用于验证发布后进程被强行终止时站内搜索能够自行恢复。
"""


def total(app, query: str) -> int:  # noqa: ANN001
    return search.get_backend(app).search(SearchRequest(parse_query(query))).total


def outbox_rows(sess) -> int:  # noqa: ANN001
    sess.rollback()  # a fresh snapshot: other processes wrote
    return sess.scalar(select(func.count(SearchOutbox.id)))


def portal_env(app, database) -> dict[str, str]:  # noqa: ANN001
    settings = app.extensions["settings"]
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORTAL_DATABASE_URL": database.url,
        "PORTAL_SEARCH_BACKEND": settings.search_backend,
        "PORTAL_SEARCH_INDEX": str(settings.search_index),
        "PORTAL_INSTANCE_PATH": str(settings.instance_path),
        "PORTAL_SECRET_KEY": "test-secret",
    }


def portal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "portal", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_publish_killed_between_commit_and_index_update_heals_at_restart(
    app, sess, corpus, database, tmp_path
):
    content = tmp_path / "more"
    (content / "policies").mkdir(parents=True)
    shutil.copy(CONTENT / "agencies.yml", content / "agencies.yml")
    (content / "policies" / "after-crash.md").write_text(NEW_DOC, "utf-8")
    env = portal_env(app, database)

    # A real process publishes and is killed (SIGKILL, as kill -9) right after its commit.
    crashed = portal({**env, outbox.KILL_ENV: "1"}, "load", str(content))
    assert crashed.returncode == -signal.SIGKILL, crashed.stdout + crashed.stderr
    sess.rollback()
    assert sess.scalar(select(Document.id).where(Document.slug == "after-crash")) is not None  # committed
    assert total(app, "断电后仍可检索") == 0  # ... and not indexed: the crash came first
    assert outbox_rows(sess) == 1  # but the work is owed, durably

    # Restart: the staff check drains the outbox at start-up and finds nothing else wrong.
    checked = portal(env, "index", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "matches the database (8 items)" in checked.stdout
    assert total(app, "断电后仍可检索") == 1
    assert outbox_rows(sess) == 0


def test_work_left_in_the_outbox_is_applied_when_an_app_starts(app, sess, corpus, app_overrides, database):
    sess.execute(text("UPDATE document SET title = '重启时补上的标题' WHERE slug = 'work-rules'"))
    sess.commit()
    doc_id = sess.scalar(select(Document.id).where(Document.slug == "work-rules"))
    outbox.add(app, [f"document:{doc_id}"])  # as a crashed process leaves it: committed, never applied
    assert total(app, "重启时补上的标题") == 0
    restarted = create_app({**app_overrides, "database_url": database.url})
    try:
        assert total(restarted, "重启时补上的标题") == 1
        assert outbox_rows(sess) == 0
    finally:
        restarted.extensions["engine"].dispose()


def test_periodic_drain_heals_a_running_worker(app, sess, corpus, client, monkeypatch):
    sess.execute(text("UPDATE document SET title = '定期补上的标题' WHERE slug = 'work-rules'"))
    sess.commit()
    doc_id = sess.scalar(select(Document.id).where(Document.slug == "work-rules"))
    outbox.add(app, [f"document:{doc_id}"])
    monkeypatch.setattr(outbox, "PERIODIC_SECONDS", 0.0)
    app.extensions.pop("search_outbox_due", None)
    client.get("/")  # any request: the worker looks at the outbox now and then
    client.get("/")
    assert total(app, "定期补上的标题") == 1


def test_outbox_rows_commit_with_the_change_and_vanish_with_its_rollback(app, sess, corpus):
    doc = sess.scalar(select(Document).where(Document.slug == "work-rules"))
    doc.title = "回滚了的标题"
    search.refresh_after_commit(sess, doc)
    sess.rollback()
    assert outbox_rows(sess) == 0
    assert total(app, "回滚了的标题") == 0

    doc = sess.scalar(select(Document).where(Document.slug == "work-rules"))
    doc.title = "提交了的标题"
    search.refresh_after_commit(sess, doc)
    sess.commit()  # written and applied after the commit, then the row is gone
    assert total(app, "提交了的标题") == 1
    assert outbox_rows(sess) == 0
    assert search.check(app).ok

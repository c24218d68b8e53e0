"""The index is derived data: rebuild swaps atomically, check reports drift, one writer at a time."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.orm import Session

from portal import search
from portal.cli import main
from portal.search import outbox
from portal.search.base import SearchRequest
from portal.search.text import parse_query


def total(app, query: str) -> int:
    return search.get_backend(app).search(SearchRequest(parse_query(query))).total


@pytest.fixture
def cli_env(app, database, monkeypatch):  # noqa: ANN001, ANN201
    """`portal ...` as staff run it, configured by the environment like the test app."""
    settings = app.extensions["settings"]
    monkeypatch.setenv("PORTAL_DATABASE_URL", database.url)
    monkeypatch.setenv("PORTAL_SEARCH_BACKEND", settings.search_backend)
    monkeypatch.setenv("PORTAL_SEARCH_INDEX", str(settings.search_index))
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "test-secret")
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_check_reports_drift_and_rebuild_repairs_it(app, sess, corpus, cli_env):
    ok = cli_env("index", "--check")
    assert ok.exit_code == 0, ok.output
    assert "matches the database (7 items)" in ok.output
    # Drift of all three kinds: a row changed behind the index's back, an item dropped, an item left over.
    sess.execute(text("UPDATE document SET title = '改过的标题' WHERE slug = 'work-rules'"))
    sess.execute(text("UPDATE interpretation SET status = 'withdrawn'"))
    sess.commit()
    search.get_backend(app).update([], ["gazette:1"])
    drifted = cli_env("index", "--check")
    assert drifted.exit_code == 1
    assert "stale: document:" in drifted.output and "extra: interpretation:1" in drifted.output
    assert "missing: gazette:1" in drifted.output
    rebuilt = cli_env("index", "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt the" in rebuilt.output and "6 items" in rebuilt.output
    assert cli_env("index", "--check").exit_code == 0
    assert total(app, "改过的标题") == 1


def test_interrupted_rebuild_leaves_the_previous_index_serving(app, sess, corpus):
    before = total(app, "政务公开")
    assert before

    def failing_docs():  # noqa: ANN202
        with Session(app.extensions["engine"]) as s:
            for n, doc in enumerate(search.all_docs(s)):
                if n == 3:
                    raise KeyboardInterrupt  # the operator pressed Ctrl-C half way
                yield doc

    with pytest.raises(KeyboardInterrupt):
        search.get_backend(app).rebuild(failing_docs())
    assert total(app, "政务公开") == before
    assert search.check(app).ok


def test_updates_wait_for_a_rebuild_and_are_never_lost(app, sess, corpus, monkeypatch):
    backend = search.get_backend(app)
    monkeypatch.setattr(outbox, "LOCK_WAIT", 0.1)
    sess.execute(text("UPDATE document SET title = '新标题甲' WHERE slug = 'burden-2019'"))
    sess.commit()
    doc_id = sess.execute(text("SELECT id FROM document WHERE slug = 'burden-2019'")).scalar()
    key = f"document:{doc_id}"
    with backend.writer_lock(timeout=1) as locked:  # a rebuild in another process holds the lock
        assert locked
        assert search.refresh(app, [key]) is False  # left in the outbox, not written, not lost
    assert total(app, "新标题甲") == 0
    search.rebuild(app)
    assert total(app, "新标题甲") == 1
    assert not outbox.waiting(app)
    assert search.check(app).ok


def test_the_default_postings_cache_grows_with_the_index():
    """A fixed 256 MB held a fifth of what searches read at 50,000 documents (p95 236 ms)."""
    from portal.search.whoosh_backend import MB, auto_cache_bytes

    memory = 23 * 1024 * MB
    assert auto_cache_bytes(37 * MB, memory) == 256 * MB  # a small site: the old default
    assert auto_cache_bytes(334 * MB, memory) == 668 * MB  # 10,000 documents
    assert auto_cache_bytes(1660 * MB, memory) == memory // 8  # 50,000: capped by the machine

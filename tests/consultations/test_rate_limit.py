"""Limits on the comment form.

- Comments per sender (PORTAL_COMMENT_RATE_LIMIT) are counted from the comment rows, so they hold across
  workers and processes with no extra service; the 429 shows the form again with the text and when to
  retry, and sends Retry-After.
- The client address is the connection's unless PORTAL_TRUSTED_PROXIES says how many proxies to believe.
- The coarse request limit (Flask-Limiter, PORTAL_FORM_REQUEST_LIMIT) falls back to memory, with a
  warning, when Redis is down.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from portal.app import create_app
from portal.db import make_engine
from portal.models import BlockedSender, Comment, Consultation
from portal.services import consultations as service
from portal.services import throttles
from tests.consultations.helpers import comment_form, make_consultation

POST = "/consultations/parking/comments"


@pytest.fixture
def app_overrides(app_overrides, request):  # noqa: ANN001, ANN201
    app_overrides["comment_rate_limit"] = "3 per minute"
    app_overrides.update(getattr(request, "param", {}))
    return app_overrides


def _count(sess) -> int:  # noqa: ANN001
    sess.expire_all()
    return sess.scalar(select(func.count(Comment.id)))


def _post(client, address: str = "198.51.100.7", **headers: str):  # noqa: ANN001, ANN202
    return client.post(
        POST, data=comment_form(client), environ_base={"REMOTE_ADDR": address}, headers=headers
    )


def test_fourth_comment_in_a_minute_gets_429_with_the_text_kept_and_when_to_retry(client, sess):
    make_consultation(sess)
    assert [_post(client).status_code for _ in range(3)] == [303, 303, 303]
    typed = "第四条意见：建议公布每条街巷的车位数量。" * 3
    refused = client.post(
        POST, data=comment_form(client, body=typed, name="赵六"), environ_base={"REMOTE_ADDR": "198.51.100.7"}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "您提交意见过于频繁" in html and "北京时间" in html and "以后）再提交" in html
    assert typed in html and 'value="赵六"' in html  # the form again, as typed
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert _count(sess) == 3


def test_throttle_counts_comments_written_by_other_processes(client, sess, database):
    """Another gunicorn worker or another server writes through its own connection: the count is the
    rows', so what it stored counts here too (a per-process counter would not see it)."""
    c = make_consultation(sess)
    assert [_post(client).status_code for _ in range(2)] == [303, 303]
    engine = make_engine(database.url)
    with Session(bind=engine) as elsewhere:
        stored, _new = service.submit_comment(
            elsewhere,
            elsewhere.get(Consultation, c.id),
            service.CommentInput(body="另一进程收到的意见", idempotency_key="elsewhere-" + "k" * 20),
            sender=service.sender_hash("test-secret", "198.51.100.7"),
            throttle=throttles.parse_windows("3 per minute"),
        )
    engine.dispose()
    assert _post(client).status_code == 429 and _count(sess) == 3


def _wait_until_waiting_for_a_lock(database, thread: threading.Thread) -> None:  # noqa: ANN001
    """PostgreSQL: until another transaction waits for an advisory lock. SQLite has no such lock (a second
    writer waits for the database's write lock at its insert), so there is nothing to wait for."""
    if not database.url.startswith("postgresql"):
        return
    deadline = time.monotonic() + 60
    with database.engine.connect() as watch:
        query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        while not watch.execute(query).scalar():
            assert thread.is_alive() and time.monotonic() < deadline, "the second count never waited"
            thread.join(0.01)
            watch.rollback()


def test_two_transactions_of_one_sender_cannot_both_slip_under_the_limit(sess, database):
    """The second count waits for the first transaction's lock and then sees its committed row, although
    its own row was inserted before the first committed: a count in the same statement as the lock would
    have taken its snapshot before the wait and missed it."""
    consultation_id = make_consultation(sess).id
    sender, now = "race" * 8, datetime.now(UTC)
    counter = throttles.Counter(Comment.received_at, Comment.sender_hash, [throttles.Window(1, 60)])
    engine = make_engine(database.url)

    def insert(s: Session, n: int) -> None:
        s.add(
            Comment(
                consultation_id=consultation_id,
                body=f"并发意见{n}",
                receipt_code=f"RACE{n:06d}",
                idempotency_key=f"race-{n}-" + "k" * 20,
                sender_hash=sender,
                received_at=now,
            )
        )
        s.flush()

    seen: dict[str, list[int]] = {}

    def second_request() -> None:
        with Session(engine) as second:
            insert(second, 2)
            seen["second"] = counter.counts(second, sender, now, lock=True)
            second.rollback()

    with Session(engine) as first:
        insert(first, 1)
        assert counter.counts(first, sender, now, lock=True) == [1]
        racing = threading.Thread(target=second_request)
        racing.start()
        _wait_until_waiting_for_a_lock(database, racing)
        first.commit()
    racing.join(60)
    engine.dispose()
    assert seen["second"] == [2]  # the first's row and its own: over the limit of 1, refused


def test_concurrent_submissions_of_one_sender_over_the_limit_admit_exactly_the_limit(sess, database):
    """Eight requests of one sender at once, each in its own connection, against a limit of three: three
    are stored and five refused with 429, whatever the interleaving (PostgreSQL: the sender's lock and the
    read in one function call; SQLite: the database's write lock)."""
    consultation_id = make_consultation(sess).id
    sender, limit, requests = service.sender_hash("test-secret", "198.51.100.77"), 3, 8
    engine = make_engine(database.url)
    start = threading.Barrier(requests)
    outcomes: list[int] = []

    def submit(n: int) -> None:
        with Session(engine) as own:
            data = service.CommentInput(body=f"并发意见{n}", idempotency_key=f"burst-{n}-" + "k" * 20)
            start.wait(30)
            try:
                service.submit_comment(
                    own,
                    own.get(Consultation, consultation_id),
                    data,
                    sender=sender,
                    throttle=throttles.parse_windows(f"{limit} per minute"),
                )
                outcomes.append(201)
            except service.ConsultationError as refused:
                outcomes.append(refused.status)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    engine.dispose()
    assert sorted(outcomes) == [201] * limit + [429] * (requests - limit)
    sess.expire_all()
    assert sess.scalar(select(func.count(Comment.id)).where(Comment.sender_hash == sender)) == limit


def test_senders_are_limited_separately(client, sess):
    make_consultation(sess)
    assert [_post(client, "198.51.100.7").status_code for _ in range(4)] == [303, 303, 303, 429]
    assert _post(client, "198.51.100.8").status_code == 303


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(client, sess):
    make_consultation(sess)
    codes = [_post(client, **{"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(4)]
    assert codes == [303, 303, 303, 429]


@pytest.mark.parametrize("app_overrides", [{"trusted_proxies": 1}], indirect=True)
def test_behind_one_trusted_proxy_each_forwarded_client_counts_alone(client, sess):
    make_consultation(sess)
    for client_address in ("203.0.113.1", "203.0.113.2"):
        codes = [
            _post(client, "127.0.0.1", **{"X-Forwarded-For": client_address}).status_code for _ in range(4)
        ]
        assert codes == [303, 303, 303, 429], client_address
    # A client that sends its own X-Forwarded-For cannot pick its address: the proxy appends the real one.
    spoofed = [
        _post(client, "127.0.0.1", **{"X-Forwarded-For": f"192.0.2.{i}, 203.0.113.1"}).status_code
        for i in range(2)
    ]
    assert spoofed == [429, 429]


@pytest.mark.parametrize("app_overrides", [{"trusted_proxies": 1}], indirect=True)
def test_a_moderators_block_stops_one_sender_not_everyone_behind_the_proxy(client, sess):
    make_consultation(sess)
    assert _post(client, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"}).status_code == 303
    sess.add(BlockedSender(sender_hash=sess.scalars(select(Comment.sender_hash)).one(), reason="广告"))
    sess.commit()
    blocked = _post(client, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"})
    assert blocked.status_code == 403
    assert _post(client, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.10"}).status_code == 303


def test_ipv6_senders_are_one_sender_per_64_network():
    one = service.sender_hash("k", "2001:db8:1:2::1")
    assert one == service.sender_hash("k", "2001:db8:1:2:ffff::9")
    assert one != service.sender_hash("k", "2001:db8:1:3::1")
    assert service.sender_hash("k", "198.51.100.7") != service.sender_hash("k", "198.51.100.8")


def test_windows_parse_from_the_setting_and_a_bad_setting_stops_start_up(app_overrides, database):
    assert throttles.parse_windows("5 per minute;30 per hour") == [
        throttles.Window(5, 60),
        throttles.Window(30, 3600),
    ]
    assert throttles.parse_windows("off") == []
    with pytest.raises(SystemExit, match="PORTAL_COMMENT_RATE_LIMIT"):
        create_app({**app_overrides, "database_url": database.url, "comment_rate_limit": "lots"})


@pytest.mark.parametrize("app_overrides", [{"comment_rate_limit": "off"}], indirect=True)
def test_comment_throttle_can_be_switched_off_for_benchmarks(client, sess):
    make_consultation(sess)
    assert {_post(client).status_code for _ in range(8)} == {303}


@pytest.mark.parametrize(
    "app_overrides", [{"comment_rate_limit": "off", "form_request_limit": "2 per minute"}], indirect=True
)
def test_request_limit_keeps_the_typed_comment_and_sends_retry_after(client, sess):
    make_consultation(sess)
    assert [_post(client).status_code for _ in range(2)] == [303, 303]
    refused = client.post(
        POST, data=comment_form(client, body="被限流时的意见"), environ_base={"REMOTE_ADDR": "198.51.100.7"}
    )
    assert refused.status_code == 429 and "被限流时的意见" in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= 60


@pytest.mark.parametrize(
    "app_overrides",
    [
        {
            "comment_rate_limit": "off",
            "form_request_limit": "2 per minute",
            "redis_url": "redis://127.0.0.1:1/0",
        }
    ],
    indirect=True,
)
def test_with_redis_down_limits_fall_back_to_memory_and_say_so(client, sess, caplog):
    make_consultation(sess)
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        codes = [_post(client).status_code for _ in range(3)]
    assert codes == [303, 303, 429]  # limited, not let through
    assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)

"""With PORTAL_REDIS_URL set, the coarse request limits are counted in Redis, so they hold across gunicorn
workers (the comment throttle itself is counted from the database: tests/consultations/test_rate_limit.py)."""

from __future__ import annotations

import secrets

import pytest
import redis

from tests.consultations.helpers import comment_form, make_consultation

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def app_overrides(app_overrides):  # noqa: ANN001, ANN201
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip("needs the Redis server on 127.0.0.1:6379")
    app_overrides.update(comment_rate_limit="off", form_request_limit="2 per minute", redis_url=REDIS_URL)
    return app_overrides


def test_form_request_limit_is_counted_in_redis(client, sess):
    make_consultation(sess)
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    client.environ_base["REMOTE_ADDR"] = address
    codes = [
        client.post("/consultations/parking/comments", data=comment_form(client)).status_code
        for _ in range(3)
    ]
    assert codes == [303, 303, 429]
    server = redis.Redis.from_url(REDIS_URL)
    keys = [k for k in server.scan_iter(match=f"*{address}*")]
    assert keys, "the count should live in Redis, where every worker sees it"
    server.delete(*keys)

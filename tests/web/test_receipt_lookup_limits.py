"""Every receipt look-up (comments, FOI requests, enquiries) is held to the same request limit per client
address: each wrong guess costs the server a password hash, so an unthrottled look-up is a cheap way to
load it, and it would leave the one area without a limit as the place to probe receipt codes."""

from __future__ import annotations

import pytest

LOOKUPS = {
    "consultation receipts": ("/consultations/receipts/", {"code": "ZZZZZZZZ"}),
    "FOI status": ("/foi/status", {"code": "YSQ2020-ZZZZZZZZ", "password": "ZZZZZZZZZZ"}),
    "enquiry status": ("/enquiries/status", {"code": "ZX2020-ZZZZZZZZ", "password": "ZZZZZZZZZZ"}),
}


@pytest.fixture
def app_overrides(app_overrides: dict) -> dict:
    return {**app_overrides, "receipt_lookup_rate_limit": "3 per minute"}


@pytest.mark.parametrize("name", LOOKUPS)
def test_a_fourth_lookup_in_a_minute_is_refused_in_chinese_with_retry_after(name, client, csrf_token):  # noqa: ANN001
    url, data = LOOKUPS[name]
    answers = [client.post(url, data={**data, "csrf_token": csrf_token()}) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [404, 404, 404]  # not found, and said so
    refused = answers[3]
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "操作过于频繁" in refused.get_data(as_text=True)
    # Another address is not held back by this one's guesses.
    other = client.post(
        url, data={**data, "csrf_token": csrf_token()}, environ_base={"REMOTE_ADDR": "10.9.8.7"}
    )
    assert other.status_code == 404


def test_the_limits_hold_on_their_routes_alone(app, client, csrf_token):  # noqa: ANN001
    """Flask-Limiter's app-wide check is not run before every request (this app sets no app-wide limit,
    and it cost every uncached page a twentieth of its CPU); each limited route checks its own limit."""
    from portal.web.limits import limiter

    assert limiter._check_request_limit not in app.before_request_funcs[None]  # noqa: SLF001
    url, data = LOOKUPS["FOI status"]
    codes = [client.post(url, data={**data, "csrf_token": csrf_token()}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]

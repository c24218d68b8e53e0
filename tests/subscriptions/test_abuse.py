"""A form that sends mail to any address: bad input, the honeypot, tokens, and the throttles (429)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.models import Subscription, SubscriptionMessage, SubscriptionRequest
from tests.subscriptions.conftest import link, to
from tests.subscriptions.test_flow import _subscribe


def test_bad_input_honeypot_unknown_targets_and_the_confirm_get(inbox, client, sess, csrf_token):
    bad = _subscribe(client, csrf_token, "not-an-address")
    assert bad.status_code == 400 and "电子邮箱格式不正确" in bad.get_data(as_text=True)
    trap = client.post(
        "/subscriptions/new",
        data={"email": "a@example.com", "kind": "all", "website": "x", "csrf_token": csrf_token()},
    )
    assert trap.status_code == 400
    assert client.get("/subscriptions/new/document?target=no-such-document").status_code == 404
    assert _subscribe(client, csrf_token, "a@example.com", "agency", "no-such-agency").status_code == 404
    assert _subscribe(client, csrf_token, "a@example.com", "search", "q=").status_code == 404
    expired = client.post("/subscriptions/new", data={"email": "a@example.com", "kind": "all"})
    assert expired.status_code == 400 and "页面已过期" in expired.get_data(as_text=True)
    assert not inbox and sess.scalar(select(func.count(Subscription.id))) == 0

    assert _subscribe(client, csrf_token, "a@example.com").status_code == 200
    confirm = link(inbox[0], "confirm")
    # Following the link (what a mail scanner does) changes nothing; a POST without the page's token neither.
    assert client.get(confirm).status_code == 200
    assert client.post(confirm, data={}).status_code in {200, 400}
    assert sess.scalar(select(Subscription.state)) == "pending"
    assert client.get("/subscriptions/confirm/" + "A" * 32).status_code == 404
    assert client.get("/subscriptions/manage/" + "A" * 32).status_code == 404
    # Only hashes: no token and no address hash in clear in the throttle rows.
    row = sess.scalars(select(SubscriptionRequest)).first()
    assert "a@example.com" not in (row.sender_hash + row.recipient_hash)
    assert confirm.rsplit("/", 1)[1] not in str(sess.scalar(select(Subscription.confirm_token_hash)))


def test_per_recipient_and_per_sender_throttles_answer_429_in_chinese(inbox, client, sess, csrf_token):
    for _ in range(3):
        assert _subscribe(client, csrf_token, "target@example.com").status_code == 200
    refused = _subscribe(client, csrf_token, "target@example.com")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "提交过于频繁" in refused.get_data(as_text=True)
    assert len(to(inbox, "target@example.com")) == 3
    # Per client address: ten requests an hour, whatever the recipients.
    for n in range(7):
        assert _subscribe(client, csrf_token, f"r{n}@example.com").status_code == 200
    refused = _subscribe(client, csrf_token, "fresh@example.com")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    from tests.conftest import csrf_token_for

    data = {
        "email": "fresh@example.com",
        "kind": "all",
        "frequency": "daily",
        "csrf_token": csrf_token_for(other),
    }
    assert other.post("/subscriptions/new", data=data).status_code == 200
    assert sess.scalar(select(func.count(SubscriptionMessage.id))) == len(inbox)

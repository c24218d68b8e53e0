"""Pushing published items: a signed webhook to a real HTTP receiver, e-mail to a real SMTP server,
failed deliveries retried with back-off, Atom feeds."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.models import Push
from portal.models.base import utcnow
from portal.services import channels, publishing, push
from portal.services.publishing import PublishRequest


class Receiver:
    """A loopback HTTP server recording what it receives; answers with ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():  # noqa: ANN201
    r = Receiver()
    yield r
    r.close()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():  # noqa: ANN201
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free loopback port (the controller's own ready check cannot use 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def app_overrides(app_overrides):  # noqa: ANN001, ANN201
    return {**app_overrides, "base_url": "https://www.example.gov.cn"}


def _channel(sess, staff, **fields):  # noqa: ANN001, ANN003, ANN202
    data = MultiDict({"active": "1", **fields})
    channel = channels.save_channel(sess, staff.admin, channels.parse_channel_form(sess, data, None))
    sess.commit()
    return channel


def _publish(sess, staff, doc, channel_ids):  # noqa: ANN001, ANN202
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest(channel_ids=channel_ids))
    sess.commit()  # the first attempt runs after the commit


def test_webhook_is_delivered_and_its_signature_verifies(sess, staff, make_draft, receiver):
    channel = _channel(sess, staff, name="微信公众号网关", kind="webhook", url=receiver.url, new_media="1")
    secret = channel.config["secret"]
    doc = make_draft()
    _publish(sess, staff, doc, [channel.id])
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert push.verify_signature(secret, body, headers["X-Portal-Signature"])
    assert not push.verify_signature("another secret", body, headers["X-Portal-Signature"])
    data = json.loads(body)
    assert data["title"] == doc.title and data["url"] == f"https://www.example.gov.cn/policies/{doc.slug}/"
    assert data["doc_number"] == "西政办发〔2021〕3号" and data["agencies"] == ["北京市西城区人民政府办公室"]
    record = sess.scalars(select(Push)).one()
    sess.refresh(record)
    assert (record.status, record.attempts, record.item_id) == ("delivered", 1, doc.id)
    assert record.delivered_at is not None and channel.new_media


def test_email_is_delivered_to_the_distribution_list(app, sess, staff, make_draft, smtp_server):
    controller, mailbox = smtp_server
    app.extensions["settings"] = dataclasses.replace(app.extensions["settings"], smtp_port=controller.port)
    channel = _channel(
        sess, staff, name="政务公开邮件组", kind="email", recipients="a@example.gov.cn, b@example.gov.cn"
    )
    doc = make_draft()
    _publish(sess, staff, doc, [channel.id])
    assert len(mailbox.messages) == 1
    envelope = mailbox.messages[0]
    assert sorted(envelope.rcpt_tos) == ["a@example.gov.cn", "b@example.gov.cn"]
    text = envelope.content.decode()
    assert "Subject: =?utf-8?" in text  # the Chinese subject is encoded
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert doc.title in message["Subject"]
    assert f"https://www.example.gov.cn/policies/{doc.slug}/" in message.get_content()
    record = sess.scalars(select(Push)).one()
    sess.refresh(record)
    assert record.status == "delivered"


def test_failed_delivery_is_retried_with_back_off(app, sess, staff, make_draft):
    broken = Receiver(status=503)
    try:
        channel = _channel(sess, staff, name="微博网关", kind="webhook", url=broken.url, new_media="1")
        doc = make_draft()
        _publish(sess, staff, doc, [channel.id])
        record = sess.scalars(select(Push)).one()
        sess.refresh(record)
        assert (record.status, record.attempts, record.last_error) == ("failed", 1, "HTTP 503")
        first_retry = record.next_attempt_at
        assert first_retry is not None
        settings = app.extensions["settings"]
        # Not due yet: nothing happens.
        assert push.run_due(sess, settings, now=first_retry - timedelta(seconds=1)) == (0, 0)
        assert push.run_due(sess, settings, now=first_retry) == (0, 1)
        sess.refresh(record)
        assert record.attempts == 2 and record.next_attempt_at - first_retry == push.backoff(2)
        broken.status = 200
        assert push.run_due(sess, settings, now=record.next_attempt_at) == (1, 0)
        sess.refresh(record)
        assert (record.status, record.attempts, record.last_error) == ("delivered", 3, "")
        assert len(broken.requests) == 3
    finally:
        broken.close()


def test_delivery_gives_up_after_the_last_attempt(app, sess, staff, make_draft):
    channel = _channel(sess, staff, name="关闭的网关", kind="webhook", url="http://127.0.0.1:9/closed")
    doc = make_draft()
    _publish(sess, staff, doc, [channel.id])
    record = sess.scalars(select(Push)).one()
    settings = app.extensions["settings"]
    while record.next_attempt_at is not None:
        push.run_due(sess, settings, now=record.next_attempt_at)
        sess.refresh(record)
    assert (
        record.status == "failed" and record.attempts == push.MAX_ATTEMPTS and "连接失败" in record.last_error
    )


def test_feed_channel_counts_as_delivered_and_feeds_list_the_item(client, sess, staff, make_draft, agencies):
    channel = _channel(sess, staff, name="网站订阅源", kind="feed")
    doc = make_draft()
    _publish(sess, staff, doc, [channel.id])
    record = sess.scalars(select(Push)).one()
    sess.refresh(record)
    assert record.status == "delivered"
    for url in (
        "/feeds/all.atom",
        f"/feeds/agency/{agencies.office.slug}.atom",
        "/feeds/topic/政务公开.atom",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/atom+xml", url
        assert doc.title in response.get_data(as_text=True)
    assert doc.title not in client.get(f"/feeds/agency/{agencies.other.slug}.atom").get_data(as_text=True)
    assert client.get("/feeds/agency/nowhere.atom").status_code == 404


def test_unpublished_items_never_reach_a_feed(client, sess, staff, make_draft):
    doc = make_draft()
    assert doc.title not in client.get("/feeds/all.atom").get_data(as_text=True)


def test_only_chosen_active_channels_get_a_push(sess, staff, make_draft, receiver):
    chosen = _channel(sess, staff, name="甲", kind="webhook", url=receiver.url)
    _channel(sess, staff, name="乙", kind="webhook", url=receiver.url)
    inactive = _channel(sess, staff, name="丙", kind="feed", active="")
    doc = make_draft()
    _publish(sess, staff, doc, [chosen.id, inactive.id])
    assert [p.channel_id for p in sess.scalars(select(Push))] == [chosen.id]


def test_backoff_grows_and_is_capped():
    assert [push.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert push.backoff(30) == timedelta(hours=6)
    assert utcnow()  # aware


def test_push_worker_command_retries_what_is_due(app, sess, staff, make_draft, monkeypatch):
    from click.testing import CliRunner

    from portal.cli import main

    broken = Receiver(status=500)
    try:
        channel = _channel(sess, staff, name="客户端网关", kind="webhook", url=broken.url, new_media="1")
        doc = make_draft()
        _publish(sess, staff, doc, [channel.id])
        record = sess.scalars(select(Push)).one()
        record.next_attempt_at = utcnow() - timedelta(seconds=1)  # its back-off has passed
        sess.commit()
        broken.status = 200
        settings = app.extensions["settings"]
        monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(settings.instance_path))
        monkeypatch.setenv("PORTAL_DATABASE_URL", settings.sqlalchemy_url)
        result = CliRunner().invoke(main, ["push", "--run", "--status"])
        assert result.exit_code == 0, result.output
        assert (
            "pending: 0, failed: 1, delivered: 0" in result.output
            and "delivered 1, failed 0" in result.output
        )
        sess.expire_all()
        assert sess.scalars(select(Push)).one().status == "delivered"
        assert len(broken.requests) == 2
    finally:
        broken.close()

"""Fixtures of the subscriptions area: the staff area's agencies, users and drafts, a real SMTP server on
loopback that refuses (550) any recipient whose address starts with ``bounce``, and helpers that follow
the links of the messages it received."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from portal.services import publishing
from portal.services.publishing import PublishRequest
from tests.admin.conftest import agencies, make_draft, make_interpretation, staff  # noqa: F401


class _Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address.startswith("bounce"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def inbox(app_overrides):  # noqa: ANN001, ANN201 (request it before `app`, `client`)
    """Received messages; the app's base URL is an https one, as RFC 8058 wants."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app_overrides.update(smtp_host="127.0.0.1", smtp_port=port, base_url="https://zwgk.example.gov.cn")
    yield handler.messages
    controller.stop()


def link(message, kind: str) -> str:  # noqa: ANN001
    """The path of a link of ``kind`` (confirm, unsubscribe, manage) in a message's text."""
    found = re.search(
        rf"https://zwgk\.example\.gov\.cn(/subscriptions/{kind}/[A-Za-z0-9_-]+)", message.get_content()
    )
    assert found, f"no {kind} link in:\n{message.get_content()}"
    return found.group(1)


def to(inbox, address: str) -> list:  # noqa: ANN001
    return [m for m in inbox if m["To"] == address]


def publish(sess, users, doc, **request):  # noqa: ANN001, ANN003, ANN201
    publishing.submit(sess, users.editor, doc)
    publishing.approve(sess, users.reviewer, doc)
    publishing.publish(sess, users.publisher, doc, PublishRequest(**request))
    sess.commit()
    return doc

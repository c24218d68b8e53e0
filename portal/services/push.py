"""Pushing published items to the configured channels: signed webhooks, e-mail lists, Atom feeds.

When an item is published the publisher picks channels; :func:`queue` adds one Push per channel in
the publishing transaction. After the commit the first attempt is made at once (in a background thread,
or inline when testing); ``portal push --run`` (from cron, or with ``--loop``) retries failures with
exponential back-off until ``MAX_ATTEMPTS``. Feeds read the database, so a feed push is delivered
when the item is published.

A webhook POST carries the JSON item and ``X-Portal-Signature: sha256=<hex HMAC-SHA256 of the body
with the channel secret>``; receivers (WeChat/Weibo/app gateways) verify it before trusting the body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.models import Channel, Document, Interpretation, Push, User
from portal.models.base import utcnow
from portal.services.audit import record

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "X-Portal-Signature"
# A new push is first tried right after the commit; the worker leaves it alone for this long, so that the
# two never send the same item twice.
INLINE_GRACE = timedelta(minutes=2)


class PushError(Exception):
    """A delivery that failed; the message is kept on the Push record."""


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt after ``attempts`` failures: 1, 2, 4 … minutes, at most 6 hours."""
    return min(BASE_DELAY * (2 ** max(0, attempts - 1)), MAX_DELAY)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(sign(secret, body), header or "")


def get(sess: Session, push_id: int) -> Push | None:
    return sess.get(Push, push_id)


def active_channels(sess: Session) -> list[Channel]:
    return list(sess.scalars(select(Channel).where(Channel.active.is_(True)).order_by(Channel.name)))


def queue(sess: Session, user: User, item: Document | Interpretation, channel_ids: Iterable[int]) -> int:
    """Add a pending Push per chosen active channel, and deliver them right after the commit."""
    kind = "document" if isinstance(item, Document) else "interpretation"
    pushes = []
    for channel_id in dict.fromkeys(channel_ids):
        channel = sess.get(Channel, channel_id)
        if channel is None or not channel.active:
            continue
        push = Push(
            item_type=kind,
            item_id=item.id,
            channel_id=channel.id,
            status="pending",
            next_attempt_at=utcnow() + INLINE_GRACE,
        )
        sess.add(push)
        pushes.append(push)
    if pushes:
        sess.flush()
        record(sess, user, f"{kind}.push", item, after={"channels": [p.channel_id for p in pushes]})
        from portal import db

        ids = [p.id for p in pushes]
        app = current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]  # a LocalProxy, typed as the Flask it stands for
        db.after_commit(sess, lambda: _deliver_soon(app, ids))
    return len(pushes)


def _deliver_soon(app: Any, ids: list[int]) -> None:
    if app is None:
        return  # the worker picks them up
    engine, settings = app.extensions["engine"], app.extensions["settings"]

    def run() -> None:
        with sessionmaker(bind=engine)() as sess:
            deliver_ids(sess, settings, ids)

    if settings.testing:
        run()  # deterministic in tests: the first attempt has happened when the request returns
    else:
        threading.Thread(target=run, name="push-delivery", daemon=True).start()


# -- payloads ---------------------------------------------------------------------------------------


def item_of(sess: Session, push: Push) -> Document | Interpretation | None:
    if push.item_type == "document":
        return sess.get(Document, push.item_id)
    return sess.get(Interpretation, push.item_id)


def item_url(settings: Settings, item: Document | Interpretation) -> str:
    section = "policies" if isinstance(item, Document) else "interpretations"
    return f"{settings.base_url.rstrip('/')}/{section}/{item.slug}/"


def payload(settings: Settings, item: Document | Interpretation, push: Push) -> dict[str, Any]:
    doc = item if isinstance(item, Document) else item.document
    return {
        "event": "publish",
        "delivery": push.id,
        "type": push.item_type,
        "id": item.id,
        "slug": item.slug,
        "title": item.title,
        "url": item_url(settings, item),
        "published_at": item.published_at.isoformat() if item.published_at else None,
        "doc_number": doc.doc_number,
        "agencies": [a.name for a in doc.agencies],
        "topics": [t.name for t in doc.topics],
        "site": settings.site_name,
    }


# -- delivery ---------------------------------------------------------------------------------------


def _send_webhook(settings: Settings, channel: Channel, body: dict[str, Any]) -> None:
    url = str(channel.config.get("url") or "")
    if not url.startswith(("http://", "https://")):
        raise PushError("渠道未配置有效的 URL")
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "portal-push/1",
            "X-Portal-Event": "publish",
            "X-Portal-Delivery": str(body["delivery"]),
            SIGNATURE_HEADER: sign(str(channel.config.get("secret") or ""), data),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (admin-set URL)
            if not 200 <= response.status < 300:
                raise PushError(f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        raise PushError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise PushError(f"连接失败：{getattr(exc, 'reason', exc)}") from None


def _send_email(settings: Settings, channel: Channel, body: dict[str, Any]) -> None:
    recipients = [r for r in channel.config.get("recipients", []) if r]
    if not recipients:
        raise PushError("渠道未配置收件人")
    msg = EmailMessage()
    msg["Subject"] = f"【{settings.site_name}】{body['title']}"
    msg["From"] = settings.mail_from
    msg["To"] = ", ".join(recipients)
    lines = [body["title"], ""]
    if body["doc_number"]:
        lines.append(f"文号：{body['doc_number']}")
    if body["agencies"]:
        lines.append(f"发布机关：{'、'.join(body['agencies'])}")
    lines += [f"发布时间：{body['published_at'] or ''}", f"全文：{body['url']}", ""]
    msg.set_content("\n".join(lines))
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise PushError(f"邮件发送失败：{exc}") from None


SENDERS = {"webhook": _send_webhook, "email": _send_email, "feed": lambda *_: None}


def attempt(sess: Session, settings: Settings, push: Push, now: datetime | None = None) -> bool:
    """Make one delivery attempt and record its outcome on the Push; True when delivered."""
    now = now or utcnow()
    push.attempts += 1
    item = item_of(sess, push)
    try:
        if item is None or item.status != "published":
            raise PushError("条目已不再发布")
        SENDERS[push.channel.kind](settings, push.channel, payload(settings, item, push))
    except PushError as exc:
        push.status = "failed"
        push.last_error = str(exc)[:1000]
        push.next_attempt_at = now + backoff(push.attempts) if push.attempts < MAX_ATTEMPTS else None
        return False
    push.status = "delivered"
    push.delivered_at = now
    push.next_attempt_at = None
    push.last_error = ""
    return True


def deliver_ids(sess: Session, settings: Settings, ids: list[int]) -> None:
    for push_id in ids:
        stmt = select(Push).where(Push.id == push_id, Push.status == "pending")
        if sess.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=Push)
        push = sess.scalars(stmt).first()
        if push is not None:
            attempt(sess, settings, push)
        sess.commit()


def due(sess: Session, now: datetime, limit: int = 100) -> list[Push]:
    stmt = (
        select(Push)
        .where(
            or_(Push.status == "pending", Push.status == "failed"),
            Push.next_attempt_at.is_not(None),
            Push.next_attempt_at <= now,
        )
        .order_by(Push.next_attempt_at, Push.id)
        .limit(limit)
    )
    if sess.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Push)  # several workers never send one push twice
    return list(sess.scalars(stmt))


def run_due(sess: Session, settings: Settings, now: datetime | None = None) -> tuple[int, int]:
    """Attempt every push that is due; returns (delivered, failed)."""
    now = now or utcnow()
    delivered = failed = 0
    for push in due(sess, now):
        if attempt(sess, settings, push, now):
            delivered += 1
        else:
            failed += 1
    sess.commit()
    return delivered, failed


def retry_now(sess: Session, user: User, push: Push) -> None:
    """Staff ask for another attempt (also after the worker gave up)."""
    push.next_attempt_at = utcnow()
    record(
        sess,
        user,
        "push.retry",
        push.channel,
        after={"push": push.id},
        note=f"{push.item_type}:{push.item_id}",
    )


def recent(sess: Session, status: str = "", limit: int = 200) -> list[Push]:
    stmt = select(Push).order_by(Push.created_at.desc(), Push.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Push.status == status)
    return list(sess.scalars(stmt))

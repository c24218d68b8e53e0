"""Subscription e-mail through the push worker: render, send, retry, bounce; and the digests.

A message row is queued in the transaction that makes it (a sign-up, a match, a digest). Right after the
commit the first attempt is made (in a background thread, inline when testing); ``portal push --run``
(cron, or ``--loop``) matches whatever events are left and retries failures with the push queue's
back-off until its ``MAX_ATTEMPTS``. States: queued, sent, bounced (the recipient refused for good:
never retried; an address that bounces ``BOUNCE_LIMIT`` times in a row is deleted), failed.

The body is rendered at each attempt from the events and the subscription; the links' tokens are derived
then (:mod:`tokens`), so none is stored. Every message carries the RFC 8058 one-click unsubscribe headers
(``List-Unsubscribe`` with an https URL, ``List-Unsubscribe-Post``) and the manage link in its text.

Digests: ``portal subscriptions digest --period daily|weekly`` (cron: daily in the morning, weekly on
Monday) puts each digest subscription's matches since its last digest into one message.
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import current_app, has_app_context
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.models.base import utcnow
from portal.models.subscriptions import (
    EVENT_KINDS,
    FREQUENCIES,
    Subscription,
    SubscriptionEvent,
    SubscriptionMatch,
    SubscriptionMessage,
)
from portal.services import mail, push
from portal.services.subscriptions import signup

INLINE_GRACE = push.INLINE_GRACE
BOUNCE_LIMIT = 3
EVENT_KEEP = timedelta(days=90)
_MATCH_FLAG = "_subscriptions_match"


# -- after the commit ---------------------------------------------------------------------------------


def _app() -> Any:
    return current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]


def _soon(app: Any, ids: list[int], match: bool) -> None:
    if app is None:
        return  # no app (a script): the worker picks them up
    engine, settings = app.extensions["engine"], app.extensions["settings"]

    def run() -> None:
        with sessionmaker(bind=engine)() as sess:
            queued = list(ids)
            if match:
                from portal.services.subscriptions import matching

                queued += matching.match_pending(sess)
            deliver_ids(sess, settings, queued)

    if settings.testing:
        run()  # deterministic in tests: the first attempt has happened when the request returns
    else:
        threading.Thread(target=run, name="subscription-delivery", daemon=True).start()


def send_after_commit(sess: Session, ids: list[int]) -> None:
    from portal import db

    app = _app()
    db.after_commit(sess, lambda: _soon(app, ids, match=False))


def match_after_commit(sess: Session) -> None:
    """Once per transaction: match its events against the subscriptions when it has committed."""
    from portal import db

    if any(getattr(cb, _MATCH_FLAG, False) for cb in sess.info.get("after_commit", [])):
        return
    app = _app()

    def callback() -> None:
        _soon(app, [], match=True)

    setattr(callback, _MATCH_FLAG, True)
    db.after_commit(sess, callback)


# -- the text of a message ----------------------------------------------------------------------------


def https_url(base_url: str, path: str) -> str:
    """RFC 8058 wants an https address for the one-click POST, whatever the site's own scheme in tests."""
    parts = urlsplit(base_url.rstrip("/") + path)
    return urlunsplit(("https", parts.netloc, parts.path, parts.query, ""))


def links(settings: Settings, message: SubscriptionMessage) -> dict[str, str]:
    base = settings.base_url.rstrip("/")
    secret = settings.secret_key
    out = {"manage": f"{base}/subscriptions/manage/{signup.manage_token(secret, message.subscriber)}"}
    sub = message_subscription(message)
    if sub is not None:
        path = f"/subscriptions/unsubscribe/{signup.unsubscribe_token(secret, sub)}"
        out["unsubscribe"] = base + path
        out["one_click"] = https_url(base, path)
        if sub.state == "pending":
            out["confirm"] = f"{base}/subscriptions/confirm/{signup.confirm_token(secret, sub)}"
    return out


def message_subscription(message: SubscriptionMessage) -> Subscription | None:
    return next((s for s in message.subscriber.subscriptions if s.id == message.subscription_id), None)


def describe(settings: Settings, event: SubscriptionEvent) -> tuple[str, list[str]]:
    """One event as a headline and the lines under it."""
    p = event.payload
    base = settings.base_url.rstrip("/")
    title = p.get("title", "")
    kind = EVENT_KINDS.get(event.kind, event.kind)
    lines: list[str] = []
    if event.kind == "interpretation":
        headline = f"《{p.get('document_title', '')}》有新的解读：{title}"
    elif event.kind == "report":
        headline = f"意见征集“{title}”的意见采纳情况反馈已发布"
    else:
        headline = f"【{kind}】{title}"
    if p.get("doc_number"):
        lines.append(f"文号：{p['doc_number']}")
    if p.get("agency_names"):
        lines.append(f"发布机关：{'、'.join(p['agency_names'])}")
    if event.kind == "amended":
        lines.append(f"更新记录：第{p.get('version')}版" + (f"，说明：{p['note']}" if p.get("note") else ""))
        lines.append("修改内容：")
        for change in p.get("changes", []):
            lines.append(f"  {change['field']}：")
            lines += [f"    {line}" for line in change["lines"]]
            if change.get("more"):
                lines.append(f"    ……另有{change['more']}处修改，请查看页面上的更新记录")
    if event.kind in {"revised", "repealed"} and p.get("successor"):
        verb = "修订" if event.kind == "revised" else "废止"
        lines.append(f"已被《{p['successor']['title']}》{verb}：{base}{p['successor']['path']}")
    if event.kind == "expired":
        lines.append("本文件已失效。" + (p.get("note") or ""))
    if event.kind == "withdrawn" and p.get("reason"):
        lines.append(f"撤回理由：{p['reason']}")
    if event.kind != "withdrawn":
        lines.append(f"查看：{base}{p.get('path', '/')}")
    return headline, lines


def events_of(sess: Session, message: SubscriptionMessage) -> list[SubscriptionEvent]:
    return list(
        sess.scalars(
            select(SubscriptionEvent)
            .where(
                SubscriptionEvent.id.in_(
                    select(SubscriptionMatch.event_id).where(SubscriptionMatch.message_id == message.id)
                )
            )
            .order_by(SubscriptionEvent.id)
        )
    )


def render(
    sess: Session, settings: Settings, message: SubscriptionMessage
) -> tuple[str, str, dict[str, str]]:
    """(subject, body, headers) of a message, its links' tokens derived now."""
    site = settings.site_name
    urls = links(settings, message)
    sub = message_subscription(message)
    label = sub.label if sub else ""
    if message.kind == "confirm":
        subject = f"【{site}】请确认订阅：{label}"
        body = [
            "您好：",
            "",
            f"有人（可能是您本人）在{site}网站用本邮箱申请订阅：{label}"
            f"（{FREQUENCIES.get(sub.frequency, '') if sub else ''}）。",
            "请打开以下链接，并在打开的页面上点击“确认订阅”按钮：",
            urls.get("confirm", ""),
            "",
            f"链接{signup.CONFIRM_DAYS}天内有效。如果不是您本人申请，请忽略本邮件：未经确认，我们不会再向您发送任何邮件。",
        ]
    elif message.kind == "manage":
        subject = f"【{site}】您的邮件订阅管理链接"
        body = [
            "您好：",
            "",
            "您（或他人使用您的邮箱）请求了订阅管理链接，或所申请的内容您已经订阅。",
            "通过以下链接可查看、修改、退订您的全部订阅，或删除您的邮箱地址：",
            urls["manage"],
            "",
            "如果不是您本人操作，无需处理；此前发给您的管理链接仍然有效，除非您在管理页面上更换了链接。",
        ]
    else:
        events = events_of(sess, message)
        if not events:
            raise push.PushError("没有需要通知的内容")
        if message.kind == "digest":
            period = FREQUENCIES.get(sub.frequency, "摘要") if sub else "摘要"
            subject = f"【{site}】{period}：{label}（{len(events)}条更新）"
            body = [f"您订阅的“{label}”有{len(events)}条更新：", ""]
        else:
            subject = f"【{site}】{describe(settings, events[0])[0]}"
            body = [f"您订阅的“{label}”有更新：", ""]
        for n, event in enumerate(events, 1):
            headline, lines = describe(settings, event)
            body += [f"{n}. {headline}" if len(events) > 1 else headline, *lines, ""]
    body += [
        "",
        "——",
        f"退订本订阅：{urls.get('unsubscribe', urls['manage'])}",
        f"管理全部订阅（无需注册）：{urls['manage']}",
        site,
    ]
    headers = {"Auto-Submitted": "auto-generated"}
    if "one_click" in urls:
        headers["List-Unsubscribe"] = f"<{urls['one_click']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return subject, "\n".join(body) + "\n", headers


# -- sending ------------------------------------------------------------------------------------------


def _bounced(exc: BaseException) -> bool:
    """A refusal for good: the server said 5xx about the recipient or the message."""
    cause = exc.__cause__
    if isinstance(cause, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in cause.recipients.values())
    if isinstance(cause, smtplib.SMTPSenderRefused):
        return False  # our sender address: the recipient is not to blame
    return isinstance(cause, smtplib.SMTPResponseException) and cause.smtp_code >= 500


def attempt(
    sess: Session, settings: Settings, message: SubscriptionMessage, now: datetime | None = None
) -> str:
    """Make one delivery attempt; returns the new status (or "deleted" when a bounce deleted the address)."""
    now = now or utcnow()
    message.attempts += 1
    subscriber = message.subscriber
    try:
        subject, body, headers = render(sess, settings, message)
        mail.send_mail(settings, [subscriber.email], subject, body, headers)
    except push.PushError as exc:
        message.status, message.last_error, message.next_attempt_at = "failed", str(exc), None
        return message.status
    except mail.MailError as exc:
        message.last_error = str(exc)[:1000]
        if _bounced(exc):
            message.status, message.next_attempt_at = "bounced", None
            subscriber.bounces += 1
            if subscriber.bounces >= BOUNCE_LIMIT:
                signup.delete_subscriber(sess, subscriber)  # an address that no longer exists
                return "deleted"
            return message.status
        message.status = "failed"
        more = message.attempts < push.MAX_ATTEMPTS
        message.next_attempt_at = now + push.backoff(message.attempts) if more else None
        return message.status
    message.status, message.sent_at, message.next_attempt_at, message.last_error = "sent", now, None, ""
    if message.kind != "confirm":
        subscriber.bounces = 0
    return message.status


def _claim(sess: Session, stmt: Any) -> Any:
    if sess.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=SubscriptionMessage)
    return stmt


def deliver_ids(sess: Session, settings: Settings, ids: Iterable[int]) -> None:
    """First attempt of the messages just queued (those still queued: the worker may have been first)."""
    for message_id in dict.fromkeys(ids):
        stmt = select(SubscriptionMessage).where(
            SubscriptionMessage.id == message_id, SubscriptionMessage.status == "queued"
        )
        message = sess.scalars(_claim(sess, stmt)).first()
        if message is not None:
            attempt(sess, settings, message)
        sess.commit()


def run_due(sess: Session, settings: Settings, now: datetime | None = None) -> tuple[int, int]:
    """Match leftover events, then attempt every message that is due; returns (sent, not sent)."""
    from portal.services.subscriptions import matching

    now = now or utcnow()
    matching.match_pending(sess, now)
    stmt = (
        select(SubscriptionMessage)
        .where(
            or_(SubscriptionMessage.status == "queued", SubscriptionMessage.status == "failed"),
            SubscriptionMessage.next_attempt_at.is_not(None),
            SubscriptionMessage.next_attempt_at <= now,
        )
        .order_by(SubscriptionMessage.next_attempt_at, SubscriptionMessage.id)
        .limit(200)
    )
    sent = other = 0
    for message in list(sess.scalars(_claim(sess, stmt))):
        if attempt(sess, settings, message, now) == "sent":
            sent += 1
        else:
            other += 1
    sess.commit()
    return sent, other


def digest(sess: Session, settings: Settings, period: str, now: datetime | None = None) -> int:
    """One message per digest subscription of ``period`` with matches not yet sent; returns how many.

    Also the daily housekeeping: unconfirmed requests, throttle rows and old events are purged."""
    from portal.services.subscriptions import matching

    if period not in {"daily", "weekly"}:
        raise ValueError(period)
    now = now or utcnow()
    matching.match_pending(sess, now)
    waiting = sess.execute(
        select(SubscriptionMatch.id, Subscription.id, Subscription.subscriber_id)
        .join(Subscription, Subscription.id == SubscriptionMatch.subscription_id)
        .where(
            SubscriptionMatch.message_id.is_(None),
            Subscription.frequency == period,
            Subscription.state == "active",
        )
        .order_by(Subscription.id, SubscriptionMatch.id)
    ).all()
    by_subscription: dict[tuple[int, int], list[int]] = {}
    for match_id, subscription_id, subscriber_id in waiting:
        by_subscription.setdefault((subscription_id, subscriber_id), []).append(match_id)
    ids = []
    for (subscription_id, subscriber_id), match_ids in by_subscription.items():
        message = SubscriptionMessage(
            subscriber_id=subscriber_id,
            subscription_id=subscription_id,
            kind="digest",
            status="queued",
            next_attempt_at=now,
        )
        sess.add(message)
        sess.flush()
        for match in sess.scalars(select(SubscriptionMatch).where(SubscriptionMatch.id.in_(match_ids))):
            match.message_id = message.id
        ids.append(message.id)
    signup.purge(sess, now)
    sess.execute(
        delete(SubscriptionEvent).where(
            SubscriptionEvent.matched_at.is_not(None),
            SubscriptionEvent.created_at < now - EVENT_KEEP,
            ~select(SubscriptionMatch.id)
            .where(SubscriptionMatch.event_id == SubscriptionEvent.id, SubscriptionMatch.message_id.is_(None))
            .exists(),
        )
    )
    sess.commit()
    deliver_ids(sess, settings, ids)
    return len(ids)

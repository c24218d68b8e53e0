"""Every write a subscriber makes: ask for a subscription, confirm it, unsubscribe, manage, delete.

Double opt-in: a request creates a *pending* subscription and queues one confirmation message; matching
(``matching``) only ever looks at *active* ones, so nothing else reaches an address before its owner
followed the link and pressed the button on the page it opens. The answer to a request is the same
whether the address is known or not, so that the form tells nobody who subscribes to what.

Throttle: a form that sends mail to any address invites abuse, so every request adds a row of keyed hashes
(client address, recipient) and is refused when either has too many rows in a window. Counted from the
database's rows after the insert, inside the writing transaction (the pattern of the comment throttle,
:mod:`portal.services.throttles`), it holds across workers and processes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from portal.models import Agency, Consultation, Topic
from portal.models.base import utcnow
from portal.models.subscriptions import (
    FREQUENCIES,
    SUBSCRIPTION_KINDS,
    Subscriber,
    Subscription,
    SubscriptionMatch,
    SubscriptionMessage,
    SubscriptionRequest,
)
from portal.services import throttles
from portal.services.subscriptions import tokens

EMAIL_MAX = 254
_EMAIL_RE = re.compile(r"^[^@\s<>,;\"'()\[\]\\]+@[^@\s<>,;\"'()\[\]\\]+\.[^@\s<>,;\"'()\[\]\\]+$")
# A confirmation link older than this does nothing; the pending subscription is purged.
CONFIRM_DAYS = 7
# Per client address (sign-ups and manage-link requests) and per recipient (mails it may be sent).
SENDER_WINDOWS = throttles.parse_windows("10 per hour;30 per day")
RECIPIENT_WINDOWS = throttles.parse_windows("3 per hour;6 per day")
REQUEST_KEEP = timedelta(days=1)  # the throttle's longest window: older rows are purged


class SubscriptionError(ValueError):
    """A refusal with a Chinese message, naming the form field when there is one."""

    def __init__(self, message: str, field: str = "", status: int = 400, retry_after: int = 0) -> None:
        super().__init__(message)
        self.message, self.field, self.status, self.retry_after = message, field, status, retry_after


@dataclass(frozen=True)
class Target:
    """What a subscription follows, checked against the database: kind, stored value, shown label."""

    kind: str
    value: str
    label: str


# -- what can be followed -----------------------------------------------------------------------------


def kinds() -> dict[str, str]:
    return dict(SUBSCRIPTION_KINDS)


def search_target(sess: Session, raw: str) -> tuple[str, str] | None:
    """A saved search as (normalised query string, label); None when it searches for nothing."""
    from portal.services.search import FACET_LABELS, SearchQuery

    args = dict(parse_qsl(raw.lstrip("?")[:1000], keep_blank_values=False))
    query = SearchQuery.from_args(sess, args)
    if not query.words and not query.filters:
        return None
    value = urlencode({"q": query.text, **query.filters} if query.text else dict(query.filters))
    parts = [f"“{query.text}”"] if query.text else []
    parts += [f"{FACET_LABELS[k]}：{v}" for k, v in query.filters.items()]
    return value, "搜索 " + "，".join(parts)


def resolve(sess: Session, kind: str, target: str) -> Target:
    """Check what is to be followed exists (and is public); raise SubscriptionError when it does not."""
    from portal.services.consultations import public_consultation
    from portal.services.policies import queries as policies

    target = (target or "").strip()[:500]
    missing = SubscriptionError("要订阅的内容不存在或尚未公开，请从相应页面的“订阅”链接进入。", "target")
    if kind not in kinds():
        raise SubscriptionError("请选择订阅类型。", "kind")
    if kind == "all":
        return Target("all", "", "全部新发布的政策文件及其变更")
    if kind == "agency":
        agency = sess.scalars(select(Agency).where(Agency.slug == target)).first()
        if agency is None:
            raise missing
        return Target(kind, agency.slug, f"{agency.name}发布的文件")
    if kind == "topic":
        if sess.scalars(policies.public_topics().where(Topic.name == target)).first() is None:
            raise missing
        return Target(kind, target, f"主题“{target}”的文件")
    if kind == "category":
        from portal.services.xxgk import categories

        category = categories.lookup(sess, target)
        if category is None or category not in categories.sections(sess):
            raise missing
        return Target(kind, category.slug, f"法定主动公开内容“{category.name}”")
    if kind == "document":
        doc = policies.public_document(sess, target)
        if doc is None:
            raise missing
        return Target(kind, doc.slug, f"《{doc.title}》的修订、废止和新解读")
    if kind == "consultation":
        consultation: Consultation | None = public_consultation(sess, target)
        if consultation is None:
            raise missing
        return Target(kind, consultation.slug, f"意见征集“{consultation.title}”的反馈报告")
    found = search_target(sess, target)
    if found is None:
        raise SubscriptionError("请先输入搜索词或选择筛选条件，再订阅这次搜索。", "target")
    return Target("search", found[0], found[1])


def check_email(address: str) -> str:
    address = tokens.normalize_email(address)
    if not address:
        raise SubscriptionError("请填写电子邮箱。", "email")
    if len(address) > EMAIL_MAX or not _EMAIL_RE.match(address) or not address.isascii():
        raise SubscriptionError("电子邮箱格式不正确，请检查后重新填写。", "email")
    return address


# -- the throttle ------------------------------------------------------------------------------------

_COUNTERS: dict[str, throttles.Counter] = {}


def _counter(name: str) -> throttles.Counter:
    if name not in _COUNTERS:
        column = SubscriptionRequest.sender_hash if name == "sender" else SubscriptionRequest.recipient_hash
        windows = SENDER_WINDOWS if name == "sender" else RECIPIENT_WINDOWS
        _COUNTERS[name] = throttles.Counter(SubscriptionRequest.at, column, windows)
    return _COUNTERS[name]


def _lock(sess: Session, *keys: str) -> None:
    """PostgreSQL: one transaction at a time counts and inserts for a sender or recipient (released at
    commit or rollback; taken in one order, so two requests never wait on each other). SQLite needs
    nothing: the insert holds the database's single write lock."""
    if sess.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(keys):
        number = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
        sess.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


def throttle(sess: Session, sender: str, recipient: str, now: datetime) -> None:
    """Count this request (its row is added here) and refuse it, rolling back, when it is one too many."""
    _lock(sess, "s:" + sender, "r:" + recipient)
    sess.add(SubscriptionRequest(sender_hash=sender, recipient_hash=recipient, at=now))
    sess.flush()
    for name, key, windows, column in (
        ("sender", sender, SENDER_WINDOWS, SubscriptionRequest.sender_hash),
        ("recipient", recipient, RECIPIENT_WINDOWS, SubscriptionRequest.recipient_hash),
    ):
        found = _counter(name).counts(sess, key, now)
        window = throttles.first_exceeded(found, windows, new_row_counted=True)
        if window is None:
            continue
        sess.rollback()
        seconds = throttles.retry_after(sess, SubscriptionRequest.at, [column == key], window, now)
        sess.rollback()
        raise SubscriptionError("操作过于频繁。", status=429, retry_after=seconds)


# -- subscribing -------------------------------------------------------------------------------------


def _placeholder() -> str:
    return tokens.token_hash(secrets.token_hex(16))


def _subscriber(sess: Session, secret_key: str, address: str) -> Subscriber:
    hashed = tokens.email_hash(secret_key, address)
    found = sess.scalars(select(Subscriber).where(Subscriber.email_hash == hashed)).first()
    if found is not None:
        return found
    # The token needs the id: a random placeholder until the flush gave one.
    subscriber = Subscriber(email=address, email_hash=hashed, manage_token_hash=_placeholder())
    sess.add(subscriber)
    sess.flush()
    subscriber.manage_token_hash = tokens.token_hash(manage_token(secret_key, subscriber))
    return subscriber


def manage_token(secret_key: str, subscriber: Subscriber) -> str:
    return tokens.derive(secret_key, "manage", subscriber.id, subscriber.token_generation)


def confirm_token(secret_key: str, subscription: Subscription) -> str:
    return tokens.derive(secret_key, "confirm", subscription.id, subscription.generation)


def unsubscribe_token(secret_key: str, subscription: Subscription) -> str:
    return tokens.derive(secret_key, "unsubscribe", subscription.id)


def queue_message(
    sess: Session, subscriber: Subscriber, kind: str, subscription: Subscription | None, now: datetime
) -> SubscriptionMessage:
    from portal.services.subscriptions import delivery

    message = SubscriptionMessage(
        subscriber_id=subscriber.id,
        subscription_id=subscription.id if subscription else None,
        kind=kind,
        status="queued",
        next_attempt_at=now + delivery.INLINE_GRACE,
    )
    sess.add(message)
    sess.flush()
    delivery.send_after_commit(sess, [message.id])
    return message


def request(
    sess: Session,
    secret_key: str,
    *,
    email: str,
    kind: str,
    target: str,
    frequency: str,
    sender: str,
    now: datetime | None = None,
) -> None:
    """Ask for a subscription; the caller commits. Queues one message to the address: the confirmation,
    or, for what it already follows, its manage link (nothing changes without its owner)."""
    now = now or utcnow()
    address = check_email(email)
    what = resolve(sess, kind, target)
    if frequency not in FREQUENCIES:
        raise SubscriptionError("请选择接收方式。", "frequency")
    throttle(sess, sender, tokens.email_hash(secret_key, address), now)
    subscriber = _subscriber(sess, secret_key, address)
    existing = sess.scalars(
        select(Subscription).where(
            Subscription.subscriber_id == subscriber.id,
            Subscription.kind == what.kind,
            Subscription.target == what.value,
        )
    ).first()
    if existing is not None and existing.state == "active":
        queue_message(sess, subscriber, "manage", existing, now)
        return
    if existing is None:
        existing = Subscription(
            subscriber_id=subscriber.id,
            kind=what.kind,
            target=what.value,
            unsubscribe_token_hash=_placeholder(),
        )
        sess.add(existing)
        sess.flush()
        existing.unsubscribe_token_hash = tokens.token_hash(unsubscribe_token(secret_key, existing))
    else:
        existing.generation += 1  # the older confirmation link stops working
    existing.label = what.label
    existing.frequency = frequency
    existing.created_at = now
    existing.confirm_token_hash = tokens.token_hash(confirm_token(secret_key, existing))
    queue_message(sess, subscriber, "confirm", existing, now)


def request_manage_link(sess: Session, secret_key: str, *, email: str, sender: str) -> None:
    """Send the manage link to an address that has subscriptions (and nothing, silently, to one without)."""
    now = utcnow()
    address = check_email(email)
    hashed = tokens.email_hash(secret_key, address)
    throttle(sess, sender, hashed, now)
    subscriber = sess.scalars(select(Subscriber).where(Subscriber.email_hash == hashed)).first()
    if subscriber is not None and subscriber.subscriptions:
        queue_message(sess, subscriber, "manage", subscriber.subscriptions[0], now)


# -- following a link ---------------------------------------------------------------------------------


def pending_by_token(sess: Session, token: str, now: datetime | None = None) -> Subscription | None:
    if not tokens.is_token(token):
        return None
    found = sess.scalars(
        select(Subscription).where(Subscription.confirm_token_hash == tokens.token_hash(token))
    ).first()
    now = now or utcnow()
    if found is None or found.created_at < now - timedelta(days=CONFIRM_DAYS):
        return None
    return found


def confirm(sess: Session, token: str) -> Subscription | None:
    """The button on the confirmation page: the subscription becomes active. The caller commits."""
    found = pending_by_token(sess, token)
    if found is None:
        return None
    found.state = "active"
    found.confirmed_at = utcnow()
    found.confirm_token_hash = None
    found.subscriber.bounces = 0
    return found


def by_unsubscribe_token(sess: Session, token: str) -> Subscription | None:
    if not tokens.is_token(token):
        return None
    return sess.scalars(
        select(Subscription).where(Subscription.unsubscribe_token_hash == tokens.token_hash(token))
    ).first()


def by_manage_token(sess: Session, token: str) -> Subscriber | None:
    if not tokens.is_token(token):
        return None
    return sess.scalars(
        select(Subscriber).where(Subscriber.manage_token_hash == tokens.token_hash(token))
    ).first()


def end(sess: Session, subscription: Subscription) -> str:
    """Unsubscribe; the address is purged with its last subscription. Returns the label. Caller commits."""
    label = subscription.label
    subscriber = subscription.subscriber
    sess.execute(delete(SubscriptionMessage).where(SubscriptionMessage.subscription_id == subscription.id))
    sess.execute(delete(SubscriptionMatch).where(SubscriptionMatch.subscription_id == subscription.id))
    sess.execute(delete(Subscription).where(Subscription.id == subscription.id))
    sess.expire(subscriber)
    left = sess.scalar(select(func.count(Subscription.id)).where(Subscription.subscriber_id == subscriber.id))
    if not left:
        delete_subscriber(sess, subscriber)
    return label


def delete_subscriber(sess: Session, subscriber: Subscriber) -> None:
    """Delete the address with everything that refers to it (the owner's "delete all"). Caller commits."""
    ids = select(Subscription.id).where(Subscription.subscriber_id == subscriber.id)
    sess.execute(delete(SubscriptionMatch).where(SubscriptionMatch.subscription_id.in_(ids)))
    sess.execute(delete(SubscriptionMessage).where(SubscriptionMessage.subscriber_id == subscriber.id))
    sess.execute(delete(Subscription).where(Subscription.subscriber_id == subscriber.id))
    sess.execute(delete(Subscriber).where(Subscriber.id == subscriber.id))
    sess.expunge(subscriber)


def set_frequency(sess: Session, subscriber: Subscriber, subscription_id: int, frequency: str) -> bool:
    found = next((s for s in subscriber.subscriptions if s.id == subscription_id), None)
    if found is None or frequency not in FREQUENCIES:
        return False
    found.frequency = frequency
    return True


def owned(subscriber: Subscriber, subscription_id: int | None) -> Subscription | None:
    return next((s for s in subscriber.subscriptions if s.id == subscription_id), None)


def revoke(sess: Session, secret_key: str, subscriber: Subscriber) -> None:
    """A new manage link, mailed to the address; every earlier one stops working. Caller commits."""
    subscriber.token_generation += 1
    subscriber.manage_token_hash = tokens.token_hash(manage_token(secret_key, subscriber))
    first = subscriber.subscriptions[0] if subscriber.subscriptions else None
    queue_message(sess, subscriber, "manage", first, utcnow())


def purge(sess: Session, now: datetime | None = None) -> dict[str, int]:
    """Forget what is no longer needed: throttle rows past the longest window, confirmation requests
    nobody followed, and addresses left with no subscription. The caller commits."""
    now = now or utcnow()
    requests = sess.execute(delete(SubscriptionRequest).where(SubscriptionRequest.at < now - REQUEST_KEEP))
    stale = list(
        sess.scalars(
            select(Subscription.id).where(
                Subscription.state == "pending",
                Subscription.created_at < now - timedelta(days=CONFIRM_DAYS),
            )
        )
    )
    for subscription_id in stale:
        # Re-read: ending an address's last subscription deleted its other rows already.
        subscription = sess.scalars(select(Subscription).where(Subscription.id == subscription_id)).first()
        if subscription is not None:
            end(sess, subscription)
    empty = list(sess.scalars(select(Subscriber).where(~Subscriber.subscriptions.any())))
    for subscriber in empty:
        delete_subscriber(sess, subscriber)
    return {"requests": getattr(requests, "rowcount", 0) or 0, "pending": len(stale), "addresses": len(empty)}

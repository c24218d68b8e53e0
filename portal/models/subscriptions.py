"""E-mail subscriptions (订阅): subscribers, what they follow, the change events and the messages sent.

The e-mail address is personal data. It lives in one column (``Subscriber.email``); everything else refers
to the subscriber row, and deleting that row (the owner's "delete all", or unsubscribing from the last
subscription) deletes its subscriptions and messages with it. Tokens are never stored: only their SHA-256
hashes, to find the row a link points at. The sign-up rows the throttle counts keep keyed hashes only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.base import UTCDateTime, utcnow

# What one can follow; ``target`` says which one (empty for "all").
SUBSCRIPTION_KINDS = {
    "all": "全部政策文件",
    "agency": "发文机关",
    "topic": "主题分类",
    "category": "法定主动公开内容类别",
    "document": "单个文件",
    "consultation": "意见征集",
    "search": "保存的搜索",
}
FREQUENCIES = {"immediate": "即时通知", "daily": "每日摘要", "weekly": "每周摘要"}
# pending: waiting for the confirmation link (nothing is sent to it); active: confirmed.
SUBSCRIPTION_STATES = {"pending": "待确认", "active": "已生效"}
# What happened to an item (the event kinds of the outbox).
EVENT_KINDS = {
    "new": "新发布",
    "amended": "已修改",
    "repealed": "已废止",
    "expired": "已失效",
    "revised": "已修订",
    "withdrawn": "已撤回",
    "interpretation": "新增解读",
    "report": "反馈报告已发布",
}
# queued: waiting for an attempt (or a retry while next_attempt_at is set); sent: accepted by the SMTP
# server; bounced: refused for good (5xx for the recipient), never retried; failed: the last attempt failed
# (retried while next_attempt_at is set, given up when it is empty).
MESSAGE_STATES = {"queued": "待发送", "sent": "已发送", "bounced": "被退回", "failed": "发送失败"}
MESSAGE_KINDS = {"confirm": "确认订阅", "alert": "即时通知", "digest": "摘要", "manage": "管理链接"}


class Subscriber(Base):
    """One e-mail address that asked for subscriptions."""

    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # Keyed hash of the normalised address: finds the row without comparing addresses in SQL.
    email_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The manage link's token is derived from the app secret, the id and this generation; bumping the
    # generation revokes every link sent so far. The hash finds the subscriber from a link.
    token_generation: Mapped[int] = mapped_column(Integer, default=1)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    bounces: Mapped[int] = mapped_column(Integer, default=0)  # consecutive hard bounces
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="subscriber",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Subscription.id",
    )


class Subscription(Base):
    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("subscriber_id", "kind", "target", name="uq_subscription_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    target: Mapped[str] = mapped_column(String(500), default="")  # slug, topic name, category or query
    label: Mapped[str] = mapped_column(String(500), default="")  # what the subscriber sees it as
    frequency: Mapped[str] = mapped_column(String(16), default="immediate")
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # Each confirmation request bumps the generation: the token of the link (derived from the app secret,
    # the id and the generation) changes, and an older confirmation link stops working.
    generation: Mapped[int] = mapped_column(Integer, default=1)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    unsubscribe_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions", lazy="joined")


class SubscriptionEvent(Base):
    """The outbox: one change to a public item, written in the transaction of the change.

    ``payload`` keeps what the message needs as it was at the time (title, address, agencies, topics, what
    changed), so that a later edit does not rewrite an earlier alert. ``matched_at`` is set once the
    event was matched against the subscriptions (by ``portal push``, or right after the commit).
    """

    __tablename__ = "subscription_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    item_type: Mapped[str] = mapped_column(String(32))  # document | interpretation | consultation
    item_id: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the document it concerns
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class SubscriptionMatch(Base):
    """An event one subscription is to hear about; ``message_id`` set once a message carries it.

    Immediate subscriptions get a message at once; digest subscriptions collect matches until
    ``portal subscriptions digest`` puts them into one message."""

    __tablename__ = "subscription_match"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id", name="uq_subscription_match"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscription.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("subscription_event.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscription_message.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[SubscriptionMessage | None] = relationship()


class SubscriptionMessage(Base):
    """One e-mail to one subscriber, delivered by the push worker with retries.

    The body is rendered when it is sent, from the events and the subscription: the tokens of its links
    are derived then, so that no token is ever stored."""

    __tablename__ = "subscription_message"
    __table_args__ = (Index("ix_subscription_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscription.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # confirm | alert | digest | manage
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscriber: Mapped[Subscriber] = relationship(lazy="joined")


class SubscriptionRequest(Base):
    """One sign-up or manage-link request, kept only as keyed hashes: the rows the throttle counts, per
    client address and per recipient, shared by every worker. Purged after a day."""

    __tablename__ = "subscription_request"
    __table_args__ = (
        Index("ix_subscription_request_sender", "sender_hash", "at"),
        Index("ix_subscription_request_recipient", "recipient_hash", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_hash: Mapped[str] = mapped_column(String(64))
    recipient_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""New-media push: the channels an admin configures and one Push record per item and channel.

The targets dashboard computes the new-media push ratio from these rows, so a Push exists for every
channel the publisher picked, whatever happened to the delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.base import TimestampMixin, UTCDateTime, utcnow

CHANNEL_KINDS = {"webhook": "Webhook（新媒体网关）", "email": "电子邮件分发", "feed": "Atom 订阅源"}
# pending: waiting for its first attempt; failed: the last attempt failed (retried while
# next_attempt_at is set, given up when it is empty); delivered: done.
PUSH_STATUS = {"pending": "待发送", "delivered": "已送达", "failed": "发送失败"}
PUSH_ITEM_TYPES = {"document": "政策文件", "interpretation": "政策解读"}


class Channel(TimestampMixin, Base):
    __tablename__ = "channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # webhook | email | feed
    # A new-media channel (WeChat, Weibo, app gateway...) counts towards the new-media push ratio.
    new_media: Mapped[bool] = mapped_column(Boolean, default=False)
    # webhook: {"url", "secret"}; email: {"recipients": [...]}; feed: {}
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Channel {self.kind}:{self.name}>"


class Push(Base):
    __tablename__ = "push"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(32), index=True)  # document | interpretation
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    channel: Mapped[Channel] = relationship(lazy="joined")

"""Pre-publication consultations (预公开 / 意见征集): the draft, its clauses, citizen comments, viewpoints.

A consultation is public once published; whether it is upcoming, open or closed follows from its dates
(Beijing local dates, both inclusive) until staff close it and later publish the feedback report.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.accounts import User
from portal.models.agency import Agency
from portal.models.base import TimestampMixin, UTCDateTime, utcnow
from portal.models.documents import Document
from portal.models.throttle_functions import attach as attach_throttle_functions

KINDS = {
    "major_decision": "重大行政决策",
    "normative": "行政规范性文件",
    "other": "其他",
}
# draft: staff only; published: public, phase from the dates; closed: comments are being answered;
# reported: the feedback report is public.
STATUS = {"draft": "草稿", "published": "已发布", "closed": "已结束征集", "reported": "已反馈"}
PHASES = {"upcoming": "即将开始", "open": "正在征集", "closed": "已结束"}
CHANNELS = {"online": "网上提交", "email": "电子邮件", "post": "信函", "phone": "电话"}
MODERATION = {"pending": "待审核", "published": "已公开", "rejected": "未通过审核", "duplicate": "重复意见"}
DISPOSITIONS = {
    "adopted": "采纳",
    "partly": "部分采纳",
    "not_adopted": "未采纳",
    "not_applicable": "不适用",
}


class Consultation(TimestampMixin, Base):
    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    kind: Mapped[str] = mapped_column(String(16), default="other")
    # A normative document that sets rights or duties of citizens and firms needs 7 working days.
    affects_rights: Mapped[bool] = mapped_column(Boolean, default=True)
    draft_md: Mapped[str] = mapped_column(Text, default="")
    basis_md: Mapped[str] = mapped_column(Text, default="")  # 决策依据
    basis_html: Mapped[str] = mapped_column(Text, default="")
    note_md: Mapped[str] = mapped_column(Text, default="")  # 起草说明
    note_html: Mapped[str] = mapped_column(Text, default="")
    accepts_online: Mapped[bool] = mapped_column(Boolean, default=True)
    channel_email: Mapped[str] = mapped_column(String(254), default="")
    channel_post: Mapped[str] = mapped_column(String(500), default="")  # postal address (and postcode)
    channel_phone: Mapped[str] = mapped_column(String(64), default="")
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    short_period_reason: Mapped[str] = mapped_column(Text, default="")  # shown publicly
    status: Mapped[str] = mapped_column(String(16), default="draft")
    draft_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    final_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_md: Mapped[str] = mapped_column(Text, default="")  # summary of the feedback report
    report_html: Mapped[str] = mapped_column(Text, default="")
    report_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    agency: Mapped[Agency] = relationship(lazy="joined")
    draft_document: Mapped[Document | None] = relationship(foreign_keys=[draft_document_id])
    final_document: Mapped[Document | None] = relationship(foreign_keys=[final_document_id])
    clauses: Mapped[list[Clause]] = relationship(
        back_populates="consultation", order_by="Clause.position", cascade="all, delete-orphan"
    )
    viewpoints: Mapped[list[Viewpoint]] = relationship(
        back_populates="consultation", order_by="Viewpoint.position", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.status != "draft"

    def __repr__(self) -> str:
        return f"<Consultation {self.slug}>"


class Clause(Base):
    """One block of the draft. Blocks with a label (第三条, 一、) are clauses a comment can be about."""

    __tablename__ = "consultation_clause"
    __table_args__ = (UniqueConstraint("consultation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # stable anchor: #clause-<number>
    label: Mapped[str] = mapped_column(String(64), default="")  # 第三条; empty for headings and preamble
    text_md: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")

    consultation: Mapped[Consultation] = relationship(back_populates="clauses")

    @property
    def anchor(self) -> str:
        return f"clause-{self.number}"


class Viewpoint(Base):
    """Comments saying the same thing, answered once in the feedback report (意见归类)."""

    __tablename__ = "consultation_viewpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text)
    disposition: Mapped[str] = mapped_column(String(16), default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # why (partly) not adopted

    consultation: Mapped[Consultation] = relationship(back_populates="viewpoints")
    comments: Mapped[list[Comment]] = relationship(back_populates="viewpoint", order_by="Comment.id")


class Comment(Base):
    __tablename__ = "consultation_comment"
    # The comment throttle counts a sender's comments in a time window (portal.services.throttles).
    __table_args__ = (Index("ix_consultation_comment_sender_received", "sender_hash", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    clause_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_clause.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(64), default="")
    contact: Mapped[str] = mapped_column(String(254), default="")  # never shown publicly
    consent: Mapped[bool] = mapped_column(Boolean, default=False)  # to publication on the site
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    # From the form (or the sender's retry): a resubmission finds the comment it already created.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(8), default="online")
    sender_hash: Mapped[str] = mapped_column(String(64), default="")  # keyed hash of the address
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    moderation: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_comment.id", ondelete="SET NULL")
    )
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disposition: Mapped[str] = mapped_column(String(16), default="")
    disposition_reason: Mapped[str] = mapped_column(Text, default="")
    viewpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_viewpoint.id", ondelete="SET NULL"), index=True
    )
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # told that the report is out

    consultation: Mapped[Consultation] = relationship()
    clause: Mapped[Clause | None] = relationship()
    viewpoint: Mapped[Viewpoint | None] = relationship(back_populates="comments")
    entered_by: Mapped[User | None] = relationship()

    @property
    def is_shown(self) -> bool:
        """Listed on the public page: accepted by moderation and its author agreed to publication."""
        return self.moderation == "published" and self.consent


# PostgreSQL: the comment throttle's lock-then-read function (see throttle_functions); create_all installs it.
attach_throttle_functions(cast(Table, Comment.__table__))  # a mapped class's table is a Table


class BlockedSender(TimestampMixin, Base):
    """A sender whose comments are refused: by keyed address hash or by contact."""

    __tablename__ = "consultation_blocked_sender"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    contact: Mapped[str] = mapped_column(String(254), default="", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    blocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

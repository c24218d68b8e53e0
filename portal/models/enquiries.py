"""Citizens' enquiries (政务咨询/留言) and error reports (我为政府网站找错).

A message is written to the district or one agency, accepted (受理) or refused as out of scope, answered on
the working-day clock (a reply is drafted and reviewed by another person), and published with or without
the question as the writer consented. Each step is an event that stores the due date it left. The zombie
rule (NORMS 24) and the publication cadence (NORMS 25) are computed from these rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.accounts import User
from portal.models.agency import Agency
from portal.models.base import TimestampMixin, UTCDateTime, utcnow

# 投诉/信访 and reports of misconduct go to their own channels and do not count (NORMS 23).
KINDS = {"consult": "咨询", "suggest": "建议", "error": "网站纠错"}
STATES = {
    "received": "待受理",
    "accepted": "已受理",
    "drafted": "答复待审核",
    "answered": "已答复",
    "rejected": "不予受理",
}
TOPICS = {
    "policy": "政策咨询",
    "service": "办事服务",
    "education": "教育",
    "housing": "住房和城乡建设",
    "environment": "环境和城市管理",
    "social": "民政和社会保障",
    "other": "其他",
}


class Enquiry(TimestampMixin, Base):
    __tablename__ = "enquiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    sender_hash: Mapped[str] = mapped_column(String(32), default="", index=True)
    kind: Mapped[str] = mapped_column(String(16), default="consult")
    topic: Mapped[str] = mapped_column(String(16), default="other")
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    first_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    page_url: Mapped[str] = mapped_column(String(500), default="")  # error reports: the page concerned
    name: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)  # may the question be published
    # The writer's optional attachment (one file, checked like staff uploads and stored by content under
    # <instance>/attachments/): for the staff who handle the message, never published.
    attachment_name: Mapped[str] = mapped_column(String(160), default="")
    attachment_kind: Mapped[str] = mapped_column(String(8), default="")
    attachment_size: Mapped[int] = mapped_column(Integer, default=0)
    attachment_sha256: Mapped[str] = mapped_column(String(64), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)  # 留言时间 (Beijing date)
    accepted_on: Mapped[date | None] = mapped_column(Date)  # 受理时间
    due_on: Mapped[date | None] = mapped_column(Date, index=True)  # to accept, then to answer
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="received", index=True)
    rejected_reason: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    reply_drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    replied_on: Mapped[date | None] = mapped_column(Date, index=True)  # 答复时间
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    publish_question: Mapped[bool] = mapped_column(Boolean, default=False)

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id], lazy="joined")
    first_agency: Mapped[Agency] = relationship(foreign_keys=[first_agency_id])
    reply_drafted_by: Mapped[User | None] = relationship(foreign_keys=[reply_drafted_by_id])
    events: Mapped[list[EnquiryEvent]] = relationship(
        back_populates="enquiry", order_by="EnquiryEvent.id", cascade="all, delete-orphan"
    )

    @property
    def valid(self) -> bool:
        """Counted by the zombie rule: everything not refused as out of scope."""
        return self.state != "rejected"


class EnquiryEvent(Base):
    __tablename__ = "enquiry_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(ForeignKey("enquiry.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    enquiry: Mapped[Enquiry] = relationship(back_populates="events")

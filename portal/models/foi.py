"""Requests for government information (依申请公开) under the 政府信息公开条例 (2019).

A request is received through a channel, counted on the statutory working-day clock from its receipt date
(art 31), may be paused (补正 art 30, third-party consultation art 32, fee notice art 42), extended once
(art 33), and ends with one outcome that is exactly one row of the 2021 annual report's table 3. Every
step is an event row that stores the due date it left, so the history of the clock is never recomputed
from memory. Remedies (行政复议, 行政诉讼) against a reply are recorded for table 4.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.accounts import User
from portal.models.agency import Agency
from portal.models.base import TimestampMixin, UTCDateTime, utcnow

# The columns of table 3: a natural person, or one of five kinds of 法人或其他组织.
APPLICANT_TYPES = {
    "person": "自然人",
    "business": "商业企业",
    "research": "科研机构",
    "public_interest": "社会公益组织",
    "legal_services": "法律服务机构",
    "other": "其他组织",
}
ID_TYPES = {
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macao": "港澳居民来往内地通行证",
    "taiwan": "台湾居民来往大陆通行证",
    "credit_code": "统一社会信用代码",
    "other": "其他有效证件",
}
# How the application arrived; each has its own receipt-date rule (art 31).
CHANNELS = {
    "online": "网上申请",
    "in_person": "当面提交",
    "post_signed": "邮寄（需签收）",
    "post_ordinary": "平常信函",
    "fax": "传真",
    "email": "电子邮件",
}
FORMS = {"electronic": "电子文本", "paper": "纸质文本"}
DELIVERY = {"email": "电子邮件", "post": "邮寄", "pickup": "当面领取", "online": "网上查看"}
STATES = {
    "submitted": "待登记确认",
    "open": "办理中",
    "correction": "待补正",
    "consulting": "征求第三方意见",
    "fee": "待缴费",
    "drafted": "答复待审核",
    "answered": "已答复",
    "closed": "已办结",
}
CONCLUDED_STATES = ("answered", "closed")
REMEDY_KINDS = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼（未经复议直接起诉）",
    "litigation_after_review": "行政诉讼（复议后起诉）",
}
REMEDY_RESULTS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结"}


class InfoRequest(TimestampMixin, Base):
    __tablename__ = "info_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    # The applicant's query password is kept as a hash only: the receipt code alone opens nothing.
    secret_hash: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)  # handling now
    first_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # received by (transfers keep it)
    applicant_type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    contact_person: Mapped[str] = mapped_column(String(50), default="")  # for an organisation
    id_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text)
    doc_ref: Mapped[str] = mapped_column(String(200), default="")  # 文号 or title when known
    form_wanted: Mapped[str] = mapped_column(String(16), default="electronic")
    delivery: Mapped[str] = mapped_column(String(16), default="email")
    channel: Mapped[str] = mapped_column(String(16), default="online")
    sender_hash: Mapped[str] = mapped_column(String(32), default="", index=True)  # keyed hash of the address
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_on: Mapped[date | None] = mapped_column(Date, index=True)  # art 31; None until confirmed
    clock_start_on: Mapped[date | None] = mapped_column(Date)  # receipt, or the day a 补正 arrived
    due_on: Mapped[date | None] = mapped_column(Date, index=True)  # None while the clock is paused
    pause_deadline_on: Mapped[date | None] = mapped_column(Date)  # 补正 / third party / payment by
    extended_days: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    outcome: Mapped[str] = mapped_column(String(32), default="")
    outcome_detail: Mapped[str] = mapped_column(Text, default="")  # reasons, what is given, where
    outcome_link: Mapped[str] = mapped_column(String(500), default="")  # already public: where
    refer_body: Mapped[str] = mapped_column(String(300), default="")  # not held: who holds it
    letter_text: Mapped[str] = mapped_column(Text, default="")
    letter_drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    letter_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    concluded_on: Mapped[date | None] = mapped_column(Date, index=True)  # replied or lapsed
    fee_method: Mapped[str] = mapped_column(String(16), default="")  # per_application | per_page
    fee_amount: Mapped[int] = mapped_column(Integer, default=0)  # yuan
    fee_paid_on: Mapped[date | None] = mapped_column(Date)

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id], lazy="joined")
    first_agency: Mapped[Agency] = relationship(foreign_keys=[first_agency_id])
    letter_drafted_by: Mapped[User | None] = relationship(foreign_keys=[letter_drafted_by_id])
    letter_approved_by: Mapped[User | None] = relationship(foreign_keys=[letter_approved_by_id])
    events: Mapped[list[InfoRequestEvent]] = relationship(
        back_populates="request", order_by="InfoRequestEvent.id", cascade="all, delete-orphan"
    )
    remedies: Mapped[list[InfoRequestRemedy]] = relationship(
        back_populates="request", order_by="InfoRequestRemedy.id", cascade="all, delete-orphan"
    )

    @property
    def concluded(self) -> bool:
        return self.state in CONCLUDED_STATES


class InfoRequestEvent(Base):
    """One step of a request, with the due date it left (None: the clock is paused)."""

    __tablename__ = "info_request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("info_request.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    on: Mapped[date] = mapped_column(Date)  # the day it took effect (Beijing)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when it was recorded
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    request: Mapped[InfoRequest] = relationship(back_populates="events")


class InfoRequestRemedy(Base):
    """A 行政复议 or 行政诉讼 brought against the handling of a request (table 4)."""

    __tablename__ = "info_request_remedy"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("info_request.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filed_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(16), default="pending")
    decided_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[InfoRequest] = relationship(back_populates="remedies")

"""Records of the publishing workflow: 三同步 waivers, reviewers' remarks, versions and attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.accounts import User
from portal.models.base import UTCDateTime, utcnow


class PublicationWaiver(Base):
    """A publisher's decision to publish a normative document without an interpretation (三同步 waiver)."""

    __tablename__ = "publication_waiver"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()


class ReviewRemark(Base):
    """What a reviewer wrote when returning a draft (退回意见), shown to the editor."""

    __tablename__ = "review_remark"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(32))  # document | interpretation
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    remarks: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()


class DocumentVersion(Base):
    """One published state of a document or interpretation (更新记录).

    Number 1 is the first publication; every later edit of a published item adds one with its change
    note. ``snapshot`` holds the metadata and Markdown body, so staff can diff any two versions.
    """

    __tablename__ = "document_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(32), default="document")  # document | interpretation
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[int] = mapped_column(Integer)
    change_note: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    user_name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


ATTACHMENT_KINDS = {
    "pdf": "PDF",
    "docx": "Word",
    "xlsx": "Excel",
    "png": "图片",
    "jpeg": "图片",
    "gif": "图片",
}


class Attachment(Base):
    """A file attached to a document, stored under the instance folder (never in the web root)."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, shown and used for download
    kind: Mapped[str] = mapped_column(
        String(8)
    )  # sniffed from the content: pdf | docx | xlsx | png | jpeg | gif
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(80))  # <sha256>.<kind> inside instance/attachments
    # Extracted text, capped (services.attachments.MAX_TEXT_CHARS); deferred so that listing attachments
    # never loads it. The privacy check reads ``privacy_hits``, found once over the whole text at upload.
    text: Mapped[str] = mapped_column(Text, default="", deferred=True)
    privacy_hits: Mapped[list] = mapped_column(JSON, default=list)  # [[kind, masked], ...], capped
    privacy_hit_count: Mapped[int] = mapped_column(Integer, default=0)  # all hits, listed or not
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""The government gazette (政府公报): numbered issues with an ordered table of contents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.base import TimestampMixin, UTCDateTime
from portal.models.documents import Document

GAZETTE_STATUS = {"draft": "草稿", "published": "已发布", "withdrawn": "已撤回"}
# The headings of a printed table of contents, in their usual order (an issue may use others).
GAZETTE_CATEGORIES = ["区政府文件", "区政府办公室文件", "部门文件", "其他文件"]


class GazetteIssue(TimestampMixin, Base):
    """One printed issue: 2020年第5期（总第123期）."""

    __tablename__ = "gazette_issue"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_gazette_issue_year_number"),
        UniqueConstraint("running_number", name="uq_gazette_issue_running_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)  # "2020-05", the content file's name
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # issue number within the year
    running_number: Mapped[int | None] = mapped_column(Integer)  # 总第N期
    custom_title: Mapped[str] = mapped_column(String(200), default="")  # e.g. a special issue's name (专刊)
    published_on: Mapped[date] = mapped_column(Date)  # the printed date
    pdf_url: Mapped[str] = mapped_column(String(500), default="")  # the printed issue, from a content file
    # The printed issue uploaded by staff, stored like attachments: <instance>/attachments/<sha256>.pdf
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    pdf_filename: Mapped[str] = mapped_column(String(255), default="")
    pdf_size: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="published")  # see GAZETTE_STATUS
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first publication on the site
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    entries: Mapped[list[GazetteEntry]] = relationship(
        back_populates="issue", order_by="GazetteEntry.position", cascade="all, delete-orphan"
    )

    @property
    def issue_label(self) -> str:
        """2020年第5期（总第123期）."""
        running = f"（总第{self.running_number}期）" if self.running_number else ""
        return f"{self.year}年第{self.number}期{running}"

    @property
    def title(self) -> str:
        if self.custom_title:
            return f"政府公报{self.issue_label} {self.custom_title}"
        return f"政府公报{self.issue_label}"

    @property
    def is_public(self) -> bool:
        return self.status == "published"

    @property
    def pdf_storage_name(self) -> str:
        return f"{self.pdf_sha256}.pdf" if self.pdf_sha256 else ""

    def __repr__(self) -> str:
        return f"<GazetteIssue {self.slug}>"


class GazetteEntry(Base):
    """One line of an issue's table of contents: a document under a category heading.

    A document appears in one issue only (the printed gazette carries each document once).
    """

    __tablename__ = "gazette_entry"
    __table_args__ = (UniqueConstraint("document_id", name="uq_gazette_entry_document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("gazette_issue.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(64))  # 区政府文件, 区政府办公室文件, ...
    # Unique (see __table_args__), which also indexes it for "which issue carried this document".
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))

    issue: Mapped[GazetteIssue] = relationship(back_populates="entries")
    document: Mapped[Document] = relationship(lazy="joined")

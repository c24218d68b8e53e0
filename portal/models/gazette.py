"""The government gazette (政府公报): numbered issues with an ordered table of contents."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.base import TimestampMixin
from portal.models.documents import Document


class GazetteIssue(TimestampMixin, Base):
    """One printed issue: 2020年第5期（总第123期）."""

    __tablename__ = "gazette_issue"
    __table_args__ = (UniqueConstraint("year", "number", name="uq_gazette_issue_year_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)  # "2020-05", the content file's name
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)  # issue number within the year
    running_number: Mapped[int | None] = mapped_column(Integer)  # 总第N期
    published_on: Mapped[date] = mapped_column(Date)
    pdf_url: Mapped[str] = mapped_column(String(500), default="")  # the printed issue, if any
    status: Mapped[str] = mapped_column(String(16), default="published")
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    entries: Mapped[list[GazetteEntry]] = relationship(
        back_populates="issue", order_by="GazetteEntry.position", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        running = f"（总第{self.running_number}期）" if self.running_number else ""
        return f"政府公报{self.year}年第{self.number}期{running}"

    @property
    def is_public(self) -> bool:
        return self.status == "published"

    def __repr__(self) -> str:
        return f"<GazetteIssue {self.slug}>"


class GazetteEntry(Base):
    """One line of an issue's table of contents: a document under a category heading."""

    __tablename__ = "gazette_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("gazette_issue.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(64))  # 区政府文件, 区政府办公室文件, ...
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)

    issue: Mapped[GazetteIssue] = relationship(back_populates="entries")
    document: Mapped[Document] = relationship(lazy="joined")

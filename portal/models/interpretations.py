"""Policy interpretations (政策解读) and their ordered Q&A items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.base import TimestampMixin, UTCDateTime
from portal.models.documents import Document

FORMS = {"qa": "问答", "graphic": "图解", "video": "视频", "text": "文字"}


class Interpretation(TimestampMixin, Base):
    __tablename__ = "interpretation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(128), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    form: Mapped[str] = mapped_column(String(16), default="qa")
    interpreter: Mapped[str] = mapped_column(String(64), default="")  # 第一解读人
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    interpreted_on: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    body_md: Mapped[str] = mapped_column(Text, default="")  # lead text, or the whole text for form=text
    body_html: Mapped[str] = mapped_column(Text, default="")
    media_url: Mapped[str] = mapped_column(String(500), default="")  # graphic or video
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    document: Mapped[Document] = relationship(back_populates="interpretations")
    agency: Mapped[Agency | None] = relationship()
    items: Mapped[list[QAItem]] = relationship(
        back_populates="interpretation", order_by="QAItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.status == "published" and self.document.is_public


class QAItem(Base):
    __tablename__ = "qa_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    interpretation_id: Mapped[int] = mapped_column(
        ForeignKey("interpretation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    question: Mapped[str] = mapped_column(Text)
    answer_md: Mapped[str] = mapped_column(Text)
    answer_html: Mapped[str] = mapped_column(Text, default="")

    interpretation: Mapped[Interpretation] = relationship(back_populates="items")

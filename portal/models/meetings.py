"""The meetings register (会议开放): department and street meetings, whether they were open, and minutes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.base import TimestampMixin

# Who was invited to sit in (列席). Any of them, or a live stream, makes the meeting open.
INVITED_GROUPS = {"public": "企业市民代表", "experts": "专家学者", "media": "媒体"}


class Meeting(TimestampMixin, Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    # Derived by the service from invited/stream_url and stored, so that lists can filter on it.
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    invited: Mapped[list[str]] = mapped_column(JSON, default=list)  # keys of INVITED_GROUPS
    stream_url: Mapped[str] = mapped_column(String(500), default="")
    minutes_md: Mapped[str] = mapped_column(Text, default="")
    minutes_html: Mapped[str] = mapped_column(Text, default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)  # never held: excluded from targets
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    agency: Mapped[Agency] = relationship(lazy="joined")

    @property
    def invited_labels(self) -> list[str]:
        return [INVITED_GROUPS[g] for g in self.invited if g in INVITED_GROUPS]

    def __repr__(self) -> str:
        return f"<Meeting {self.slug}>"

"""Agencies: the issuing and responsible bodies (发文机关 / 部门 / 街道)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base

AGENCY_KINDS = {
    "government": "人民政府",
    "party": "党委机关",
    "department": "政府部门",
    "street": "街道",
    "other": "其他",
}


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    short_name: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16), default="department")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Agency | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Agency {self.slug}>"

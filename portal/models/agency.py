"""Agencies: the bodies that own items on the portal (部门 / 街道) and the bodies that issue documents
(发文机关), which may sit outside the district (中共北京市委办公厅). An issuer typed in by staff or found
by the importer that the portal did not know yet is created on the fly, flagged ``needs_review`` until an
administrator checks its name and kind."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
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
    # Outside the district: it issues documents the portal republishes, but owns none and has no staff.
    external: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)  # created on the fly, unchecked
    # Its FOI office (政府信息公开工作机构), as the 指南 must give it (条例 art 12, NORMS 4): kept here so the
    # guide page is always the record, and a blank field is flagged on the staff dashboard.
    foi_office_name: Mapped[str] = mapped_column(String(128), default="")
    foi_address: Mapped[str] = mapped_column(String(255), default="")  # 办公地址 (where to hand in)
    foi_hours: Mapped[str] = mapped_column(Text, default="")  # 办公时间
    foi_phone: Mapped[str] = mapped_column(String(64), default="")
    foi_fax: Mapped[str] = mapped_column(String(64), default="")
    foi_email: Mapped[str] = mapped_column(String(254), default="")
    foi_postal: Mapped[str] = mapped_column(String(255), default="")  # 通信地址 with 邮政编码 (by post)

    parent: Mapped[Agency | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Agency {self.slug}>"

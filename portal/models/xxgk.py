"""The 政府信息公开专栏 (/xxgk/): the district's own disclosure categories and its information pages.

The art 20 categories are fixed by the 条例 and live in code (portal/services/xxgk/categories.py); the
categories a district adds under art 21 are configuration, loaded from content/xxgk/categories.yml into
:class:`DisclosureCategory`. An :class:`InfoPage` is a short piece of proactively disclosed information
that is not a 公文 (a budget notice, a recruitment result, an office's functions) listed under one
category beside the documents.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.base import TimestampMixin


class DisclosureCategory(Base):
    """A category the district adds to art 20's (art 21: 市政建设, 公共服务, 社会救助, ...)."""

    __tablename__ = "disclosure_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(String(128), default="")  # the rule that asks for it
    position: Mapped[int] = mapped_column(Integer, default=0)


class InfoPage(TimestampMixin, Base):
    """A published information page of one disclosure category, loaded from content/xxgk/pages/."""

    __tablename__ = "info_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(32), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    published_on: Mapped[date] = mapped_column(Date)
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    agency: Mapped[Agency | None] = relationship(lazy="joined")

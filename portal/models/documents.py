"""Policy documents (政策文件), their topics, measures and validity links."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.base import TimestampMixin, UTCDateTime

if TYPE_CHECKING:
    from portal.models.interpretations import Interpretation

VALIDITY = {"valid": "有效", "amended": "已修订", "repealed": "已废止", "expired": "已失效"}
DISCLOSURE = {"active": "主动公开", "on_request": "依申请公开", "withheld": "不予公开"}
# Workflow states; only "published" items with active disclosure are public.
STATUS = {
    "draft": "草稿",
    "in_review": "待审核",
    "approved": "已审核",
    "published": "已发布",
    "withdrawn": "已撤回",
}
MEASURE_STATUS = {"pending": "未开始", "in_progress": "推进中", "done": "已完成"}
LINK_KINDS = {"amends": "修订", "repeals": "废止"}


class DocumentAgency(Base):
    """Issuing agencies of a document (发文机关), in the order they sign (joint issuance).

    Who issued a document is a fact of the text; who maintains it on the portal is ``Document.owner``."""

    __tablename__ = "document_agency"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    agency: Mapped[Agency] = relationship(lazy="joined")


document_topic = Table(
    "document_topic",
    Base.metadata,
    Column("document_id", ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id"), primary_key=True),
)


class Topic(Base):
    """主题分类."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


_NUMBERED = text("index_no <> ''")
_REGISTERED = text("normative AND registration_no <> ''")


class Document(TimestampMixin, Base):
    __tablename__ = "document"
    # 索引号 (NORMS 5) and a normative document's registration number (NORMS 9) are unique once given;
    # the services check first and say so in Chinese, the indexes hold against two writers at once.
    __table_args__ = (
        Index(
            "uq_document_index_no",
            "index_no",
            unique=True,
            sqlite_where=_NUMBERED,
            postgresql_where=_NUMBERED,
        ),
        Index(
            "uq_document_registration_no",
            "registration_no",
            unique=True,
            sqlite_where=_REGISTERED,
            postgresql_where=_REGISTERED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(128), unique=True)
    index_no: Mapped[str] = mapped_column(String(64), default="")  # 索引号
    title: Mapped[str] = mapped_column(String(500))
    doc_number: Mapped[str] = mapped_column(String(64), default="")  # 文号, as printed
    doc_number_key: Mapped[str] = mapped_column(String(64), default="", index=True)  # normalised 文号
    written_on: Mapped[date | None] = mapped_column(Date)  # 成文日期
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 发布日期, set once
    genre: Mapped[str] = mapped_column(String(32), default="")  # 公文种类
    normative: Mapped[bool] = mapped_column(Boolean, default=False)  # 规范性文件
    registration_no: Mapped[str] = mapped_column(String(64), default="")
    validity: Mapped[str] = mapped_column(String(16), default="valid")
    # The day a repeal, amendment or expiry took effect: the yearly 废止 counts of report table 2 (NORMS 39)
    # are counted by it. Empty while the document is valid.
    validity_since: Mapped[date | None] = mapped_column(Date)
    disclosure: Mapped[str] = mapped_column(String(16), default="active")
    disclosure_reason: Mapped[str] = mapped_column(Text, default="")
    # 公开类别: the section of 法定主动公开内容 (条例 art 20/21) or 政府信息公开制度 the document is listed
    # under; a slug of portal.services.xxgk.categories. Set at drafting, required at publication.
    disclosure_category: Mapped[str] = mapped_column(String(32), default="", index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")  # 来源: where the official text came from
    content_hash: Mapped[str] = mapped_column(String(64), default="")  # of the content file last loaded
    # The agency whose staff maintain the item (permissions); not necessarily an issuer: a district
    # office republishes documents issued by the city (转发).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    # Duplicate control: the normalised title, and documents staff confirmed this one does not duplicate.
    title_key: Mapped[str] = mapped_column(String(500), default="", index=True)
    not_duplicate_of: Mapped[list[int]] = mapped_column(JSON, default=list)

    owner: Mapped[Agency | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    fingerprint: Mapped[list[BodyFingerprint]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    issuers: Mapped[list[DocumentAgency]] = relationship(
        order_by=DocumentAgency.position, cascade="all, delete-orphan", lazy="selectin"
    )
    topics: Mapped[list[Topic]] = relationship(secondary=document_topic, lazy="selectin", order_by=Topic.name)
    measures: Mapped[list[Measure]] = relationship(
        back_populates="document", order_by="Measure.position", cascade="all, delete-orphan"
    )
    interpretations: Mapped[list[Interpretation]] = relationship(
        back_populates="document", cascade="all, delete-orphan"
    )

    @property
    def agencies(self) -> list[Agency]:
        return [link.agency for link in self.issuers]

    @property
    def is_public(self) -> bool:
        return self.status == "published" and self.disclosure == "active"

    def __repr__(self) -> str:
        return f"<Document {self.slug}>"


class BodyFingerprint(Base):
    """One 16-bit band of the SimHash of a document's body. Two bodies within 3 bits of each other share
    at least one band (pigeonhole), so near-identical bodies are found by an indexed equality lookup."""

    __tablename__ = "body_fingerprint"
    __table_args__ = (Index("ix_body_fingerprint_band_value", "band", "value"),)

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Measure(Base):
    """A numbered task of a work plan with its responsible units (任务/措施)."""

    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    no: Mapped[str] = mapped_column(String(16))  # the label as printed: "28" or "十七"
    text: Mapped[str] = mapped_column(Text)
    units: Mapped[list[str]] = mapped_column(JSON, default=list)  # 责任单位 / 负责落实
    lead: Mapped[list[str]] = mapped_column(JSON, default=list)  # 牵头单位
    status: Mapped[str] = mapped_column(String(16), default="pending")

    document: Mapped[Document] = relationship(back_populates="measures")


class DocumentLink(Base):
    """``source`` amends or repeals ``target``; the target's page shows a banner linking the source."""

    __tablename__ = "document_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # amends | repeals

    source: Mapped[Document] = relationship(foreign_keys=[source_id])
    target: Mapped[Document] = relationship(foreign_keys=[target_id])

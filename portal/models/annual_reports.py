"""政府信息公开工作年度报告 (2021 format, 国办公开办函〔2021〕30号): one report per agency and year.

What the records cannot give is kept here: the figures staff enter (行政许可, 行政处罚, 行政强制, 行政事业性收费,
each with its source; tables 3 and 4 for years before the FOI register), the six sections of text, and the
figures as they stood when the report was published (so next year's 现行有效 continues from them). The
report itself goes out as a :class:`~portal.models.documents.Document` of genre :data:`GENRE` through the
normal workflow; ``document_id`` points at it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.base import TimestampMixin, UTCDateTime
from portal.models.documents import Document

# The genre of the published report; the /xxgk/ 年报 column lists published documents of exactly this genre.
GENRE = "政府信息公开工作年度报告"

# The six sections of the 2021 format (NORMS 38), in order.
SECTIONS = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "remedies": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}

# Table 2 figures that no record of the portal holds: entered by staff with their source (NORMS 39).
ENTERED_FIGURES = {
    "licensing": ("第二十条第（五）项", "行政许可", "本年处理决定数量"),
    "penalty": ("第二十条第（六）项", "行政处罚", "本年处理决定数量"),
    "coercion": ("第二十条第（六）项", "行政强制", "本年处理决定数量"),
    "fees": ("第二十条第（八）项", "行政事业性收费", "本年收费金额（单位：万元）"),
}

# Where tables 3 and 4 come from: the FOI register, or figures entered for a year before it existed.
TABLE_SOURCES = {"records": "依申请公开记录统计", "entered": "人工录入"}


class AnnualReport(TimestampMixin, Base):
    __tablename__ = "annual_report"
    __table_args__ = (UniqueConstraint("agency_id", "year", name="uq_annual_report_agency_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    # The reporting body: a government (kind "government") reports for the whole district by 31 March,
    # a department or street for itself by 31 January (art 49, NORMS 37).
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    # {"licensing": {"value": 12, "source": "区政务服务局审批系统"}, ..., "table3": {"source": "records"},
    #  "table3_rows": {row: {column: n}}, "table4": {"source": "entered"}, "table4_rows": {kind: {result: n}}}
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sections: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # SECTIONS key -> Markdown
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    # The tables as composed into the document, compared again at publication: figures that moved
    # after review must go through review again.
    composed: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The tables as published, with the ids of the documents counted as 现行有效 (next year starts here).
    published: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship(lazy="joined")
    document: Mapped[Document | None] = relationship()

    @property
    def is_district(self) -> bool:
        return self.agency.kind == "government"

    def __repr__(self) -> str:
        return f"<AnnualReport {self.agency_id}/{self.year}>"

"""Writing an annual report: create it for a year, enter figures and text, compose it into its document,
and the checks the publishing workflow runs on it.

The report is published as a :class:`Document` of genre :data:`GENRE` through the normal workflow
(submit → review → publish, :mod:`portal.services.publishing`); that workflow calls
:func:`check_publication` before it publishes such a document, and :func:`on_published` after, so the
invariants are asserted on the figures as they stand at that moment, not as they stood when drafted.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import today_local
from portal.ingest.markdown import render_markdown
from portal.models import Agency, AnnualReport, Document, DocumentAgency, Topic, User
from portal.models.annual_reports import ENTERED_FIGURES, GENRE, SECTIONS, TABLE_SOURCES
from portal.models.base import utcnow
from portal.models.foi import REMEDY_KINDS, REMEDY_RESULTS
from portal.services.annual_reports import drafting
from portal.services.annual_reports.tables import Tables, compute
from portal.services.audit import record
from portal.services.documents import update_duplicate_keys
from portal.services.foi import report as foi_report
from portal.services.foi.outcomes import ROW_KEYS

Actor = User | str
TABLE3_ROWS = ("new", "carried_in", *ROW_KEYS, "results_total", "carried_out")
MAX_COUNT = 1_000_000
MAX_SOURCE = 200
MAX_SECTION = 20_000


class ReportError(Exception):
    """A refused change; ``message`` is Chinese, ``field`` the form field it concerns (if any)."""

    def __init__(self, message: str, field: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def may_write(user: User, report: AnnualReport) -> tuple[bool, str]:
    """Editors of the reporting agency write the report while its document is a draft (or not yet made)."""
    if not user.has_role("editor") or user.agency_id != report.agency_id:
        return False, "只有本单位的编辑人员可以编写本单位的年度报告。"
    if report.document is not None and report.document.status != "draft":
        return False, "年度报告文稿已送审或已发布；如需修改，请先退回为草稿。"
    return True, ""


def _require(user: Actor, report: AnnualReport) -> None:
    if isinstance(user, User):
        allowed, why = may_write(user, report)
        if not allowed:
            raise ReportError(why, status=403)


def reports(sess: Session, user: User) -> list[AnnualReport]:
    """The reports ``user`` may see: publishers and admins all, other staff their agency's."""
    stmt = select(AnnualReport).order_by(AnnualReport.year.desc(), AnnualReport.agency_id)
    if not user.has_role("publisher", "admin"):
        stmt = stmt.where(AnnualReport.agency_id == (user.agency_id or -1))
    return list(sess.scalars(stmt))


def report_by_id(sess: Session, report_id: int) -> AnnualReport | None:
    return sess.get(AnnualReport, report_id)


def own_agency(sess: Session, user: User) -> Agency | None:
    """The agency ``user`` writes reports for (none for unassigned staff)."""
    return sess.get(Agency, user.agency_id) if user.agency_id else None


def can_see(user: User, report: AnnualReport) -> bool:
    return user.has_role("publisher", "admin") or (
        user.agency_id is not None and user.agency_id == report.agency_id
    )


def create(sess: Session, user: Actor, agency: Agency, year: int) -> AnnualReport:
    """A new report for ``year``, its sections drafted from the figures of that year."""
    if not 2008 <= year <= today_local().year:
        raise ReportError("年度应在 2008 年至今年之间。", "year")
    if agency.external:
        raise ReportError("只有本区的单位编写政府信息公开工作年度报告。", "agency_id")
    if isinstance(user, User) and (not user.has_role("editor") or user.agency_id != agency.id):
        raise ReportError("只能为本单位新建年度报告。", status=403)
    exists = sess.scalar(
        select(AnnualReport.id).where(AnnualReport.agency_id == agency.id, AnnualReport.year == year)
    )
    if exists is not None:
        raise ReportError(f"{agency.name}{year}年的年度报告已经存在。", "year", status=409)
    report = AnnualReport(year=year, agency_id=agency.id, agency=agency, figures={}, sections={})
    sess.add(report)
    sess.flush()
    report.sections = drafting.drafts(compute(sess, report))
    record(sess, user, "annual_report.create", report, after={"year": year, "agency": agency.name})
    return report


def _count(raw: Any, label: str, field: str) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) > MAX_COUNT:
        raise ReportError(f"{label}应为 0 至 {MAX_COUNT} 的整数。", field)
    return int(text)


def parse_figures(values: dict[str, Any]) -> dict[str, Any]:
    """Entered figures from a flat mapping (form fields or the loader's YAML), checked; raises ReportError."""
    figures: dict[str, Any] = {}
    for key, (_art, label, _unit) in ENTERED_FIGURES.items():
        raw = str(values.get(f"{key}_value") or "").strip()
        source = str(values.get(f"{key}_source") or "").strip()
        if len(source) > MAX_SOURCE:
            raise ReportError(f"{label}的数据来源不能超过 {MAX_SOURCE} 个字。", f"{key}_source")
        value: int | str | None = None
        if raw:
            if key == "fees":
                try:
                    amount = Decimal(raw)
                except InvalidOperation:
                    raise ReportError(f"{label}金额应为数字（单位：万元）。", f"{key}_value") from None
                if (
                    not amount.is_finite()
                    or amount < 0
                    or amount > MAX_COUNT
                    or amount != amount.quantize(Decimal("0.0001"))
                ):
                    raise ReportError(
                        f"{label}金额应为不小于 0 的数字，最多四位小数（单位：万元）。", f"{key}_value"
                    )
                value = str(amount)
            else:
                value = _count(raw, label, f"{key}_value")
        figures[key] = {"value": value, "source": source}
    for table in ("table3", "table4"):
        source = str(values.get(f"{table}_source") or "records")
        if source not in TABLE_SOURCES:
            raise ReportError("表格数据来源无效。", f"{table}_source")
        figures[table] = {"source": source}
    figures["table3_rows"] = {
        row: {
            col: _count(values.get(f"t3_{row}_{col}"), "表三的数字", f"t3_{row}_{col}")
            for col in foi_report.COLUMNS
        }
        for row in TABLE3_ROWS
    }
    figures["table4_rows"] = {
        kind: {
            result: _count(values.get(f"t4_{kind}_{result}"), "表四的数字", f"t4_{kind}_{result}")
            for result in (*REMEDY_RESULTS, "total")
        }
        for kind in REMEDY_KINDS
    }
    return figures


def figure_values(report: AnnualReport) -> dict[str, str]:
    """The report's entered figures as the flat mapping :func:`parse_figures` reads (to fill the form)."""
    f = report.figures or {}
    out: dict[str, str] = {}
    for key in ENTERED_FIGURES:
        cell = f.get(key) or {}
        out[f"{key}_value"] = "" if cell.get("value") is None else str(cell.get("value"))
        out[f"{key}_source"] = str(cell.get("source") or "")
    for table in ("table3", "table4"):
        out[f"{table}_source"] = (f.get(table) or {}).get("source", "records")
    for row, cols in (f.get("table3_rows") or {}).items():
        for col, n in cols.items():
            out[f"t3_{row}_{col}"] = str(n)
    for kind, cells in (f.get("table4_rows") or {}).items():
        for result, n in cells.items():
            out[f"t4_{kind}_{result}"] = str(n)
    return out


def save(
    sess: Session, user: Actor, report: AnnualReport, figures: dict[str, Any], sections: dict[str, str]
) -> None:
    """Store entered figures and the six sections (audited, before and after)."""
    _require(user, report)
    clean = {}
    for key, heading in SECTIONS.items():
        text = (sections.get(key) or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_SECTION:
            raise ReportError(f"“{heading}”不能超过 {MAX_SECTION} 个字。", f"section_{key}")
        clean[key] = text
    before = {"figures": report.figures, "sections": report.sections}
    report.figures = figures
    report.sections = clean
    after = {"figures": figures, "sections": clean}
    if before != after:
        record(sess, user, "annual_report.update", report, before=before, after=after)


def _tables_only(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "checks"}


def compose(sess: Session, user: Actor, report: AnnualReport, written_on: date | None = None) -> Document:
    """Write the report into its document (a draft): title, genre, the six sections and the tables.

    Composing is refused while an invariant fails: a report that does not add up is never sent to review.
    """
    _require(user, report)
    tables = compute(sess, report)
    if not tables.ok:
        raise ReportError(refusal(tables))
    body = drafting.body_markdown(tables, report.sections or {})
    doc = report.document
    new = doc is None
    if doc is None:
        slug = f"annual-report-{report.year}-{report.agency.slug}"[:128]
        doc = Document(slug=slug, status="draft", title="", disclosure="active", owner_id=report.agency_id)
        sess.add(doc)
    before = None if new else {"title": doc.title, "body_md": doc.body_md}
    with sess.no_autoflush:
        doc.title = drafting.title(tables)
        doc.genre = GENRE
        doc.written_on = written_on or today_local()
        doc.body_md = body
        doc.body_html = render_markdown(body)
        doc.owner_id = report.agency_id
        doc.source = doc.source or report.agency.name
        if new:
            doc.issuers = [DocumentAgency(agency=report.agency, agency_id=report.agency_id, position=0)]
            topic = sess.scalars(select(Topic).where(Topic.name == "政务公开")).first() or Topic(
                name="政务公开"
            )
            doc.topics = [topic]
        update_duplicate_keys(doc)
    sess.flush()
    report.document_id = doc.id
    report.document = doc
    report.composed = _tables_only(tables.as_data())
    if new:
        record(sess, user, "document.create", doc, after={"title": doc.title, "genre": GENRE})
    elif before != {"title": doc.title, "body_md": doc.body_md}:
        record(sess, user, "document.update", doc, before=before, after={"title": doc.title, "body_md": body})
    record(sess, user, "annual_report.compose", report, after={"document": doc.slug})
    return doc


def refusal(tables: Tables) -> str:
    """The Chinese message that refuses a report, naming each failing invariant and what broke it."""
    parts = []
    for check in tables.failed:
        text = f"{check.name_zh}不成立：{check.detail}"
        if check.documents:
            text += "。涉及文件：" + "、".join(f.label() for f in check.documents[:20])
        parts.append(text)
    return "年度报告未通过校验，不能发布。" + "；".join(parts)


def report_of(sess: Session, doc: Document) -> AnnualReport | None:
    return sess.scalars(select(AnnualReport).where(AnnualReport.document_id == doc.id)).first()


def check_publication(sess: Session, doc: Document) -> str:
    """Why the annual-report document ``doc`` may not be published now ("" when it may)."""
    report = report_of(sess, doc)
    if report is None:
        return "本文件的公文种类为“政府信息公开工作年度报告”，须在“年度报告”中生成后发布。"
    tables = compute(sess, report)
    if not tables.ok:
        return refusal(tables)
    if _tables_only(tables.as_data()) != report.composed:
        return "年度报告生成文稿后，统计数据已发生变化：请重新生成文稿并送审。"
    return ""


def on_published(sess: Session, actor: Actor, doc: Document, at: datetime | None = None) -> None:
    """Freeze the tables as published; next year's 现行有效 continues from the ids counted here."""
    report = report_of(sess, doc)
    if report is None:
        return
    tables = compute(sess, report)
    report.published = {**_tables_only(tables.as_data()), "valid_ids": tables.valid_ids()}
    report.published_at = at or utcnow()
    record(sess, actor, "annual_report.publish", report, after={"document": doc.slug})

"""The tables of one annual report, computed for a year, and the invariants checked before publication.

Table 2 comes from the library (:mod:`.table2`) plus the figures staff entered with their source; tables 3
and 4 from the FOI register (:mod:`portal.services.foi.report`, reused, never copied) or, for a year before
the register, from entered figures checked by the same code. Each check has an English name (the CLI prints
it) and a Chinese one (a refused publication shows it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AnnualReport, Document, InfoRequest
from portal.models.annual_reports import ENTERED_FIGURES
from portal.models.foi import REMEDY_KINDS, REMEDY_RESULTS
from portal.services.annual_reports.table2 import KINDS, Problem, Table2, table2
from portal.services.foi import report as foi_report
from portal.services.foi.outcomes import REPORT_ROWS

CHECKS = {
    "table2_valid": (
        "table 2: in force = last year's in force + issued - repealed",
        "表二：现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数",
    ),
    "table2_entered": (
        "table 2: entered figures complete, each with its source",
        "表二：行政许可、行政处罚、行政强制、行政事业性收费须填报数字及其来源",
    ),
    "table3_balance": (
        "table 3: new + carried over = results total + carried forward, per column",
        "表三：本年新收 + 上年结转 = 办理结果总计 + 结转下年度继续办理（逐列）",
    ),
    "table4_totals": (
        "table 4: each total equals the sum of its parts",
        "表四：每组总计等于结果维持、结果纠正、其他结果、尚未审结之和",
    ),
}


@dataclass
class Check:
    key: str
    ok: bool
    detail: str = ""
    documents: list[Any] = field(default_factory=list)  # table2.Fact, for a table 2 mismatch

    @property
    def name(self) -> str:
        return CHECKS[self.key][0]

    @property
    def name_zh(self) -> str:
        return CHECKS[self.key][1]


@dataclass
class Tables:
    report: AnnualReport
    table2: Table2
    entered: dict[str, dict[str, Any]]  # ENTERED_FIGURES key -> {"value", "source"}
    table3_source: str
    table3: foi_report.Table3 | None
    table4_source: str
    table4: foi_report.Table4 | None
    checks: list[Check]
    proactive_count: int  # documents made public this year (section 二)
    fees_yuan: int  # information-processing fees collected this year (section 六)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def as_data(self) -> dict[str, Any]:
        """The tables as plain data: the CLI's JSON, the frozen copy of a published report, the tests'."""
        t3: dict[str, Any] = {"source": self.table3_source, "rows": None}
        if self.table3 is not None:
            t3["rows"] = {line.key: dict(line.counts) for line in self.table3.lines()}
        t4: dict[str, Any] = {"source": self.table4_source, "rows": None}
        if self.table4 is not None:
            t4["rows"] = {kind: dict(cells) for kind, cells in self.table4.counts.items()}
        return {
            "year": self.report.year,
            "agency": self.report.agency.name,
            "table2": {
                **{kind: row.counts for kind, row in self.table2.rows.items()},
                **{
                    key: dict(self.entered.get(key) or {"value": None, "source": ""})
                    for key in ENTERED_FIGURES
                },
            },
            "table3": t3,
            "table4": t4,
            "checks": [{"key": c.key, "name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
        }

    def valid_ids(self) -> dict[str, list[int]]:
        return {kind: sorted(f.id for f in row.valid) for kind, row in self.table2.rows.items()}


def previous_published(sess: Session, report: AnnualReport) -> dict[str, list[int]] | None:
    """The ids last year's published report counted as in force, if that report went out on the portal."""
    last = sess.scalars(
        select(AnnualReport).where(
            AnnualReport.agency_id == report.agency_id,
            AnnualReport.year == report.year - 1,
            AnnualReport.published_at.is_not(None),
        )
    ).first()
    if last is None or not isinstance(last.published.get("valid_ids"), dict):
        return None
    return {kind: list(ids) for kind, ids in last.published["valid_ids"].items()}


def _entered_table3(year: int, rows: dict[str, dict[str, Any]]) -> foi_report.Table3:
    def line(key: str, group: str, label: str) -> foi_report.Line:
        made = foi_report.Line(key, group, label)
        for column in foi_report.COLUMNS:
            made.counts[column] = int((rows.get(key) or {}).get(column) or 0)
        return made

    return foi_report.Table3(
        year,
        line("new", "一", "本年新收政府信息公开申请数量"),
        line("carried_in", "二", "上年结转政府信息公开申请数量"),
        [line(row.key, row.group, row.label) for row in REPORT_ROWS],
        line("results_total", "（七）", "总计"),
        line("carried_out", "四", "结转下年度继续办理"),
    )


def _entered_table4(year: int, rows: dict[str, dict[str, Any]]) -> foi_report.Table4:
    counts = {
        kind: {result: int((rows.get(kind) or {}).get(result) or 0) for result in (*REMEDY_RESULTS, "total")}
        for kind in REMEDY_KINDS
    }
    return foi_report.Table4(year, counts)


def _scope(report: AnnualReport) -> int | None:
    """FOI records of the whole district for the government's report, of the agency otherwise."""
    return None if report.is_district else report.agency_id


def compute(sess: Session, report: AnnualReport) -> Tables:
    figures = report.figures or {}
    year = report.year
    checks: list[Check] = []

    t2 = table2(sess, report.agency, year, previous_published(sess, report))
    checks.append(_table2_check(t2.problems))
    entered = {key: dict(figures.get(key) or {}) for key in ENTERED_FIGURES}
    missing = [
        ENTERED_FIGURES[key][1]
        for key, cell in entered.items()
        if cell.get("value") in (None, "") or not str(cell.get("source") or "").strip()
    ]
    checks.append(
        Check("table2_entered", not missing, "、".join(missing) + "未填报数字或来源" if missing else "")
    )

    t3_source = (figures.get("table3") or {}).get("source", "records")
    t3: foi_report.Table3 | None = None
    try:
        if t3_source == "entered":
            t3 = _entered_table3(year, figures.get("table3_rows") or {})
            t3.check()
        else:
            t3 = foi_report.table3(sess, year, _scope(report))
        checks.append(Check("table3_balance", True))
    except foi_report.InvariantError as exc:
        checks.append(Check("table3_balance", False, str(exc)))

    t4_source = (figures.get("table4") or {}).get("source", "records")
    t4: foi_report.Table4 | None = None
    try:
        if t4_source == "entered":
            t4 = _entered_table4(year, figures.get("table4_rows") or {})
            t4.check()
        else:
            t4 = foi_report.table4(sess, year, _scope(report))
        checks.append(Check("table4_totals", True))
    except foi_report.InvariantError as exc:
        checks.append(Check("table4_totals", False, str(exc)))

    return Tables(
        report=report,
        table2=t2,
        entered=entered,
        table3_source=t3_source,
        table3=t3,
        table4_source=t4_source,
        table4=t4,
        checks=checks,
        proactive_count=_proactive(sess, report),
        fees_yuan=_fees(sess, report),
    )


def _table2_check(problems: list[Problem]) -> Check:
    if not problems:
        return Check("table2_valid", True)
    return Check(
        "table2_valid",
        False,
        "；".join(p.message for p in problems),
        [fact for p in problems for fact in p.documents],
    )


def _proactive(sess: Session, report: AnnualReport) -> int:
    from portal.clock import year_bounds

    start, end = year_bounds(report.year)
    stmt = select(func.count(Document.id)).where(
        Document.status == "published",
        Document.disclosure == "active",
        Document.published_at >= start,
        Document.published_at < end,
        Document.genre != "政府信息公开工作年度报告",
    )
    if not report.is_district:
        stmt = stmt.where(Document.owner_id == report.agency_id)
    return int(sess.scalar(stmt) or 0)


def _fees(sess: Session, report: AnnualReport) -> int:
    stmt = select(func.coalesce(func.sum(InfoRequest.fee_amount), 0)).where(
        InfoRequest.fee_paid_on >= date(report.year, 1, 1),
        InfoRequest.fee_paid_on <= date(report.year, 12, 31),
    )
    if not report.is_district:
        stmt = stmt.where(InfoRequest.agency_id == report.agency_id)
    return int(sess.scalar(stmt) or 0)


__all__ = ["CHECKS", "KINDS", "Check", "Tables", "compute", "previous_published"]

"""The annual report's tables as data for the terminal: rows for a text table, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, AnnualReport
from portal.models.annual_reports import ENTERED_FIGURES
from portal.models.foi import REMEDY_KINDS, REMEDY_RESULTS
from portal.services.annual_reports.table2 import KINDS
from portal.services.annual_reports.tables import Tables, compute
from portal.services.foi import report as foi_report


def tables_for(sess: Session, year: int, agency_slug: str = "") -> Tables:
    """The tables of the report kept on the portal for ``year``, or of one made up (unsaved) for it."""
    stmt = select(Agency).where(Agency.external.is_(False))
    if agency_slug:
        stmt = stmt.where(Agency.slug == agency_slug)
    else:
        stmt = stmt.where(Agency.kind == "government").order_by(Agency.position, Agency.id)
    agency = sess.scalars(stmt).first()
    if agency is None:
        raise LookupError(f"no agency '{agency_slug}'" if agency_slug else "no district government agency")
    report = sess.scalars(
        select(AnnualReport).where(AnnualReport.agency_id == agency.id, AnnualReport.year == year)
    ).first()
    if report is None:
        report = AnnualReport(year=year, agency_id=agency.id, agency=agency, figures={}, sections={})
    return compute(sess, report)


def as_rows(tables: Tables) -> list[tuple[str, str, list[str], list[list[Any]]]]:
    """(table number, caption, columns, rows) for each table."""
    t2 = tables.table2.rows
    out: list[tuple[str, str, list[str], list[list[Any]]]] = [
        (
            "2",
            "二、主动公开政府信息情况（第二十条第（一）项）",
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            [[label, *t2[kind].counts.values()] for kind, label in KINDS.items()],
        ),
        (
            "2",
            "二、主动公开政府信息情况（第二十条第（五）（六）（八）项）",
            ["项目", "信息内容", "数量", "来源"],
            [
                [
                    art,
                    label,
                    _value(tables.entered.get(key)),
                    (tables.entered.get(key) or {}).get("source", ""),
                ]
                for key, (art, label, _unit) in ENTERED_FIGURES.items()
            ],
        ),
    ]
    columns = [foi_report.COLUMN_LABELS[c] for c in foi_report.COLUMNS]
    if tables.table3 is not None:
        out.append(
            (
                "3",
                "三、收到和处理政府信息公开申请情况",
                ["", "项目", *columns],
                [
                    [line.group, line.label, *(line.counts[c] for c in foi_report.COLUMNS)]
                    for line in tables.table3.lines()
                ],
            )
        )
    if tables.table4 is not None:
        out.append(
            (
                "4",
                "四、政府信息公开行政复议、行政诉讼情况",
                ["类型", *REMEDY_RESULTS.values(), "总计"],
                [
                    [REMEDY_KINDS[kind], *(cells[r] for r in (*REMEDY_RESULTS, "total"))]
                    for kind, cells in tables.table4.counts.items()
                ],
            )
        )
    return out


def _value(cell: dict[str, Any] | None) -> Any:
    value = (cell or {}).get("value")
    return "" if value is None else value


def as_csv(tables: Tables) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for table, caption, columns, rows in as_rows(tables):
        writer.writerow(["table", caption, *columns])
        writer.writerows([table, "", *row] for row in rows)
    return out.getvalue()


def as_json(tables: Tables) -> str:
    return json.dumps(tables.as_data(), ensure_ascii=False, indent=2)

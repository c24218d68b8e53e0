"""``portal report ...``: figures computed from the records, printed in the terminal."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Sequence

import click

from portal import db
from portal.cli import main, make_app


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(c) for c in columns]] + [[str(c) for c in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@main.group()
def report() -> None:
    """Print reports computed from the portal's records."""


@report.command("targets")
@click.option("--year", type=int, default=None, help="calendar year (default: this year, Beijing time)")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
def report_targets(year: int | None, fmt: str) -> None:
    """The year's disclosure targets: value, numerator, denominator, goal and status."""
    from portal.clock import today_local
    from portal.services import targets as svc
    from portal.web.targets import table_body

    if year is not None and not 1990 <= year <= 2100:
        click.echo(f"error: year {year} is out of range (1990-2100)", err=True)
        sys.exit(2)
    app = make_app()
    with app.app_context():
        year = year or today_local().year
        report_ = svc.year_report(db.current_session(), year)
        if not report_.declared:
            declared = ", ".join(str(y) for y in report_.declared_years) or "none"
            click.echo(f"no targets declared for {year} (years with targets: {declared})", err=True)
            sys.exit(1)
        table = svc.summary_table(report_)
    if fmt == "table":
        click.echo(table.caption)
        click.echo(format_table(table.columns, [row.cells for row in table.rows]))
    else:
        click.echo(table_body(table, fmt, year), nl=False)


@report.command("foi")
@click.option("--year", type=int, required=True, help="calendar year of the annual report")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
def report_foi(year: int, fmt: str) -> None:
    """Tables 3 and 4 of the annual report (2021 format), counted from the FOI requests.

    Exits 1, naming the broken invariant, when the figures do not add up."""
    import csv
    import io
    import json

    from portal.services.foi import report as foi_report

    if not 2008 <= year <= 2100:
        click.echo(f"error: year {year} is out of range (2008-2100)", err=True)
        sys.exit(2)
    app = make_app()
    with app.app_context():
        try:
            table3 = foi_report.table3(db.current_session(), year)
            table4 = foi_report.table4(db.current_session(), year)
        except foi_report.InvariantError as exc:
            click.echo(f"error: invariant failed: {exc}", err=True)
            sys.exit(1)
    columns = [foi_report.COLUMN_LABELS[c] for c in foi_report.COLUMNS]
    rows3 = [
        [line.group, line.label, *(line.counts[c] for c in foi_report.COLUMNS)] for line in table3.lines()
    ]
    rows4 = [
        [foi_report.REMEDY_KINDS[kind], *(cells[r] for r in (*foi_report.REMEDY_RESULTS, "total"))]
        for kind, cells in table4.counts.items()
    ]
    columns4 = ["类型", *foi_report.REMEDY_RESULTS.values(), "总计"]
    if fmt == "json":
        data = {
            "year": year,
            "table3": {
                "columns": list(foi_report.COLUMNS),
                "rows": [{"key": line.key, "label": line.label, **line.counts} for line in table3.lines()],
            },
            "table4": {"results": list(foi_report.REMEDY_RESULTS), "rows": table4.counts},
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["table", "项目", "", *columns])
        writer.writerows(["3", *row] for row in rows3)
        writer.writerow(["table", *columns4])
        writer.writerows(["4", *row] for row in rows4)
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(f"{year}年 三、收到和处理政府信息公开申请情况")
        click.echo(format_table(["", "项目", *columns], rows3))
        click.echo(f"\n{year}年 四、政府信息公开行政复议、行政诉讼情况")
        click.echo(format_table(columns4, rows4))


@report.command("annual")
@click.option("--year", type=int, required=True, help="calendar year the report covers")
@click.option(
    "--agency",
    default="",
    help="slug of the reporting body (default: the district government, whose report covers the district)",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)
def report_annual(year: int, agency: str, fmt: str) -> None:
    """Tables 2, 3 and 4 of the annual report (2021 format), as the portal would publish them.

    The entered figures come from the report kept on the portal (none yet: they print empty). Exits 1,
    naming each failed invariant, when the figures do not add up."""
    from portal.services.annual_reports import export

    if not 2008 <= year <= 2100:
        click.echo(f"error: year {year} is out of range (2008-2100)", err=True)
        sys.exit(2)
    app = make_app()
    with app.app_context():
        try:
            tables = export.tables_for(db.current_session(), year, agency)
        except LookupError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        if fmt == "json":
            click.echo(export.as_json(tables))
        elif fmt == "csv":
            click.echo(export.as_csv(tables), nl=False)
        else:
            for _number, caption, columns, rows in export.as_rows(tables):
                click.echo(caption)
                click.echo(format_table(columns, rows))
                click.echo("")
        db.session.rollback()  # a report not kept yet was made up for printing only
    failed = [c for c in tables.checks if not c.ok]
    for check in failed:
        click.echo(f"error: invariant failed: {check.name}: {check.detail}", err=True)
        for fact in check.documents:
            click.echo(f"  document {fact.slug}: {fact.title}", err=True)
    if failed:
        sys.exit(1)


@report.command("compliance")
@click.option("--year", type=int, required=True, help="calendar year (Beijing time)")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def report_compliance(year: int, fmt: str) -> None:
    """The library's inspection figures for a year: late publications (20 working days, NORMS 1), late
    interpretations (NORMS 12), 规范性文件 counts (NORMS 9), and the columns stale or empty today (NORMS 44)."""
    import json

    from portal.services.compliance import freshness, normative, timeliness

    if not 2008 <= year <= 2100:
        click.echo(f"error: year {year} is out of range (2008-2100)", err=True)
        sys.exit(2)
    app = make_app()
    with app.app_context():
        sess = db.current_session()
        timely = timeliness.year_report(sess, year)
        counts = normative.normative_counts(sess, year)
        columns = freshness.columns(sess)
        late = [
            {
                "kind": item.kind,
                "document": item.document.slug,
                "interpretation": item.interpretation.slug if item.interpretation else None,
                "title": item.interpretation.title if item.interpretation else item.document.title,
                "from": item.start.isoformat(),
                "due": item.due.isoformat(),
                "done": item.done.isoformat() if item.done else None,
                "working_days_late": item.working_days_late,
            }
            for item in timely.late
        ]
        cols = [
            {
                "column": c.name,
                "items": c.count,
                "last_update": c.last_update.isoformat() if c.last_update else None,
                "interval": str(c.interval),
                "stale": c.stale,
                "empty": c.empty,
            }
            for c in columns
        ]
    if fmt == "json":
        data = {
            "year": year,
            "published_with_written_date": timely.published,
            "late_publications": timely.late_publications,
            "late": late,
            "normative": {"issued": counts.issued, "repealed": counts.repealed, "valid": counts.valid},
            "columns": cols,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{year}: {timely.published} proactive documents published with a 成文日期, "
        f"{timely.late_publications} later than 20 working days"
    )
    rows: list[list[object]] = [
        [x["kind"], str(x["title"])[:30], x["from"], x["due"], x["done"] or "-", x["working_days_late"]]
        for x in late
    ]
    click.echo(format_table(["kind", "title", "from", "due", "done", "wd late"], rows))
    click.echo(
        f"\n规范性文件 {year}: issued {counts.issued}, repealed {counts.repealed}, valid {counts.valid}"
    )
    click.echo("\ncolumns today:")
    click.echo(
        format_table(
            ["column", "items", "last update", "interval", "flag"],
            [
                [
                    c["column"],
                    c["items"],
                    c["last_update"] or "-",
                    c["interval"],
                    "empty" if c["empty"] else ("stale" if c["stale"] else "ok"),
                ]
                for c in cols
            ],
        )
    )

"""``portal report ...``: figures computed from the records, printed in the terminal."""

from __future__ import annotations

import sys
import unicodedata

import click

from portal import db
from portal.cli import main, make_app


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(columns: list[str], rows: list[list[object]]) -> str:
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
        report_ = svc.year_report(db.session, year)
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

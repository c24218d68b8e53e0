"""The demo content gives a complete, published 2020 report on first start, and its tables equal, field by
field, the report written by hand in tests/fixtures/annual_report_2020.yml."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from sqlalchemy import select

from portal.cli import main
from portal.clock import local_day
from portal.models import AnnualReport, Document
from portal.models.annual_reports import GENRE
from portal.services.annual_reports.tables import compute
from portal.services.foi.report import COLUMNS
from portal.services.loader import load_content
from tests.conftest import CONTENT
from tests.demo_snapshot import load_demo

EXPECTED = yaml.safe_load(
    (Path(__file__).parents[1] / "fixtures" / "annual_report_2020.yml").read_text("utf-8")
)
RESULTS = ("upheld", "corrected", "other", "pending", "total")


def _compare(got: dict, expected: dict) -> list[str]:
    """Every differing field, named by its path."""
    diffs = []
    for key in ("year", "agency"):
        if got[key] != expected[key]:
            diffs.append(f"{key}: {got[key]!r} != {expected[key]!r}")
    for key, cell in expected["table2"].items():
        if got["table2"][key] != cell:
            diffs.append(f"table2.{key}: {got['table2'][key]} != {cell}")
    for table, columns in (("table3", COLUMNS), ("table4", RESULTS)):
        if got[table]["source"] != expected[table]["source"]:
            diffs.append(f"{table}.source")
        assert set(got[table]["rows"]) == set(expected[table]["rows"]), table
        for row, values in expected[table]["rows"].items():
            for column, value in zip(columns, values, strict=True):
                if got[table]["rows"][row][column] != value:
                    diffs.append(f"{table}.{row}.{column}: {got[table]['rows'][row][column]} != {value}")
    return diffs


def test_demo_2020_report_is_published_and_equals_the_hand_made_one(app, client, sess, monkeypatch):
    assert load_demo(sess).ok
    report = sess.scalars(select(AnnualReport).where(AnnualReport.year == 2020)).one()
    tables = compute(sess, report)
    assert tables.ok, [c.detail for c in tables.failed]
    assert _compare(tables.as_data(), EXPECTED) == []
    # What was frozen at publication is the same report.
    assert _compare(report.published, EXPECTED) == []

    doc = report.document
    assert doc.genre == GENRE and doc.status == "published"
    assert local_day(doc.published_at) == EXPECTED["published_on"]  # by 31 March (art 49)
    assert all(
        report.sections[k] for k in ("overview", "proactive", "requests", "remedies", "problems", "other")
    )
    page = client.get(f"/policies/{doc.slug}/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "css/annual-report.css" in html and "document-annual-report" in html
    assert "三、收到和处理政府信息公开申请情况" in html and "<td>13</td>" in html
    assert sess.scalars(select(Document).where(Document.genre == GENRE)).all() == [doc]

    # Loading again changes nothing; the CLI prints the same tables.
    again = load_content(sess, CONTENT)
    assert "annual_reports/2020-xicheng-gov" in again.unchanged
    settings = app.extensions["settings"]
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("PORTAL_SEARCH_INDEX", str(settings.search_index))
    result = CliRunner().invoke(main, ["report", "annual", "--year", "2020", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert _compare(json.loads(result.stdout), EXPECTED) == []

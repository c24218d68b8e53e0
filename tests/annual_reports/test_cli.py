"""``portal report annual --year Y --format table|csv|json``: the report's tables as data; exit 1 naming
the failed invariant, 2 for a bad argument."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from portal.cli import main
from portal.services.annual_reports import workflow
from tests.annual_reports.conftest import FIGURES


def _env(app, monkeypatch):  # noqa: ANN001, ANN202
    settings = app.extensions["settings"]
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("PORTAL_SEARCH_INDEX", str(settings.search_index))


def _run(*args: str):  # noqa: ANN202
    return CliRunner().invoke(main, ["report", "annual", *args])


def test_formats_of_a_report_that_adds_up(app, sess, staff, agencies, monkeypatch):
    _env(app, monkeypatch)
    report = workflow.create(sess, staff.editor, agencies.gov, 2020)
    workflow.save(sess, staff.editor, report, workflow.parse_figures(FIGURES), report.sections)
    sess.commit()
    as_json = _run("--year", "2020", "--format", "json")
    assert as_json.exit_code == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["year"] == 2020 and data["agency"] == "北京市西城区人民政府"
    assert data["table2"]["licensing"] == {"value": 120, "source": "区政务服务局审批系统"}
    assert data["table3"]["rows"]["new"]["total"] == 0 and all(c["ok"] for c in data["checks"])
    rows = list(csv.reader(io.StringIO(_run("--year", "2020", "--format", "csv").stdout)))
    assert ["2", "", "第二十条第（六）项", "行政处罚", "45", "区执法平台"] in rows
    assert {r[0] for r in rows} == {"table", "2", "3", "4"}
    table = _run("--year", "2020")
    assert table.exit_code == 0 and "三、收到和处理政府信息公开申请情况" in table.stdout
    assert "行政规范性文件" in table.stdout


def test_exit_1_naming_the_failed_invariant(app, sess, staff, agencies, monkeypatch):
    _env(app, monkeypatch)
    report = workflow.create(sess, staff.editor, agencies.gov, 2019)
    bad = {**FIGURES, "table4_source": "entered", "t4_litigation_direct_upheld": "1"}
    workflow.save(sess, staff.editor, report, workflow.parse_figures(bad), report.sections)
    sess.commit()
    for fmt in ("table", "csv", "json"):
        result = _run("--year", "2019", "--format", fmt)
        assert result.exit_code == 1, fmt
        assert "invariant failed: table 4: each total equals the sum of its parts" in result.stderr
    # A year with no report kept: the entered figures are missing, and it says so.
    empty = _run("--year", "2021", "--format", "json")
    assert empty.exit_code == 1 and "table 2: entered figures complete" in empty.stderr
    assert json.loads(empty.stdout)["table2"]["penalty"] == {"value": None, "source": ""}


def test_bad_arguments_exit_2(app, sess, agencies, monkeypatch):
    _env(app, monkeypatch)
    assert _run("--year", "1999").exit_code == 2
    unknown = _run("--year", "2020", "--agency", "nowhere")
    assert unknown.exit_code == 2 and "no agency 'nowhere'" in unknown.stderr
    assert _run("--year", "2020", "--format", "xml").exit_code == 2

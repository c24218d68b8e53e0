"""NORMS 44 and 25: columns past their update interval and empty columns, on the staff dashboard; the yearly
figures in ``portal report compliance``."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from portal.clock import today_local
from portal.models import GazetteIssue
from portal.services.compliance import freshness
from tests.compliance.builders import beijing, doc, office


def test_intervals_parse_from_the_setting_and_months_are_calendar_months():
    got = freshness.parse_intervals(("news=14d", "policies=6m", "replies=2m", "notices=2w"))
    assert got["policies"].expires(date(2020, 8, 31)) == date(2021, 2, 28)
    assert (
        got["notices"].expires(date(2020, 1, 1)) == date(2020, 1, 15) == got["news"].expires(date(2020, 1, 1))
    )
    with pytest.raises(ValueError, match="bad column interval"):
        freshness.parse_intervals(("policies=six months",))


def test_stale_and_empty_columns_are_listed(sess):
    gov = office(sess)
    today = today_local()
    doc(sess, "recent", gov, published_at=beijing(today.year, today.month, today.day) - timedelta(days=10))
    doc(sess, "notice", gov, published_at=beijing(2020, 5, 1), genre="通知")
    sess.add(
        GazetteIssue(slug="2020-06", year=2020, number=6, running_number=60, published_on=date(2020, 6, 30))
    )
    sess.commit()
    states = {c.key: c for c in freshness.columns(sess)}
    assert states["policies"].count == 2 and not states["policies"].stale
    assert states["notices"].stale and states["notices"].fresh_until == date(2020, 5, 15)
    assert states["gazette"].stale and states["gazette"].fresh_until == date(2020, 12, 30)
    flagged = {c.key: c.note for c in freshness.problems(sess)}
    assert "policies" not in flagged and "home" not in flagged  # the homepage shows the recent document
    assert states["home"].last_update == states["policies"].last_update
    assert flagged["notices"] == "最近更新 2020-05-01，超过14天未更新"
    for empty in ("interpretations", "consultations", "meetings", "enquiries"):
        assert flagged[empty] == "栏目为空"


@pytest.fixture
def long_intervals(app_overrides):  # noqa: ANN201
    app_overrides["column_intervals"] = ("policies=100m",)


def test_intervals_are_configurable(long_intervals, sess, app_overrides, database):
    from portal.app import create_app

    gov = office(sess)
    doc(sess, "old", gov, published_at=beijing(2020, 5, 1))
    sess.commit()
    states = {c.key: c for c in freshness.columns(sess)}
    assert set(states) == {
        "policies",
        "interpretations",
        "gazette",
        "consultations",
    }  # kinds not set: untracked
    assert not states["policies"].stale
    bad = {**app_overrides, "database_url": database.url, "column_intervals": ("policies",)}
    with pytest.raises(SystemExit, match="PORTAL_COLUMN_INTERVALS"):
        create_app(bad)


def test_dashboard_shows_late_items_and_stale_columns_to_publishers(
    client, sess, staff, make_draft, login_as
):
    this_year = today_local().year
    draft = make_draft(written_on=f"{this_year - 1}-01-04", title="拖延的文件")
    login_as(staff.publisher)
    html = client.get("/admin/").get_data(as_text=True)
    assert "发布时限：成文或变化后20个工作日内公开" in html and "拖延的文件" in html
    assert f"/admin/documents/{draft.id}" in html and "成文已超过20个工作日仍未发布" in html
    assert (
        "栏目更新：超期未更新和空白栏目（单项否决）" in html
        and '政府公报</a> <span class="meta">栏目为空' in html
    )
    login_as(staff.editor)
    assert "栏目更新" not in client.get("/admin/").get_data(as_text=True)


def test_report_compliance_counts_the_year(app, sess, agencies):
    from click.testing import CliRunner

    from portal.cli import main

    gov = agencies.office
    doc(sess, "late", gov, written_on=date(2020, 9, 30), published_at=beijing(2020, 11, 5, 9))
    doc(sess, "ok", gov, written_on=date(2020, 9, 30), published_at=beijing(2020, 10, 9, 9))
    doc(sess, "norm", gov, written_on=date(2020, 3, 2), published_at=beijing(2020, 3, 3), normative=True)
    sess.commit()
    settings = app.extensions["settings"]
    env = {
        "PORTAL_DATABASE_URL": settings.sqlalchemy_url,
        "PORTAL_INSTANCE_PATH": str(settings.instance_path),
    }
    result = CliRunner().invoke(main, ["report", "compliance", "--year", "2020", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["published_with_written_date"], data["late_publications"]) == (3, 1)
    assert [(x["kind"], x["document"], x["done"]) for x in data["late"]] == [
        ("publication", "late", "2020-11-05"),
        ("no_interpretation", "norm", None),
    ]
    assert data["late"][0]["working_days_late"] == 1
    assert data["normative"] == {"issued": 1, "repealed": 0, "valid": 1}
    table = CliRunner().invoke(main, ["report", "compliance", "--year", "2020"], env=env)
    assert (
        table.exit_code == 0
        and "3 proactive documents published with a 成文日期, 1 later than 20 working days" in table.output
    )

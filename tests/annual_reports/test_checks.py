"""The invariants of tables 3 and 4 (NORMS 40, 41) on entered figures — the same checks as on the FOI
register's — and the completeness of table 2's entered figures; the deadlines of art 49 (NORMS 37)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.models import AnnualReport
from portal.services.annual_reports import deadlines, workflow
from portal.services.annual_reports.tables import compute
from tests.annual_reports.conftest import FIGURES


def _entered(sess, agency, **values: str) -> AnnualReport:  # noqa: ANN001
    report = AnnualReport(year=2018, agency_id=agency.id, agency=agency, sections={})
    report.figures = workflow.parse_figures(
        {**FIGURES, "table3_source": "entered", "table4_source": "entered", **values}
    )
    sess.add(report)
    sess.commit()
    return report


def _check(tables, key):  # noqa: ANN001, ANN202
    return next(c for c in tables.checks if c.key == key)


BALANCED = {
    "t3_new_person": "5",
    "t3_new_total": "5",
    "t3_carried_in_person": "1",
    "t3_carried_in_total": "1",
    "t3_disclosed_person": "4",
    "t3_disclosed_total": "4",
    "t3_results_total_person": "4",
    "t3_results_total_total": "4",
    "t3_carried_out_person": "2",
    "t3_carried_out_total": "2",
    "t4_review_upheld": "1",
    "t4_review_pending": "1",
    "t4_review_total": "2",
}


def test_entered_tables_that_add_up_pass(sess, agencies):
    tables = compute(sess, _entered(sess, agencies.gov, **BALANCED))
    assert tables.ok, [c.detail for c in tables.failed]
    data = tables.as_data()
    assert data["table3"]["source"] == "entered" and data["table3"]["rows"]["carried_out"]["person"] == 2
    assert data["table4"]["rows"]["review"] == {
        "upheld": 1,
        "corrected": 0,
        "other": 0,
        "pending": 1,
        "total": 2,
    }
    assert data["table2"]["fees"] == {"value": "1.25", "source": "区财政局非税收入系统"}


def test_table3_that_does_not_balance_fails_naming_the_column(sess, agencies):
    tables = compute(sess, _entered(sess, agencies.gov, **{**BALANCED, "t3_carried_out_person": "1"}))
    check = _check(tables, "table3_balance")
    assert not check.ok and "自然人" in check.detail and "本年新收 5 + 上年结转 1" in check.detail
    assert check.name == "table 3: new + carried over = results total + carried forward, per column"
    assert "表三：本年新收 + 上年结转 = 办理结果总计 + 结转下年度继续办理" in workflow.refusal(tables)


def test_table3_whose_results_do_not_add_up_to_their_total_fails(sess, agencies):
    bad = {**BALANCED, "t3_disclosed_person": "3", "t3_partly_person": "0"}
    check = _check(compute(sess, _entered(sess, agencies.gov, **bad)), "table3_balance")
    assert not check.ok and "results add up to 3" in check.detail


def test_table4_whose_total_is_not_its_parts_fails(sess, agencies):
    check = _check(
        compute(sess, _entered(sess, agencies.gov, **{**BALANCED, "t4_review_total": "3"})), "table4_totals"
    )
    assert not check.ok and "行政复议" in check.detail


def test_table2_entered_figures_need_a_value_and_a_source(sess, agencies):
    tables = compute(sess, _entered(sess, agencies.gov, **{**BALANCED, "penalty_source": ""}))
    check = _check(tables, "table2_entered")
    assert not check.ok and "行政处罚" in check.detail and "行政许可" not in check.detail


@pytest.mark.parametrize(
    "values, field",
    [
        ({"licensing_value": "-1"}, "licensing_value"),
        ({"fees_value": "1.23456"}, "fees_value"),
        ({"fees_value": "NaN"}, "fees_value"),
        ({"t3_new_person": "x"}, "t3_new_person"),
        ({"table3_source": "guess"}, "table3_source"),
        ({"coercion_source": "源" * 201}, "coercion_source"),
    ],
)
def test_entered_figures_are_refused_by_field(values, field):
    with pytest.raises(workflow.ReportError) as refused:
        workflow.parse_figures({**FIGURES, **values})
    assert refused.value.field == field and refused.value.message


def test_deadlines_31_january_for_departments_and_31_march_for_the_district(sess, agencies):
    flags = {f.agency.slug: f for f in deadlines.flags(sess, today=date(2021, 2, 1))}
    assert set(flags) == {"xicheng-gov", "fgw"}  # the city is not the district's to report
    assert (flags["fgw"].state, flags["fgw"].due_on) == ("overdue", date(2021, 1, 31))
    assert (flags["xicheng-gov"].state, flags["xicheng-gov"].due_on) == ("due", date(2021, 3, 31))
    late = AnnualReport(
        year=2020,
        agency_id=agencies.gov.id,
        agency=agencies.gov,
        published_at=datetime(2021, 4, 2, 2, tzinfo=UTC),
    )
    on_time = AnnualReport(
        year=2020,
        agency_id=agencies.dept.id,
        agency=agencies.dept,
        published_at=datetime(2021, 1, 30, 2, tzinfo=UTC),
    )
    sess.add_all([late, on_time])
    sess.commit()
    flags = {f.agency.slug: f for f in deadlines.flags(sess, today=date(2021, 4, 5))}
    assert set(flags) == {"xicheng-gov"} and flags["xicheng-gov"].state == "late"
    assert "逾期发布" in flags["xicheng-gov"].note

"""Table 2 (NORMS 39, 9): 规章 and 行政规范性文件 issued, repealed and in force, counted from the library,
and its invariant: in force = last year's in force + issued − repealed, with the documents behind a mismatch."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.models import AnnualReport
from portal.services.annual_reports.tables import compute
from tests.annual_reports.conftest import expire, repeal


def _report(sess, agency, year: int) -> AnnualReport:  # noqa: ANN001
    report = AnnualReport(year=year, agency_id=agency.id, agency=agency, figures={}, sections={})
    sess.add(report)
    sess.commit()
    return report


def _library(sess, make_doc, agencies):  # noqa: ANN001, ANN202
    n1 = make_doc("n1", date(2019, 3, 1))  # in force throughout
    n2 = make_doc("n2", date(2020, 2, 1))  # issued and repealed in 2020
    n3 = make_doc("n3", date(2020, 9, 1))  # issued 2020; repeals n2 (its 成文日期 is n2's end)
    repeal(sess, n2, n3)
    n4 = make_doc("n4", date(2018, 5, 1))
    expire(sess, n4, date(2020, 6, 30))  # in force at the end of 2019, expired 2020
    make_doc("r1", date(2020, 5, 1), normative=False, genre="规章")
    make_doc("city", date(2020, 4, 1), agency=agencies.city)  # 转发: the city's, not the district's
    make_doc("draft", date(2020, 4, 2), status="draft")  # never issued
    make_doc("plain", date(2020, 4, 3), normative=False)  # an ordinary notice
    return n1, n2, n3, n4


def test_issued_repealed_and_in_force_counted_from_the_library(sess, agencies, make_doc):
    _library(sess, make_doc, agencies)
    tables = compute(sess, _report(sess, agencies.gov, 2020))
    assert tables.table2.rows["normative"].counts == {"issued": 2, "repealed": 2, "valid": 2}
    assert tables.table2.rows["rules"].counts == {"issued": 1, "repealed": 0, "valid": 1}
    check = next(c for c in tables.checks if c.key == "table2_valid")
    assert check.ok and tables.table2.previous_source == "records"
    assert compute(sess, _report(sess, agencies.gov, 2019)).table2.rows["normative"].counts == {
        "issued": 1,
        "repealed": 0,
        "valid": 2,
    }
    # A department's report counts what the department issued: nothing here.
    dept = compute(sess, _report(sess, agencies.dept, 2020)).table2.rows["normative"].counts
    assert dept == {"issued": 0, "repealed": 0, "valid": 0}


def test_a_mismatch_with_last_years_published_figure_names_the_documents(sess, agencies, make_doc):
    n1, _n2, _n3, n4 = _library(sess, make_doc, agencies)
    last = _report(sess, agencies.gov, 2019)
    # Last year's report went out counting only n1 (n4 was entered afterwards, backdated).
    last.published = {"valid_ids": {"normative": [n1.id], "rules": []}}
    last.published_at = datetime(2020, 3, 20, tzinfo=UTC)
    sess.commit()
    tables = compute(sess, _report(sess, agencies.gov, 2020))
    check = next(c for c in tables.checks if c.key == "table2_valid")
    assert not check.ok and tables.table2.previous_source == "published"
    assert "现行有效 2 件，不等于上年现行有效 1 件 + 本年制发 2 件 − 本年废止 2 件 = 1 件" in check.detail
    assert [f.slug for f in check.documents] == [n4.slug]
    assert not tables.ok and check.name.startswith("table 2: in force")


def test_a_repeal_without_a_date_is_listed(sess, agencies, make_doc):
    make_doc("n1", date(2019, 3, 1))
    undated = make_doc("gone", date(2019, 4, 1), validity="repealed")  # no repeal link, no audit entry
    tables = compute(sess, _report(sess, agencies.gov, 2020))
    check = next(c for c in tables.checks if c.key == "table2_valid")
    assert not check.ok and "没有废止日期" in check.detail
    assert [f.slug for f in check.documents] == [undated.slug]

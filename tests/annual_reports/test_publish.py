"""The report goes out through the normal workflow as a document of its own genre; publication asserts
the invariants on the figures as they stand then, refuses in Chinese naming the one that fails, and
freezes the published figures, from which next year's 现行有效 continues."""

from __future__ import annotations

from datetime import date

import pytest

from portal.models import AnnualReport, Document
from portal.models.annual_reports import GENRE
from portal.services import publishing
from portal.services.annual_reports import workflow
from tests.annual_reports.conftest import FIGURES


def _drafted(sess, staff, agencies, year: int = 2020) -> AnnualReport:  # noqa: ANN001
    report = workflow.create(sess, staff.editor, agencies.gov, year)
    workflow.save(sess, staff.editor, report, workflow.parse_figures(FIGURES), report.sections)
    sess.commit()
    return report


def _approved(sess, staff, report: AnnualReport) -> Document:  # noqa: ANN001
    doc = workflow.compose(sess, staff.editor, report)
    sess.commit()
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    sess.commit()
    return doc


def test_composed_submitted_reviewed_and_published_as_a_document(sess, staff, agencies, make_doc):
    n1 = make_doc("n1", date(2020, 3, 1))
    report = _drafted(sess, staff, agencies)
    assert set(report.sections) == {"overview", "proactive", "requests", "remedies", "problems", "other"}
    assert "制发行政规范性文件1件" in report.sections["proactive"]
    doc = _approved(sess, staff, report)
    assert doc.genre == GENRE and doc.title == "北京市西城区人民政府2020年政府信息公开工作年度报告"
    assert '<th colspan="3" scope="row">一、本年新收政府信息公开申请数量</th>' in doc.body_html
    assert "二、主动公开政府信息情况" in doc.body_html and "<td>1</td>" in doc.body_html
    publishing.publish(sess, staff.publisher, doc, publishing.PublishRequest())
    sess.commit()
    assert doc.status == "published" and report.published_at is not None
    assert report.published["valid_ids"] == {"normative": [n1.id], "rules": []}
    assert report.published["table2"]["normative"] == {"issued": 1, "repealed": 0, "valid": 1}
    with pytest.raises(workflow.ReportError):  # the published report is a record now
        workflow.save(sess, staff.editor, report, report.figures, report.sections)


def test_publication_refused_naming_the_failing_invariant(sess, staff, agencies):
    report = _drafted(sess, staff, agencies)
    doc = _approved(sess, staff, report)
    # After review, someone breaks table 4 (entered): the workflow checks again and refuses.
    report.figures = workflow.parse_figures(
        {**FIGURES, "table4_source": "entered", "t4_review_upheld": "2", "t4_review_total": "1"}
    )
    sess.commit()
    with pytest.raises(publishing.WorkflowError) as refused:
        publishing.publish(sess, staff.publisher, doc, publishing.PublishRequest())
    message = refused.value.message
    assert message.startswith("年度报告未通过校验，不能发布。") and "表四：每组总计等于" in message
    assert refused.value.code == "annual_report"
    sess.rollback()
    assert sess.get(Document, doc.id).status == "approved"


def test_publication_refused_when_the_figures_moved_after_review(sess, staff, agencies, make_doc):
    report = _drafted(sess, staff, agencies)
    doc = _approved(sess, staff, report)
    make_doc("late", date(2020, 11, 1))  # a normative document entered after the report was composed
    with pytest.raises(publishing.WorkflowError) as refused:
        publishing.publish(sess, staff.publisher, doc, publishing.PublishRequest())
    assert "统计数据已发生变化" in refused.value.message


def test_compose_refused_while_an_invariant_fails_and_only_for_the_own_agency(sess, staff, agencies):
    report = workflow.create(sess, staff.editor, agencies.gov, 2020)
    sess.commit()
    with pytest.raises(workflow.ReportError) as refused:  # entered figures missing
        workflow.compose(sess, staff.editor, report)
    assert "行政许可" in refused.value.message
    with pytest.raises(workflow.ReportError) as other:
        workflow.save(sess, staff.dept_editor, report, report.figures, report.sections)
    assert other.value.status == 403
    with pytest.raises(workflow.ReportError):
        workflow.create(sess, staff.editor, agencies.gov, 2020)  # one report per body and year


def test_next_year_continues_from_the_published_figure(sess, staff, agencies, make_doc):
    make_doc("n1", date(2020, 3, 1))
    report = _drafted(sess, staff, agencies)
    doc = _approved(sess, staff, report)
    publishing.publish(sess, staff.publisher, doc, publishing.PublishRequest())
    sess.commit()
    backdated = make_doc("backdated", date(2020, 6, 1))  # added after the 2020 report went out
    next_year = _drafted(sess, staff, agencies, 2021)
    with pytest.raises(workflow.ReportError) as refused:
        workflow.compose(sess, staff.editor, next_year)
    assert "表二：现行有效件数" in refused.value.message and backdated.title in refused.value.message

"""Staff pages of the annual report: the list with its deadline flags, creating a year's report, entering
figures (refused by field), composing into the document, and who may do what."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import AnnualReport
from portal.services.annual_reports import workflow
from tests.annual_reports.conftest import FIGURES


def test_editor_creates_fills_in_and_composes_the_report(client, sess, staff, agencies, login_as, csrf_token):
    login_as(staff.editor)
    index = client.get("/admin/annual-reports/")
    assert index.status_code == 200 and "发布期限" in index.get_data(as_text=True)
    created = client.post("/admin/annual-reports/new", data={"year": "2020", "csrf_token": csrf_token()})
    report = sess.scalars(select(AnnualReport)).one()
    assert created.status_code == 302 and created.headers["Location"].endswith(
        f"/admin/annual-reports/{report.id}"
    )
    url = f"/admin/annual-reports/{report.id}"
    page = client.get(url).get_data(as_text=True)
    assert "未通过：表二：行政许可、行政处罚、行政强制、行政事业性收费须填报数字及其来源" in page

    refused = client.post(url, data={**FIGURES, "licensing_value": "很多", "csrf_token": csrf_token()})
    assert refused.status_code == 400 and "行政许可应为 0 至 1000000 的整数" in refused.get_data(as_text=True)
    sections = {f"section_{k}": v for k, v in report.sections.items()}
    sections["section_problems"] = "一是解读形式不够丰富。"
    saved = client.post(url, data={**FIGURES, **sections, "csrf_token": csrf_token()})
    assert saved.status_code == 302
    sess.expire_all()
    assert report.figures["penalty"] == {"value": 45, "source": "区执法平台"}
    assert report.sections["problems"] == "一是解读形式不够丰富。"

    composed = client.post(f"{url}/compose", data={"csrf_token": csrf_token()})
    sess.expire_all()
    assert composed.status_code == 302 and composed.headers["Location"].endswith(
        f"/admin/documents/{report.document_id}"
    )
    assert "一是解读形式不够丰富。" in report.document.body_md
    again = client.post("/admin/annual-reports/new", data={"year": "2020", "csrf_token": csrf_token()})
    assert again.status_code == 302 and "已经存在" in client.get("/admin/annual-reports/").get_data(
        as_text=True
    )


def test_compose_refused_shows_the_failing_invariant(client, sess, staff, agencies, login_as, csrf_token):
    report = workflow.create(sess, staff.editor, agencies.gov, 2020)
    sess.commit()
    login_as(staff.editor)
    refused = client.post(f"/admin/annual-reports/{report.id}/compose", data={"csrf_token": csrf_token()})
    assert refused.status_code == 409 and "年度报告未通过校验" in refused.get_data(as_text=True)


def test_who_may_see_and_write(client, sess, staff, agencies, login_as, csrf_token):
    report = workflow.create(sess, staff.editor, agencies.gov, 2020)
    sess.commit()
    url = f"/admin/annual-reports/{report.id}"
    login_as(staff.dept_editor)  # another body's editor
    assert client.get(url).status_code == 403
    assert client.post(url, data={"csrf_token": csrf_token()}).status_code == 403
    login_as(staff.reviewer)  # the body's reviewer looks, does not write
    page = client.get(url)
    assert page.status_code == 200 and "生成年度报告文稿" not in page.get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_token()}).status_code == 403
    login_as(staff.publisher)
    assert client.get(url).status_code == 200
    assert "政府信息公开工作年度报告（发布期限）" in client.get("/admin/").get_data(as_text=True)

"""The column in the staff area: the FOI office fields of the guide (admins edit them, a blank one is
flagged), the category a publication needs, and the empty categories on the dashboard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AuditEntry
from portal.services import publishing
from portal.services.publishing import PublishRequest, WorkflowError
from portal.services.xxgk.categories import STATUTORY

OFFICE = {
    "foi_office_name": "北京市西城区人民政府办公室（区政府信息公开办公室）",
    "foi_address": "北京市西城区二龙路27号",
    "foi_hours": "工作日上午9:00—12:00，下午13:30—17:30",
    "foi_phone": "010-88064001",
    "foi_fax": "010-88064002",
    "foi_email": "xxgk@bjxch.gov.cn",
    "foi_postal": "北京市西城区二龙路27号，100032",
}
INCOMPLETE = "政府信息公开指南：工作机构信息不全"


def _dashboard_section(html: str, title: str) -> str:
    start = html.index(title)
    end = html.find("<h2>", start)
    return html[start : end if end > 0 else None]


def test_admin_fills_in_an_office_and_the_guide_and_dashboard_follow(
    client, sess, staff, district, login_as, csrf_token
):
    login_as(staff.admin)
    flagged = _dashboard_section(client.get("/admin/").get_data(as_text=True), INCOMPLETE)
    assert f">{district.name}</a>" in flagged and "缺少工作机构名称" in flagged
    url = f"/admin/xxgk/offices/{district.id}"
    assert client.get(url).status_code == 200

    bad = {
        **OFFICE,
        "foi_email": "xxgk at bjxch",
        "foi_postal": "北京市西城区二龙路27号",
        "foi_phone": "请拨 88064001",
        "foi_fax": "0" * 65,
        "csrf_token": csrf_token(),
    }
    response = client.post(url, data=bad)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "电子邮箱格式不正确" in body and "通信地址须包含6位邮政编码" in body
    assert "联系电话只能包含数字" in body and "传真不能超过 64 个字符" in body
    assert 'value="请拨 88064001"' in body, "the refused form does not show what was typed"
    sess.expire_all()
    assert district.foi_address == "", "a refused form saved something"

    assert client.post(url, data={**OFFICE, "csrf_token": csrf_token()}).status_code == 302
    guide = client.get("/xxgk/xxgkzn/").get_data(as_text=True)
    for value in OFFICE.values():
        assert value in guide
    flagged = _dashboard_section(client.get("/admin/").get_data(as_text=True), INCOMPLETE)
    assert f">{district.name}</a>" not in flagged
    assert ">北京市西城区人民政府办公室</a>" in flagged  # the office below it is still blank
    entry = sess.scalars(select(AuditEntry).where(AuditEntry.object_id == district.id)).one()
    assert entry.action == "agency.update" and entry.after["foi_phone"] == OFFICE["foi_phone"]

    # A field cleared later is flagged again, and the guide says so instead of hiding the line.
    assert client.post(url, data={**OFFICE, "foi_fax": "", "csrf_token": csrf_token()}).status_code == 302
    flagged = _dashboard_section(client.get("/admin/").get_data(as_text=True), INCOMPLETE)
    assert f'{district.name}</a> <span class="meta">缺少传真' in flagged
    assert "未提供" in client.get("/xxgk/xxgkzn/").get_data(as_text=True)


def test_only_admins_edit_the_offices(client, staff, district, login_as):
    login_as(staff.editor)
    assert client.get(f"/admin/xxgk/offices/{district.id}").status_code == 403
    overview = client.get("/admin/xxgk/").get_data(as_text=True)
    assert district.name in overview and "/admin/xxgk/offices/" not in overview


def test_publishing_without_a_category_is_refused_in_chinese(
    client, sess, staff, make_draft, login_as, csrf_token
):
    doc = make_draft(disclosure_category="")
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    sess.commit()
    with pytest.raises(WorkflowError, match="未选择公开类别"):
        publishing.check_publish(sess, staff.publisher, doc, PublishRequest())

    login_as(staff.publisher)
    response = client.post(f"/admin/documents/{doc.id}/publish", data={"csrf_token": csrf_token()})
    assert response.status_code >= 400
    assert "未选择公开类别：请编辑文件，选择其所属的法定主动公开内容类别" in response.get_data(as_text=True)
    sess.expire_all()
    assert doc.status == "approved" and doc.published_at is None


def test_empty_categories_are_on_the_dashboard_until_something_is_published(
    client, sess, staff, make_draft, login_as
):
    title = "法定主动公开内容：没有内容的类别"
    login_as(staff.editor)
    html = client.get("/admin/").get_data(as_text=True)
    assert f"{title}（{len(STATUTORY)}）" in html
    assert "规章和规范性文件" in _dashboard_section(html, title)

    doc = make_draft()  # filed under 规章和规范性文件
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    html = client.get("/admin/").get_data(as_text=True)
    assert f"{title}（{len(STATUTORY) - 1}）" in html
    assert "规章和规范性文件" not in _dashboard_section(html, title)
    assert "无内容" in client.get("/admin/xxgk/").get_data(as_text=True)

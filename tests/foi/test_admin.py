"""Staff handle requests: registration, the steps, four eyes, scope by agency, audited views."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from portal.models import AuditEntry, InfoRequest
from portal.services.foi import requests as service
from tests.foi.conftest import RESIDENT_ID, application


def _registered(sess, agencies, foi_staff, on=date(2020, 9, 28)):  # noqa: ANN001, ANN201
    req, _ = service.register(
        sess, foi_staff.officer, application(), agencies.office, "in_person", on, secret_key="k"
    )
    sess.commit()
    return req


def test_staff_register_a_letter_signed_for_on_its_signing_date(
    client, sess, login_as, csrf_token, agencies, foi_staff
):
    login_as(foi_staff.officer)
    data = {
        "channel": "post_signed",
        "arrived_on": "2020-09-25",
        "signed_on": "2020-09-28",
        "agency_id": str(agencies.office.id),
        "applicant_type": "person",
        "name": "李四",
        "id_type": "resident_id",
        "id_number": RESIDENT_ID,
        "phone": "010-66012345",
        "address": "北京市西城区某街1号 100032",
        "description": "区政府2019年度部门预算",
        "form_wanted": "paper",
        "delivery": "post",
        "csrf_token": csrf_token(),
    }
    response = client.post("/admin/foi/new", data=data)
    assert response.status_code == 302
    req = sess.scalars(select(InfoRequest)).one()
    assert (req.received_on, req.due_on, req.state) == (date(2020, 9, 28), date(2020, 11, 2), "open")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2020-11-02" in page and RESIDENT_ID in page  # the handling officer sees it unmasked
    refused = client.post("/admin/foi/new", data={**data, "signed_on": "", "description": "保留"})
    assert refused.status_code == 400 and "签收日期" in refused.get_data(as_text=True)


def test_reply_needs_a_second_person_and_the_letter_is_printable(
    client, sess, login_as, csrf_token, agencies, foi_staff
):
    req = _registered(sess, agencies, foi_staff)
    login_as(foi_staff.head)
    drafted = client.post(
        f"/admin/foi/{req.id}/draft",
        data={"draft-outcome": "already_public", "draft-link": "", "draft-csrf_token": csrf_token()},
    )
    assert drafted.status_code == 400 and "已主动公开的，请填写" in drafted.get_data(as_text=True)
    client.post(
        f"/admin/foi/{req.id}/draft",
        data={
            "draft-outcome": "already_public",
            "draft-link": "https://www.bjxch.gov.cn/xxgk/",
            "draft-csrf_token": csrf_token(),
        },
    )
    own = client.post(
        f"/admin/foi/{req.id}/issue", data={"issue-on": "2020-10-20", "issue-csrf_token": csrf_token()}
    )
    assert own.status_code == 403 and "四眼原则" in own.get_data(as_text=True)
    second_head = service.User(
        username="head2", display_name="head2", roles=["foi_head"], agency_id=agencies.office.id
    )
    sess.add(second_head)
    sess.commit()
    login_as(second_head)
    assert (
        client.post(
            f"/admin/foi/{req.id}/issue", data={"issue-on": "2020-10-20", "issue-csrf_token": csrf_token()}
        ).status_code
        == 302
    )
    sess.expire_all()
    assert sess.get(InfoRequest, req.id).state == "answered"
    letter = client.get(f"/admin/foi/{req.id}/letter").get_data(as_text=True)
    assert (
        "答复告知书" in letter and "https://www.bjxch.gov.cn/xxgk/" in letter and "2020年10月20日" in letter
    )
    assert "行政复议" in letter and "第三十六条第（一）项" in letter


def test_other_agencies_cannot_see_a_request_and_admins_see_it_masked(
    client, sess, login_as, agencies, foi_staff
):
    req = _registered(sess, agencies, foi_staff)
    login_as(foi_staff.other_officer)
    assert client.get(f"/admin/foi/{req.id}/").status_code == 403
    assert req.receipt_code not in client.get("/admin/foi/").get_data(as_text=True)
    login_as(foi_staff.admin)
    page = client.get(f"/admin/foi/{req.id}/").get_data(as_text=True)
    assert RESIDENT_ID not in page and "110***********0018" in page
    login_as(foi_staff.editor)
    assert client.get("/admin/foi/").status_code == 403
    views = sess.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "foi.view"))
    assert views == 1  # the admin's view; the refused one saw nothing


def test_watchdog_lists_overdue_and_soon_due_requests(client, sess, login_as, agencies, foi_staff):
    _registered(sess, agencies, foi_staff, on=date(2020, 9, 28))  # due 2020-11-02: long overdue today
    login_as(foi_staff.officer)
    body = client.get("/admin/foi/").get_data(as_text=True)
    assert re.search(r"已超期：<strong>1</strong>", body)


def test_report_page_shows_table_three_that_adds_up(client, sess, login_as, agencies, foi_staff):
    req = _registered(sess, agencies, foi_staff, on=date(2020, 12, 20))
    service.draft_reply(sess, foi_staff.officer, req, "disclosed")
    service.issue_reply(sess, foi_staff.head, req, date(2021, 1, 5))
    sess.commit()
    login_as(foi_staff.officer)
    body2020 = client.get("/admin/foi/report?year=2020").get_data(as_text=True)
    body2021 = client.get("/admin/foi/report?year=2021").get_data(as_text=True)
    assert "结转下年度继续办理" in body2020 and "统计数据不一致" not in body2020
    assert "上年结转政府信息公开申请数量" in body2021

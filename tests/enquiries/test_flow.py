"""A citizen writes, staff accept, draft, review (four eyes), answer and publish; the board shows it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.clock import add_working_days
from portal.models import Enquiry
from tests.enquiries.conftest import message_form


def _write(client, csrf_token, agency_id, **overrides):  # noqa: ANN001, ANN201
    return client.post(
        "/enquiries/write", data={**message_form(agency_id, **overrides), "csrf_token": csrf_token()}
    )


def _codes(body: str) -> tuple[str, str]:
    found = re.findall(r'class="receipt-code">([A-Z0-9-]+)<', body)
    return found[0], found[1]


def _act(client, csrf_token, msg_id, step, **fields):  # noqa: ANN001, ANN201
    data = {f"{step}-{k}": v for k, v in fields.items()}
    return client.post(f"/admin/enquiries/{msg_id}/{step}", data={**data, f"{step}-csrf_token": csrf_token()})


def test_write_receipt_and_status_are_private_and_durable(client, sess, csrf_token, agencies):
    response = _write(client, csrf_token, agencies.edu.id)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    code, password = _codes(response.get_data(as_text=True))
    msg = sess.scalars(select(Enquiry)).one()
    assert msg.receipt_code == code and msg.state == "received" and msg.due_on is not None
    again = _codes(_write(client, csrf_token, agencies.edu.id).get_data(as_text=True))
    assert again == (code, password) and sess.scalar(select(func.count(Enquiry.id))) == 1
    status = client.post(
        "/enquiries/status", data={"code": code, "password": password, "csrf_token": csrf_token()}
    )
    assert status.status_code == 200 and "待受理" in status.get_data(as_text=True)
    wrong = client.post(
        "/enquiries/status", data={"code": code, "password": "X" * 10, "csrf_token": csrf_token()}
    )
    assert wrong.status_code == 404


def test_bad_input_keeps_the_text(client, sess, csrf_token, agencies):
    response = _write(client, csrf_token, agencies.edu.id, subject="", body="这段文字要保留")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "请填写标题" in body and "这段文字要保留" in body
    honeypot = _write(client, csrf_token, agencies.edu.id, website="http://spam")
    assert honeypot.status_code == 400 and sess.scalar(select(func.count(Enquiry.id))) == 0


def test_staff_answer_with_four_eyes_publish_and_the_writer_is_mailed(
    smtp_inbox, client, sess, csrf_token, login_as, agencies, staff
):
    _write(client, csrf_token, agencies.edu.id)
    msg = sess.scalars(select(Enquiry)).one()
    login_as(staff.other_editor)
    assert client.get(f"/admin/enquiries/{msg.id}/").status_code == 403  # another agency's message
    login_as(staff.editor)
    assert _act(client, csrf_token, msg.id, "accept").status_code == 302
    assert (
        _act(client, csrf_token, msg.id, "draft", reply="5月上旬开始报名。", publish_question="y").status_code
        == 302
    )
    login_as(staff.reviewer)
    assert _act(client, csrf_token, msg.id, "answer").status_code == 302
    sess.expire_all()
    msg = sess.get(Enquiry, msg.id)
    assert msg.state == "answered" and msg.replied_on is not None
    (mail,) = smtp_inbox
    assert mail["To"] == "wang@example.com" and "5月上旬开始报名" in mail.get_content()
    login_as(staff.publisher)
    assert _act(client, csrf_token, msg.id, "publish").status_code == 302
    board = client.get("/enquiries/").get_data(as_text=True)
    assert "幼儿园报名时间" in board and "答复时间" in board
    page = client.get(f"/enquiries/{msg.id}/").get_data(as_text=True)
    assert "5月上旬开始报名" in page and "今年幼儿园报名" in page  # consented question shown
    assert "13800138000" not in page and "wang@example.com" not in page and "王女士" not in page


def test_the_drafter_cannot_answer_their_own_reply(
    client, sess, csrf_token, login_as, agencies, staff, make_user
):
    _write(client, csrf_token, agencies.edu.id)
    msg = sess.scalars(select(Enquiry)).one()
    both = make_user("both", ["editor", "reviewer"], agency=agencies.edu)
    login_as(both)
    _act(client, csrf_token, msg.id, "accept")
    _act(client, csrf_token, msg.id, "draft", reply="答复。")
    refused = _act(client, csrf_token, msg.id, "answer")
    assert refused.status_code == 403 and "四眼原则" in refused.get_data(as_text=True)


def test_personal_data_in_a_reply_blocks_publication(client, sess, csrf_token, login_as, agencies, staff):
    _write(client, csrf_token, agencies.edu.id)
    msg = sess.scalars(select(Enquiry)).one()
    login_as(staff.editor)
    _act(client, csrf_token, msg.id, "accept")
    _act(client, csrf_token, msg.id, "draft", reply="请联系王老师，电话13912345678。")
    login_as(staff.reviewer)
    _act(client, csrf_token, msg.id, "answer")
    login_as(staff.publisher)
    refused = _act(client, csrf_token, msg.id, "publish")
    assert refused.status_code == 400 and "个人信息" in refused.get_data(as_text=True)
    assert client.get(f"/enquiries/{msg.id}/").status_code == 404


def test_error_report_from_the_footer_of_any_page(client, sess, csrf_token, agencies):
    page = client.get("/policies/").get_data(as_text=True)
    link = re.search(r'href="(/enquiries/report-error)">我为政府网站找错', page).group(1)
    form = client.get(link, headers={"Referer": "http://localhost/policies/"}).get_data(as_text=True)
    assert 'value="/policies/"' in form  # the page the link was followed from
    elsewhere = client.get(link, headers={"Referer": "https://example.com/elsewhere"}).get_data(as_text=True)
    assert "example.com" not in elsewhere and "/elsewhere" not in elsewhere
    response = client.post(
        "/enquiries/report-error",
        data={"page_url": "/enquiries/", "body": "统计表的月份排序有误。", "csrf_token": csrf_token()},
    )
    assert response.status_code == 200
    msg = sess.scalars(select(Enquiry)).one()
    assert (msg.kind, msg.agency_id, msg.page_url) == ("error", agencies.office.id, "/enquiries/")


class TestConfiguredDeadlines:
    @pytest.fixture
    def app_overrides(self, app_overrides):  # noqa: ANN001, ANN201
        return {**app_overrides, "enquiry_accept_days": 4}

    def test_the_running_app_uses_the_configured_deadlines(self, client, sess, csrf_token, agencies):
        _write(client, csrf_token, agencies.edu.id)
        msg = sess.scalars(select(Enquiry)).one()
        assert msg.due_on == add_working_days(msg.received_on, 4)

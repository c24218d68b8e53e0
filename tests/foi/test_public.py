"""A citizen applies online, keeps the receipt, and follows the request: private and durable."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.models import AuditEntry, InfoRequest
from tests.foi.conftest import CREDIT_CODE, form_data


def _apply(client, csrf_token, agency_id, **overrides):  # noqa: ANN001, ANN201
    return client.post("/foi/apply", data={**form_data(agency_id, **overrides), "csrf_token": csrf_token()})


def _receipt(body: str) -> tuple[str, str]:
    code = re.search(r"YSQ\d{4}-[A-Z0-9]{8}", body).group(0)
    password = re.search(r"查询密码</th><td><strong class=\"receipt-code\">([A-Z0-9]+)<", body).group(1)
    return code, password


def test_guide_explains_the_service_and_links_the_form(client, agencies):
    body = client.get("/foi/").get_data(as_text=True)
    assert "20个工作日" in body and "信息处理费" in body and "/foi/apply" in body
    assert agencies.office.name in body and agencies.gov.name in body
    assert agencies.outside.name not in body  # a body elsewhere takes no applications here


def test_apply_gives_a_receipt_only_after_the_application_is_stored(client, sess, csrf_token, agencies):
    response = _apply(client, csrf_token, agencies.office.id)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    code, password = _receipt(response.get_data(as_text=True))
    stored = sess.scalars(select(InfoRequest).where(InfoRequest.receipt_code == code)).one()
    assert stored.state == "submitted" and stored.received_on is None  # received when the office confirms
    assert password not in stored.secret_hash
    assert sess.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "foi.submit")) == 1


def test_the_same_application_sent_again_from_the_same_browser_is_one_request(
    client, sess, csrf_token, agencies
):
    first = _receipt(_apply(client, csrf_token, agencies.office.id).get_data(as_text=True))
    # Back button, the form re-fetched (a new page), the same text submitted again.
    client.get("/foi/apply")
    again = _receipt(_apply(client, csrf_token, agencies.office.id).get_data(as_text=True))
    assert again == first
    assert sess.scalar(select(func.count(InfoRequest.id))) == 1
    other = _receipt(
        _apply(client, csrf_token, agencies.office.id, description="另一项信息").get_data(as_text=True)
    )
    assert other[0] != first[0]


def test_bad_input_is_refused_in_chinese_with_everything_kept(client, sess, csrf_token, agencies):
    response = _apply(
        client, csrf_token, agencies.office.id, id_number="110102199003070019", description="保留这段文字"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "居民身份证号码不正确" in body and "保留这段文字" in body and "张三" in body
    org = _apply(
        client,
        csrf_token,
        agencies.office.id,
        applicant_type="business",
        id_type="credit_code",
        id_number=CREDIT_CODE,
    )
    assert org.status_code == 400 and "联系人" in org.get_data(as_text=True)
    assert sess.scalar(select(func.count(InfoRequest.id))) == 0


def test_an_expired_form_keeps_the_text(client, agencies):
    response = client.post(
        "/foi/apply", data={**form_data(agencies.office.id, description="过期也不丢"), "csrf_token": "bad"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "页面已过期" in body and "过期也不丢" in body


def test_status_page_needs_the_password_and_never_puts_it_in_a_url(client, csrf_token, agencies):
    code, password = _receipt(_apply(client, csrf_token, agencies.office.id).get_data(as_text=True))
    wrong = client.post(
        "/foi/status", data={"code": code, "password": "WRONG12345", "csrf_token": csrf_token()}
    )
    assert wrong.status_code == 404 and "不正确" in wrong.get_data(as_text=True)
    ok = client.post(
        "/foi/status", data={"code": code.lower(), "password": password, "csrf_token": csrf_token()}
    )
    body = ok.get_data(as_text=True)
    assert ok.status_code == 200 and ok.headers["Cache-Control"] == "private, no-store"
    assert "待登记确认" in body and "老旧小区" in body
    assert client.get(f"/foi/status?code={code}").status_code == 200  # the GET is only the empty form
    assert code not in client.get(f"/foi/status?code={code}").get_data(as_text=True)


def test_submissions_are_throttled_per_sender_across_processes(app, client, csrf_token, agencies):
    from portal.services.foi import requests as service

    for n in range(service.SUBMISSIONS_PER_HOUR):
        assert _apply(client, csrf_token, agencies.office.id, description=f"第{n}项").status_code == 200
    refused = _apply(client, csrf_token, agencies.office.id, description="再一项，内容保留")
    assert refused.status_code == 429 and "内容保留" in refused.get_data(as_text=True)

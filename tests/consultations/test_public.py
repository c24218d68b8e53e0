"""Consultations as a citizen sees them: find one, read the draft, comment, keep the receipt."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.models import BlockedSender, Comment
from portal.services import consultations as service
from tests.consultations.helpers import comment_form, look_up, make_consultation, shown_receipt


def _count(sess) -> int:  # noqa: ANN001
    sess.expire_all()
    return sess.scalar(select(func.count(Comment.id)))


def test_list_shows_open_upcoming_and_closed_with_days_left(client, sess):
    make_consultation(sess, slug="open-one", opens=-3, closes=10)
    make_consultation(sess, slug="later", title="将来的征集", opens=5, closes=40)
    make_consultation(sess, slug="past", title="过去的征集", opens=-40, closes=-2)
    html = client.get("/consultations/").get_data(as_text=True)
    assert "正在征集（1）" in html and "即将开始（1）" in html and "已结束（1）" in html
    assert "剩余10天" in html and "5天后开始" in html
    assert (
        "/consultations/open-one/" in html
        and "/consultations/later/" in html
        and "/consultations/past/" in html
    )
    assert "北京市西城区城市管理委员会" in html
    assert "/consultations/" in client.get("/").get_data(as_text=True)  # nav link


def test_page_shows_anchored_clauses_basis_note_channels_and_period(client, sess):
    make_consultation(sess)
    html = client.get("/consultations/parking/").get_data(as_text=True)
    assert 'id="clause-2"' in html and "第一条 为了规范" in html
    assert 'href="#clause-2"' in html and "?clause=2#comment-form" in html
    # Items （一）（二） stay inside their article.
    assert re.search(r'id="clause-3">.*?第二条.*?（二）临时停车', html, re.S)
    assert "决策依据" in html and "《北京市机动车停车条例》第十条" in html
    assert "起草说明" in html and "街巷停车难" in html
    assert "yjzj@example.gov.cn" in html and "西城区二龙路27号" in html and "010-88888888" in html
    assert "剩余27天" in html and 'name="website"' in html and 'name="csrf_token"' in html
    assert html.count("<h1>") == 1 and '<label for="f-body">' in html


def test_citizen_comments_on_a_clause_and_looks_up_the_receipt(client, sess):
    make_consultation(sess)
    form = comment_form(
        client,
        clause="3",
        body="第二条应明确临时停车时长。",
        name="张三",
        contact="zhang@example.com",
        consent="1",
    )
    response = client.post("/consultations/parking/comments", data=form)
    assert response.status_code == 303 and response.headers["Location"] == "/consultations/receipt/"
    comment = sess.scalars(select(Comment)).one()
    assert comment.clause.label == "第二条" and comment.consent
    code = comment.receipt_code
    assert code not in response.headers["Location"]  # never in a URL: access logs, history, Referer
    shown = client.get(response.headers["Location"])
    receipt = shown.get_data(as_text=True)
    assert "您的意见已收到并保存" in receipt and code in receipt and "第二条应明确临时停车时长" in receipt
    assert "zhang@example.com" not in receipt
    # It may show a comment its author did not agree to publish: never kept by a cache.
    assert shown.headers["Cache-Control"] == "private, no-store"
    # The date and the time it was received, in Beijing time.
    local = comment.received_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（北京时间）" in receipt
    # Look it up later in another browser, typed in lower case without the hyphen: a POST, not a URL.
    other = client.application.test_client()
    found = look_up(other, code.replace("-", "").lower())
    assert found.status_code == 303 and code not in found.headers["Location"], found.get_data(as_text=True)[
        -900:
    ]
    assert shown_receipt(other) == code
    missing = look_up(other, "ZZZZZ-ZZZZZ")
    assert missing.status_code == 404 and "未找到该回执码" in missing.get_data(as_text=True)
    assert missing.headers["Cache-Control"] == "private, no-store"
    # An old /receipts/<code>/ link only fills in the lookup form.
    old = client.application.test_client().get(f"/consultations/receipts/{code}/")
    html = old.get_data(as_text=True)
    assert old.status_code == 200 and f'value="{code}"' in html and "意见内容" not in html
    # Without a receipt in the session the receipt page sends to the lookup form.
    fresh = client.application.test_client().get("/consultations/receipt/")
    assert fresh.status_code == 303 and fresh.headers["Location"] == "/consultations/receipts/"


def test_resubmitted_form_creates_no_duplicate_and_shows_the_same_receipt(client, sess):
    make_consultation(sess)
    form = comment_form(client)
    first = client.post("/consultations/parking/comments", data=form)
    first_code = shown_receipt(client)
    again = client.post("/consultations/parking/comments", data=form)  # double click / reload / retry
    assert first.status_code == again.status_code == 303
    assert shown_receipt(client) == first_code and _count(sess) == 1
    # A different text is a new comment.
    client.post("/consultations/parking/comments", data=comment_form(client))
    assert shown_receipt(client) != first_code and _count(sess) == 2


def test_same_text_from_a_freshly_fetched_form_returns_the_first_receipt(client, sess):
    """Back button when the browser's cache no longer holds the page: the form is fetched again, with a
    new CSRF token, and the same text is sent again (spaces and full-width forms may differ)."""
    make_consultation(sess)
    client.post(
        "/consultations/parking/comments", data=comment_form(client, body="建议增加夜间停车位，共 3 处。")
    )
    first = shown_receipt(client)
    refetched = comment_form(client, body="  建议增加夜间停车位，共　３ 处。\r\n")
    assert client.post("/consultations/parking/comments", data=refetched).status_code == 303
    assert shown_receipt(client) == first and _count(sess) == 1
    # Another browser session sending the same words is another citizen: a comment of its own.
    other = client.application.test_client()
    other.post(
        "/consultations/parking/comments", data=comment_form(other, body="建议增加夜间停车位，共 3 处。")
    )
    assert shown_receipt(other) != first and _count(sess) == 2


def test_same_key_meets_the_unique_constraint_and_returns_the_first_comment(sess):
    c = make_consultation(sess)
    data = service.CommentInput(body="意见", idempotency_key="k" * 32)
    first, new = service.submit_comment(sess, c, data)
    # A resubmission (or a request racing with the first) inserts, hits the unique key, gets the first back.
    second, new_again = service.submit_comment(sess, c, data)
    assert new and not new_again and second.id == first.id and _count(sess) == 1
    # Even once the period is over, the same form still gets its receipt back, not a refusal.
    c.closes_on = c.opens_on
    sess.commit()
    again, _ = service.submit_comment(sess, c, data, today=c.opens_on + timedelta(days=5))
    assert again.receipt_code == first.receipt_code


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"body": "   "}, 400, "意见内容不能为空"),
        ({"body": "长" * 5001}, 400, "意见内容不能超过5000字"),
        ({"clause": "99"}, 400, "所选条款不存在"),
        ({"clause": "abc"}, 400, "所选条款不存在"),
        ({"name": "名" * 65}, 400, "姓名或名称不能超过64字"),
        ({"website": "http://spam.example"}, 400, "提交未成功"),
        ({"csrf_token": "forged"}, 400, "页面已过期"),
        ({"body": "长" * 5500}, 400, "超出500字"),
        ({"body": "意见\x00内容"}, 400, "无法识别的控制字符"),
        ({"clause": "²"}, 400, "所选条款不存在"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_writes_nothing(client, sess, fields, status, message):
    make_consultation(sess)
    response = client.post("/consultations/parking/comments", data=comment_form(client, **fields))
    html = response.get_data(as_text=True)
    assert response.status_code == status and message in html, html[-2000:]
    assert _count(sess) == 0
    if fields.get("body", "").strip():
        assert fields["body"].replace("\x00", "") in html  # what was typed is kept


def test_comments_outside_the_period_are_refused(client, sess):
    make_consultation(sess, slug="later", opens=2, closes=40)
    c = make_consultation(sess, slug="past", opens=-40, closes=-1)
    assert "征集已结束" in client.get("/consultations/past/").get_data(as_text=True)
    assert 'id="comment-form"' not in client.get("/consultations/past/").get_data(as_text=True)
    token_page = client.get("/consultations/later/").get_data(as_text=True)
    assert "征集将于" in token_page
    # Post with a valid token taken from an open page of the same session.
    make_consultation(sess, slug="parking")
    data = comment_form(client)
    for slug, message in (("later", "征集尚未开始"), ("past", "征集已结束")):
        response = client.post(f"/consultations/{slug}/comments", data=data)
        assert response.status_code == 409 and message in response.get_data(as_text=True)
    assert _count(sess) == 0 and c.status == "published"


def test_blocked_sender_is_refused_with_a_message(client, sess):
    make_consultation(sess)
    sess.add(BlockedSender(contact="spam@example.com", reason="广告"))
    sess.commit()
    response = client.post(
        "/consultations/parking/comments", data=comment_form(client, contact="spam@example.com")
    )
    assert response.status_code == 403 and "您的意见暂时无法提交" in response.get_data(as_text=True)
    assert _count(sess) == 0


def test_published_comments_are_listed_by_clause_without_contacts(client, sess, make_user):
    c = make_consultation(sess)
    staff = make_user("mod", roles=["reviewer"])
    ids = []
    for clause, consent, body in (
        ("3", True, "第二条意见甲"),
        ("3", True, "第二条意见乙"),
        ("", True, "总体意见丙"),
        ("4", False, "不愿公开的意见"),
        ("4", True, "待审核的意见"),
    ):
        comment, _ = service.submit_comment(
            sess,
            c,
            service.CommentInput(
                body=body,
                idempotency_key=f"key-{len(ids):02d}-abcdefghijklmnop",
                consent=consent,
                clause_number=int(clause) if clause else None,
                contact="secret@example.com",
                name="李四",
            ),
        )
        ids.append(comment.id)
    service.moderate(sess, staff, c, ids[:4], "publish")
    html = client.get("/consultations/parking/").get_data(as_text=True)
    assert "已公开意见（3）" in html and "第二条</a>（2条）" in html and "总体意见（1条）" in html
    assert "已公开意见 2 条" in html
    for hidden in ("secret@example.com", "不愿公开的意见", "待审核的意见"):
        assert hidden not in html


def test_a_title_already_in_book_title_marks_is_not_marked_twice_on_the_report(client, sess):
    c = make_consultation(sess, title="《西城区街巷停车管理办法（征求意见稿）》", opens=-40, closes=-10)
    c.status, c.report_html = "reported", "<p>感谢参与。</p>"
    c.report_published_at = c.created_at
    sess.commit()
    html = client.get("/consultations/parking/report/").get_data(as_text=True)
    assert "关于《西城区街巷停车管理办法（征求意见稿）》意见采纳情况的反馈" in html
    assert "《《" not in html and "》》" not in html
    plain = make_consultation(
        sess, slug="plain", title="西城区垃圾分类实施办法（征求意见稿）", opens=-40, closes=-10
    )
    plain.status, plain.report_html, plain.report_published_at = "reported", "<p>谢谢。</p>", plain.created_at
    sess.commit()
    assert "关于《西城区垃圾分类实施办法（征求意见稿）》意见采纳情况的反馈" in client.get(
        "/consultations/plain/report/"
    ).get_data(as_text=True)

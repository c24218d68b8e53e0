"""Staff side of consultations: create with period rules, moderate, enter, close, answer, report, export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from portal.models import AuditEntry, Comment, Consultation, Document
from portal.services import consultations as service
from portal.services.consultations.rules import local_today, period_shortfall, working_days
from portal.services.loader import load_content
from tests.consultations.helpers import DRAFT, agency, csrf, make_consultation, receipt_page
from tests.ingest.test_content_loader import GOOD, make_content


def _token(client, path: str = "/admin/consultations/new") -> str:  # noqa: ANN001
    return csrf(client.get(path).get_data(as_text=True))


@pytest.fixture
def editor(sess, make_user, login_as):  # noqa: ANN001, ANN201
    user = make_user("editor", roles=["editor", "reviewer", "publisher"], agency=agency(sess))
    login_as(user)
    return user


def _create_form(sess, **fields) -> dict:  # noqa: ANN001, ANN003
    today = local_today()
    form = {
        "title": "西城区养犬管理规定（征求意见稿）",
        "agency_id": str(agency(sess).id),
        "kind": "major_decision",
        "affects_rights": "1",
        "draft_md": DRAFT,
        "basis_md": "《北京市养犬管理规定》",
        "note_md": "说明",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=29)).isoformat(),
        "accepts_online": "1",
        "channel_email": "dog@example.gov.cn",
        "slug": "dogs",
        "publish": "1",
    }
    form.update(fields)
    return form


def test_period_rules_count_calendar_and_working_days():
    assert period_shortfall("major_decision", True, date(2026, 1, 5), date(2026, 2, 3)) == ""  # 30 days
    assert "本次为29日" in period_shortfall("major_decision", True, date(2026, 1, 5), date(2026, 2, 2))
    # 12 calendar days around National Day hold only 5 working days; 10 October is a make-up working day.
    assert working_days(date(2026, 9, 28), date(2026, 10, 9)) == 5
    assert "本次为5个工作日" in period_shortfall("normative", True, date(2026, 9, 28), date(2026, 10, 9))
    assert period_shortfall("normative", True, date(2026, 9, 28), date(2026, 10, 12)) == ""
    assert period_shortfall("normative", False, date(2026, 9, 28), date(2026, 9, 29)) == ""
    assert period_shortfall("other", True, date(2026, 9, 28), date(2026, 9, 28)) == ""


def test_create_refuses_a_short_period_without_a_public_reason(client, sess, editor):
    short = _create_form(sess, closes_on=(local_today() + timedelta(days=19)).isoformat())
    refused = client.post("/admin/consultations/new", data={**short, "csrf_token": _token(client)})
    assert refused.status_code == 400
    assert "不少于30日，本次为20日" in refused.get_data(as_text=True)
    assert sess.scalars(select(Consultation)).first() is None
    created = client.post(
        "/admin/consultations/new",
        data={**short, "short_period_reason": "须在汛期前出台", "csrf_token": _token(client)},
    )
    assert created.status_code == 303
    page = client.get("/consultations/dogs/").get_data(as_text=True)
    assert "须在汛期前出台" in page and "剩余19天" in page
    assert (
        sess.scalars(select(AuditEntry).where(AuditEntry.action == "consultation.create")).one().actor_name
        == "editor"
    )


def test_create_from_a_draft_document_takes_its_text(client, sess, editor, tmp_path):
    load_content(sess, make_content(tmp_path, good=GOOD.replace("topics:", "status: draft\ntopics:")))
    doc = sess.scalars(select(Document)).one()
    form = _create_form(sess, draft_md="", draft_document_id=str(doc.id), kind="other", slug="from-doc")
    assert (
        client.post("/admin/consultations/new", data={**form, "csrf_token": _token(client)}).status_code
        == 303
    )
    c = sess.scalars(select(Consultation)).one()
    assert c.draft_document_id == doc.id and "正文" in c.draft_md


def _switch_user(login_as, user) -> None:  # noqa: ANN001
    # Tests run inside one app context, where Flask-Login caches the current user in ``g``.
    g.pop("_login_user", None)
    login_as(user)


def test_staff_pages_need_roles_and_csrf(app, client, sess, make_user, login_as):
    c = make_consultation(sess)
    anonymous = client.get(f"/admin/consultations/{c.id}/")
    assert anonymous.status_code in (302, 401)
    _switch_user(login_as, make_user("reader", roles=["publisher"]))
    assert client.get(f"/admin/consultations/{c.id}/").status_code == 200
    assert client.get("/admin/consultations/new").status_code == 403
    assert client.get(f"/admin/consultations/{c.id}/comments.csv?full=1").status_code == 403
    token = _token(client, "/consultations/parking/")
    assert client.post(f"/admin/consultations/{c.id}/moderate", data={"csrf_token": token}).status_code == 403
    _switch_user(login_as, make_user("mod", roles=["reviewer"]))
    forged = client.post(
        f"/admin/consultations/{c.id}/moderate", data={"csrf_token": "x", "action": "publish"}
    )
    assert forged.status_code == 400 and "页面已过期" in forged.get_data(as_text=True)


def test_editors_and_reviewers_handle_only_their_agency(client, sess, make_user, login_as):
    from portal.models import Agency

    other = Agency(slug="other-dept", name="其他部门")
    sess.add(other)
    sess.commit()
    c = make_consultation(sess)
    _switch_user(login_as, make_user("outsider", roles=["editor", "reviewer"], agency=other))
    assert client.get(f"/admin/consultations/{c.id}/").status_code == 403
    assert c.title not in client.get("/admin/consultations/").get_data(as_text=True)
    refused = client.post(
        "/admin/consultations/new", data={**_create_form(sess), "csrf_token": _token(client)}
    )
    assert refused.status_code == 403 and "只能以本部门名义发起意见征集" in refused.get_data(as_text=True)
    _switch_user(login_as, make_user("insider", roles=["reviewer"], agency=agency(sess)))
    assert client.get(f"/admin/consultations/{c.id}/").status_code == 200
    assert c.title in client.get("/admin/consultations/").get_data(as_text=True)


def _submit(sess, c, body, **fields):  # noqa: ANN001, ANN003, ANN202
    key = f"k-{body.encode().hex()[:40]}-padding"
    comment, _ = service.submit_comment(
        sess, c, service.CommentInput(body=body, idempotency_key=key, **fields), today=c.opens_on
    )
    return comment


def test_moderation_queue_publish_reject_duplicate_in_bulk(client, sess, editor):
    c = make_consultation(sess)
    a, b, d, e = (
        _submit(sess, c, text, consent=True) for text in ("意见甲", "意见乙", "广告内容", "意见甲！")
    )
    token = _token(client, f"/admin/consultations/{c.id}/")
    url = f"/admin/consultations/{c.id}/moderate"
    assert (
        client.post(url, data={"csrf_token": token, "action": "publish", "ids": [a.id, b.id]}).status_code
        == 303
    )
    no_reason = client.post(
        url, data={"csrf_token": token, "action": "reject", "ids": [d.id]}, follow_redirects=True
    )
    assert "不予公开时必须填写理由" in no_reason.get_data(as_text=True)
    client.post(
        url, data={"csrf_token": token, "action": "reject", "ids": [d.id], "reason": "与征集事项无关的广告"}
    )
    client.post(
        url, data={"csrf_token": token, "action": "duplicate", "ids": [e.id], "duplicate_of": a.receipt_code}
    )
    sess.expire_all()
    assert [x.moderation for x in (a, b, d, e)] == ["published", "published", "rejected", "duplicate"]
    assert e.duplicate_of_id == a.id and d.moderation_reason == "与征集事项无关的广告"
    public = client.get("/consultations/parking/").get_data(as_text=True)
    assert "意见甲" in public and "意见乙" in public and "广告内容" not in public and "意见甲！" not in public
    receipt = receipt_page(client, d.receipt_code)
    assert "未通过审核" in receipt and "与征集事项无关的广告" in receipt


def test_staff_enter_comments_received_by_post_and_phone(client, sess, editor):
    c = make_consultation(sess)
    page = client.get(f"/admin/consultations/{c.id}/").get_data(as_text=True)
    key = page.split('name="key" value="', 1)[1].split('"', 1)[0]
    form = {
        "csrf_token": csrf(page),
        "key": key,
        "channel": "post",
        "body": "来信：建议延长收费时段。",
        "name": "王五",
        "received_on": "2026-11-18",
        "clause": "4",
    }
    assert client.post(f"/admin/consultations/{c.id}/comments", data=form).status_code == 303
    assert client.post(f"/admin/consultations/{c.id}/comments", data=form).status_code == 303  # resubmitted
    comment = sess.scalars(select(Comment)).one()
    assert (
        comment.channel == "post" and comment.entered_by_id == editor.id and comment.clause.label == "第三条"
    )
    assert comment.received_at.date() == date(2026, 11, 18)
    queue = client.get(f"/admin/consultations/{c.id}/").get_data(as_text=True)
    assert "来信：建议延长收费时段。" in queue and "信函" in queue
    online = client.post(
        f"/admin/consultations/{c.id}/comments",
        data={**form, "key": "x" * 20, "channel": "online"},
        follow_redirects=True,
    )
    assert "请选择意见的来源渠道" in online.get_data(as_text=True)
    misdated = client.post(
        f"/admin/consultations/{c.id}/comments",
        data={**form, "key": "y" * 20, "received_on": "18.11.2026"},
        follow_redirects=True,
    )
    assert "日期格式不正确：18.11.2026（应为 YYYY-MM-DD）" in misdated.get_data(as_text=True)
    assert sess.scalar(select(func.count(Comment.id))) == 1


def _closed_consultation(sess, editor):  # noqa: ANN001, ANN202
    c = make_consultation(sess, slug="parking", opens=-40, closes=-1)
    comments = [
        _submit(sess, c, "应增加夜间车位", clause_number=2, consent=True, contact="a@example.com"),
        _submit(sess, c, "夜间车位太少", consent=True, contact="b@example.com"),
        _submit(sess, c, "收费应降低", clause_number=4, consent=False, contact="13800000000"),
        _submit(sess, c, "买房找我", consent=True, contact="spam@example.com"),
        _submit(sess, c, "第二条不清楚", clause_number=3, consent=True),
    ]
    return c, comments


def test_closing_needs_the_period_over_and_the_queue_empty(client, sess, editor):
    open_one = make_consultation(sess, slug="still-open")
    token = _token(client)
    early = client.post(
        f"/admin/consultations/{open_one.id}/close", data={"csrf_token": token}, follow_redirects=True
    )
    assert "征集期尚未结束" in early.get_data(as_text=True)
    c, comments = _closed_consultation(sess, editor)
    pending = client.post(
        f"/admin/consultations/{c.id}/close", data={"csrf_token": token}, follow_redirects=True
    )
    assert "还有5条意见待审核" in pending.get_data(as_text=True)
    service.moderate(sess, editor, c, [x.id for x in comments], "publish")
    assert client.post(f"/admin/consultations/{c.id}/close", data={"csrf_token": token}).status_code == 303
    sess.expire_all()
    assert c.status == "closed"
    assert "征集已结束，正在整理意见" in client.get("/consultations/parking/").get_data(as_text=True)


def test_dispositions_viewpoints_report_links_and_email(smtp_inbox, client, sess, editor, tmp_path):
    load_content(sess, make_content(tmp_path, good=GOOD))
    final = sess.scalars(select(Document)).one()
    c, (night1, night2, fee, spam, unclear) = _closed_consultation(sess, editor)
    service.moderate(sess, editor, c, [night1.id, night2.id, fee.id, unclear.id], "publish")
    service.moderate(sess, editor, c, [spam.id], "reject", "广告")
    service.close_consultation(sess, editor, c)
    token = _token(client, f"/admin/consultations/{c.id}/feedback")
    base = f"/admin/consultations/{c.id}"
    client.post(
        f"{base}/viewpoints",
        data={"csrf_token": token, "summary": "增加夜间停车位", "disposition": "adopted"},
    )
    no_reason = client.post(
        f"{base}/viewpoints",
        data={"csrf_token": token, "summary": "x", "disposition": "not_adopted"},
        follow_redirects=True,
    )
    assert "未采纳时必须说明理由" in no_reason.get_data(as_text=True)
    vp = c.viewpoints[0]
    early = client.post(
        f"{base}/report", data={"csrf_token": token, "summary": "总结"}, follow_redirects=True
    )
    assert "还有4条已受理意见未给出处理结果" in early.get_data(as_text=True)
    rows = {
        "csrf_token": token,
        "ids": [night1.id, night2.id, fee.id, unclear.id],
        f"viewpoint-{night1.id}": vp.id,
        f"viewpoint-{night2.id}": vp.id,
        f"disposition-{fee.id}": "not_adopted",
        f"reason-{fee.id}": "收费标准由市级部门统一制定",
        f"disposition-{unclear.id}": "partly",
        f"reason-{unclear.id}": "已补充定义，其余表述保留",
    }
    assert client.post(f"{base}/dispositions", data=rows).status_code == 303
    sess.expire_all()
    assert (night1.disposition, night2.disposition, fee.disposition) == ("adopted", "adopted", "not_adopted")
    published = client.post(
        f"{base}/report",
        data={"csrf_token": token, "summary": "感谢各界参与。", "final_document_id": final.id},
        follow_redirects=True,
    )
    assert "反馈报告已发布" in published.get_data(as_text=True)

    report = client.get("/consultations/parking/report/").get_data(as_text=True)
    assert 'class="count-received">5<' in report
    assert 'n-adopted">2<' in report and 'n-partly">1<' in report and 'n-not-adopted">1<' in report
    assert "增加夜间停车位" in report and "收费标准由市级部门统一制定" in report and "已补充定义" in report
    assert "广告（1条）" in report and "收费应降低" not in report  # no consent: only the receipt code
    assert "/policies/good/" in report
    # The adopted document links back to its consultation and report.
    doc_page = client.get("/policies/good/").get_data(as_text=True)
    assert "/consultations/parking/" in doc_page and "/consultations/parking/report/" in doc_page
    # Every commenter who left an e-mail address is told, once per address; the phone number is not.
    assert sorted(m["To"] for m in smtp_inbox) == ["a@example.com", "b@example.com", "spam@example.com"]
    assert "意见采纳情况反馈已发布" in smtp_inbox[0]["Subject"]
    assert "/consultations/parking/report/" in smtp_inbox[0].get_content()
    sess.expire_all()
    assert night1.notified_at is not None and fee.notified_at is None
    receipt = receipt_page(client, fee.receipt_code)
    assert "未采纳" in receipt and "收费标准由市级部门统一制定" in receipt


def test_report_waits_for_the_mail_server_and_can_be_resent(client, sess, editor, app_overrides):
    c, comments = _closed_consultation(sess, editor)
    service.moderate(sess, editor, c, [x.id for x in comments], "reject", "测试")
    service.close_consultation(sess, editor, c)
    from flask import current_app

    from portal.services.consultations import report as reports

    settings = current_app.extensions["settings"]
    import dataclasses

    dead = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=1)
    assert reports.publish_report(sess, editor, c, "总结", None, dead) == 3
    assert reports.unnotified_count(sess, c) == 3  # nothing reached anybody; staff can resend
    page = client.get(f"/admin/consultations/{c.id}/feedback").get_data(as_text=True)
    assert "3条意见的提出人尚未收到通知" in page


def test_csv_export_leaves_out_contacts_and_moderated_away_unless_admin(
    client, sess, editor, make_user, login_as
):
    c, (night1, night2, fee, spam, unclear) = _closed_consultation(sess, editor)
    service.moderate(sess, editor, c, [night1.id, night2.id], "publish")
    service.moderate(sess, editor, c, [spam.id], "reject", "广告")
    sess.add(
        Comment(
            consultation_id=c.id,
            body='=HYPERLINK("http://evil")',
            receipt_code="AAAAA-BBBBB",
            idempotency_key="formula-injection-key",
            moderation="published",
            consent=True,
        )
    )
    sess.commit()
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/admin/consultations/{c.id}/comments.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    text = "\n".join(",".join(r) for r in rows)
    assert "联系方式" not in rows[0] and "a@example.com" not in text and "买房找我" not in text
    assert "应增加夜间车位" in text and "收费应降低" in text  # pending comments are still there
    assert "'=HYPERLINK" in text
    _switch_user(login_as, make_user("root", roles=["admin"]))
    full = client.get(f"/admin/consultations/{c.id}/comments.csv?full=1").get_data(as_text=True)
    assert "联系方式" in full and "a@example.com" in full and "买房找我" in full
    exports = sess.scalars(select(AuditEntry).where(AuditEntry.action == "consultation.export")).all()
    assert [e.note for e in exports] == ["public fields", "full"]


def test_dashboard_lists_comments_waiting_for_moderation(client, sess, editor):
    c = make_consultation(sess)
    _submit(sess, c, "待审核的意见")
    html = client.get("/admin/").get_data(as_text=True)
    assert f"/admin/consultations/{c.id}/" in html and "1条意见待审核" in html

"""What each kind of subscription hears about, immediate and in digests, and the owner's manage page."""

from __future__ import annotations

import dataclasses

from flask import current_app
from sqlalchemy import func, select

from portal.models import Subscriber, Subscription, SubscriptionMessage
from portal.services import consultations as consultation_service
from portal.services import publishing
from portal.services.consultations import report as consultation_report
from portal.services.subscriptions import delivery
from tests.consultations.helpers import make_consultation
from tests.subscriptions.conftest import link, publish, to
from tests.subscriptions.test_flow import _confirm, _subscribe


def _follow(client, csrf_token, inbox, email, kind="all", target="", frequency="immediate"):  # noqa: ANN001, ANN201
    assert _subscribe(client, csrf_token, email, kind, target, frequency).status_code == 200
    _confirm(client, csrf_token, to(inbox, email)[-1])


def test_agency_topic_search_and_all_hear_of_new_documents_once_per_address(
    inbox, client, sess, csrf_token, staff, agencies, make_draft
):
    first = publish(
        sess,
        staff,
        make_draft(
            title="关于街巷停车的通知",
            body_md="规范街巷停车秩序。\n",
            doc_number="西政办发〔2021〕7号",
            index_no="000012345/2021-00007",
        ),
    )
    _follow(client, csrf_token, inbox, "all@example.com", "all")
    _follow(client, csrf_token, inbox, "all@example.com", "agency", agencies.office.slug)
    _follow(client, csrf_token, inbox, "topic@example.com", "topic", "政务公开")
    _follow(client, csrf_token, inbox, "other@example.com", "agency", agencies.other.slug)
    assert client.get(f"/search?q=停车&agency={agencies.office.slug}").status_code == 200
    _follow(client, csrf_token, inbox, "search@example.com", "search", "q=停车")
    section = client.get("/xxgk/fdzdgknr/gzwj/").get_data(as_text=True)
    assert "/subscriptions/new/category?target=gzwj" in section
    _follow(client, csrf_token, inbox, "category@example.com", "category", "gzwj")
    _follow(client, csrf_token, inbox, "budget@example.com", "category", "czys")
    _follow(client, csrf_token, inbox, "nomatch@example.com", "search", "q=垃圾分类")
    before = len(inbox)

    doc = publish(sess, staff, make_draft(title="西城区停车管理办法", body_md="居民停车实行登记。\n"))
    new = inbox[before:]
    assert sorted(m["To"] for m in new) == [
        "all@example.com",
        "category@example.com",
        "search@example.com",
        "topic@example.com",
    ]
    assert all(doc.title in m["Subject"] and "新发布" in m["Subject"] for m in new)
    assert f"https://zwgk.example.gov.cn/policies/{doc.slug}/" in new[0].get_content()

    # Repealed by a later document: the message names it. Withdrawn: with the public reason.
    before = len(inbox)
    publishing.mark_validity(sess, staff.publisher, first, "repealed", doc, "")
    sess.commit()
    (repealed, _category, _topic) = sorted(inbox[before:], key=lambda m: m["To"])
    assert "已废止" in repealed["Subject"] and f"已被《{doc.title}》废止" in repealed.get_content()
    before = len(inbox)
    publishing.withdraw(sess, staff.publisher, doc, "文号有误")
    sess.commit()
    assert all("撤回理由：文号有误" in m.get_content() for m in inbox[before:]) and inbox[before:]


def test_consultation_subscriber_gets_the_feedback_report(inbox, client, sess, csrf_token, staff):
    consultation = make_consultation(sess, slug="parking", opens=-30, closes=-2)
    page = client.get("/consultations/parking/").get_data(as_text=True)
    assert "/subscriptions/new/consultation?target=parking" in page
    _follow(client, csrf_token, inbox, "c@example.com", "consultation", "parking")
    consultation_service.close_consultation(sess, staff.publisher, consultation)
    settings = current_app.extensions["settings"]
    consultation_report.publish_report(sess, staff.publisher, consultation, "总体采纳情况。", None, settings)
    report = to(inbox, "c@example.com")[-1]
    assert "反馈已发布" in report["Subject"] and "/consultations/parking/report/" in report.get_content()


def test_digest_collects_until_the_digest_run(inbox, client, sess, csrf_token, staff, make_draft):
    _follow(client, csrf_token, inbox, "daily@example.com", "all", "", "daily")
    before = len(inbox)
    one = publish(sess, staff, make_draft(title="第一份文件"))
    two = publish(
        sess,
        staff,
        make_draft(title="第二份文件", doc_number="西政办发〔2021〕4号", index_no="000012345/2021-00004"),
    )
    assert len(inbox) == before  # nothing until the digest
    settings = current_app.extensions["settings"]
    assert delivery.digest(sess, settings, "weekly") == 0
    assert delivery.digest(sess, settings, "daily") == 1
    (digest,) = inbox[before:]
    text = digest.get_content()
    assert "每日摘要" in digest["Subject"] and "2条更新" in digest["Subject"]
    assert one.title in text and two.title in text and digest["List-Unsubscribe-Post"]
    assert delivery.digest(sess, settings, "daily") == 0  # each event once


def test_manage_page_changes_deletes_and_revokes(
    inbox, client, sess, csrf_token, staff, agencies, make_draft
):
    _follow(client, csrf_token, inbox, "owner@example.com", "all")
    _follow(client, csrf_token, inbox, "owner@example.com", "agency", agencies.office.slug)
    assert client.get("/subscriptions/").status_code == 200
    response = client.post(
        "/subscriptions/manage-link",
        data={"manage-email": "owner@example.com", "manage-csrf_token": csrf_token()},
    )
    assert response.status_code == 200
    manage = link(to(inbox, "owner@example.com")[-1], "manage")
    # An unknown address gets the same answer and no mail.
    count = len(inbox)
    unknown = client.post(
        "/subscriptions/manage-link",
        data={"manage-email": "nobody@example.com", "manage-csrf_token": csrf_token()},
    )
    assert unknown.get_data(as_text=True) == response.get_data(as_text=True) and len(inbox) == count
    page = client.get(manage)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert "owner@example.com" in page.get_data(as_text=True)
    first, second = sess.scalars(select(Subscription).order_by(Subscription.id)).all()
    data = {
        "action": "frequency",
        "subscription_id": str(second.id),
        "frequency": "weekly",
        "csrf_token": csrf_token(),
    }
    assert "已修改接收方式" in client.post(manage, data=data).get_data(as_text=True)
    sess.expire_all()
    assert sess.get(Subscription, second.id).frequency == "weekly"
    # Revoke: the old link stops working, a new one is mailed.
    assert client.post(manage, data={"action": "revoke", "csrf_token": csrf_token()}).status_code == 200
    assert client.get(manage).status_code == 404
    manage = link(to(inbox, "owner@example.com")[-1], "manage")
    assert client.get(manage).status_code == 200
    # Delete all: the address and everything about it is gone.
    assert "已删除" in client.post(manage, data={"action": "delete", "csrf_token": csrf_token()}).get_data(
        as_text=True
    )
    assert sess.scalar(select(func.count(Subscriber.id))) == 0
    assert sess.scalar(select(func.count(SubscriptionMessage.id))) == 0
    assert client.get(manage).status_code == 404


def test_bounce_and_retry(inbox, app, client, sess, csrf_token, staff, make_draft):
    assert _subscribe(client, csrf_token, "bounce@example.com").status_code == 200
    message = sess.scalars(select(SubscriptionMessage)).one()
    assert message.status == "bounced" and message.next_attempt_at is None and "550" in message.last_error
    # The mail server down: failed, retried later with the push queue's back-off.
    settings = app.extensions["settings"]
    app.extensions["settings"] = dataclasses.replace(settings, smtp_port=1)
    assert _subscribe(client, csrf_token, "later@example.com").status_code == 200
    message = sess.scalars(select(SubscriptionMessage).where(SubscriptionMessage.id != message.id)).one()
    assert message.status == "failed" and message.attempts == 1 and message.next_attempt_at is not None
    app.extensions["settings"] = settings
    assert delivery.run_due(sess, settings, now=message.next_attempt_at) == (1, 0)
    sess.refresh(message)
    assert message.status == "sent" and to(inbox, "later@example.com")

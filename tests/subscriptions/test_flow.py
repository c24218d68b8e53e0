"""Subscribe, confirm, be told what changed, unsubscribe in one click: with a real SMTP server."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.models import Subscriber, Subscription, SubscriptionMessage
from portal.services import editing
from tests.admin.conftest import document_form
from tests.subscriptions.conftest import link, publish, to


def _subscribe(client, csrf_token, email, kind="all", target="", frequency="immediate"):  # noqa: ANN001, ANN201
    data = {
        "email": email,
        "kind": kind,
        "target": target,
        "frequency": frequency,
        "csrf_token": csrf_token(),
    }
    return client.post("/subscriptions/new", data=data)


def _confirm(client, csrf_token, message) -> None:  # noqa: ANN001
    path = link(message, "confirm")
    page = client.get(path)
    assert page.status_code == 200 and "确认订阅" in page.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": csrf_token()})
    assert done.status_code == 200 and "订阅成功" in done.get_data(as_text=True)


def test_document_subscriber_is_told_what_changed_and_unsubscribes_in_one_click(
    inbox, client, sess, csrf_token, staff, agencies, make_draft, make_interpretation
):
    doc = publish(sess, staff, make_draft())
    page = client.get(f"/policies/{doc.slug}/").get_data(as_text=True)
    assert f"/subscriptions/new/document?target={doc.slug}" in page
    assert client.get(f"/subscriptions/new/document?target={doc.slug}").status_code == 200

    response = _subscribe(client, csrf_token, "Li.Ming@Example.com", "document", doc.slug)
    assert response.status_code == 200 and "请查收邮件" in response.get_data(as_text=True)
    (confirmation,) = to(inbox, "li.ming@example.com")
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert confirmation["List-Unsubscribe"].startswith(
        "<https://zwgk.example.gov.cn/subscriptions/unsubscribe/"
    )

    # Not confirmed yet: an amendment reaches nobody.
    form = editing.parse_document_form(
        sess,
        document_form([agencies.office.id], title=doc.title, change_note="补充说明", body_md="坚持公开。\n"),
        doc,
    )
    editing.save_document(sess, staff.publisher, form, doc)
    sess.commit()
    assert len(inbox) == 1

    _confirm(client, csrf_token, confirmation)
    assert sess.scalar(select(Subscription.state)) == "active"

    form = editing.parse_document_form(
        sess,
        document_form(
            [agencies.office.id], title=doc.title, change_note="调整第二条", body_md="坚持公开为常态。\n"
        ),
        doc,
    )
    editing.save_document(sess, staff.publisher, form, doc)
    sess.commit()
    alert = to(inbox, "li.ming@example.com")[-1]
    text = alert.get_content()
    assert "已修改" in alert["Subject"] and "调整第二条" in text
    assert "- 坚持公开。" in text and "+ 坚持公开为常态。" in text and "正文" in text
    assert "/subscriptions/manage/" in text
    assert (
        sess.scalar(select(SubscriptionMessage.status).where(SubscriptionMessage.kind == "alert")) == "sent"
    )

    # A new interpretation of the document is news for its subscribers too.
    interp = publish(sess, staff, make_interpretation(doc))
    news = to(inbox, "li.ming@example.com")[-1]
    assert "有新的解读" in news["Subject"] and f"/interpretations/{interp.slug}/" in news.get_content()
    page = client.get(f"/interpretations/{interp.slug}/").get_data(as_text=True)
    assert f"/subscriptions/new/document?target={doc.slug}" in page

    # RFC 8058: the mail client POSTs to the header's address, no page, no CSRF token.
    one_click = alert["List-Unsubscribe"].strip("<>").removeprefix("https://zwgk.example.gov.cn")
    response = client.post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "已退订" in response.get_data(as_text=True)
    # The last subscription gone, the address is gone too.
    assert sess.scalar(select(func.count(Subscriber.id))) == 0
    assert client.post(one_click, data={"List-Unsubscribe": "One-Click"}).status_code == 404

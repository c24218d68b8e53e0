"""The enquiries watchdog with dates stated: zombie, overdue and due-soon messages, mailed (real SMTP)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.services import watchdog
from portal.services.enquiries import messages, pages


def _message(sess, agency, received: date, key: str):  # noqa: ANN001, ANN202
    msg, _password, _new = messages.submit(
        sess,
        agency,
        kind="consult",
        topic="education",
        subject="入学政策咨询",
        body="请问入学政策？",
        key=key,
        secret_key="k",
        received_at=datetime(received.year, received.month, received.day, 2, tzinfo=UTC),
    )
    return msg


def test_watch_names_due_soon_overdue_and_zombie_messages(sess, agencies, staff):
    fresh = _message(sess, agencies.edu, date(2020, 9, 30), "k" * 20)  # accept by Saturday 10 October
    old = _message(sess, agencies.edu, date(2020, 6, 1), "o" * 20)
    w = pages.watch(sess, staff.editor, date(2020, 10, 9))
    assert fresh in w.due_soon and old in w.overdue and old in w.zombies  # 1 Sep was three months
    assert fresh not in w.zombies
    assert pages.watch(sess, staff.other_editor, date(2020, 10, 9)).zombies == []  # another agency's board


def test_digest_mailed_to_the_agencys_editors(smtp_inbox, app, sess, agencies, staff):
    msg = _message(sess, agencies.edu, date(2020, 6, 1), "z" * 20)
    staff.editor.email = "editor@bjxch.gov.cn"
    staff.other_editor.email = "other@bjxch.gov.cn"
    sess.commit()
    sent, errors = watchdog.send(sess, app.extensions["settings"], date(2020, 10, 9))
    assert (sent, errors) == (1, [])
    (mail,) = smtp_inbox
    assert mail["To"] == "editor@bjxch.gov.cn" and "僵尸留言1条" in mail["Subject"]
    assert msg.receipt_code in mail.get_content()

"""The watchdog: due soon, overdue and lapsed pauses, on the dashboard list and by e-mail (real SMTP)."""

from __future__ import annotations

from datetime import date

from portal.services import watchdog
from portal.services.foi import pages
from portal.services.foi import requests as service
from tests.foi.conftest import application


def _register(sess, agencies, foi_staff, on):  # noqa: ANN001, ANN202
    req, _ = service.register(
        sess, foi_staff.officer, application(), agencies.office, "in_person", on, secret_key="k"
    )
    sess.commit()
    return req


def test_due_soon_and_overdue_are_counted_on_working_days(sess, agencies, foi_staff):
    _register(sess, agencies, foi_staff, date(2020, 9, 28))  # due 2 November 2020
    # On Monday 26 October 2020 the due date is 5 working days away: due soon, not overdue.
    w = pages.watch(sess, foi_staff.officer, date(2020, 10, 26))
    assert (len(w.due_soon), len(w.overdue)) == (1, 0)
    # On 19 October it is 10 working days away: neither.
    w = pages.watch(sess, foi_staff.officer, date(2020, 10, 19))
    assert (len(w.due_soon), len(w.overdue)) == (0, 0)
    w = pages.watch(sess, foi_staff.officer, date(2020, 11, 3))
    assert (len(w.due_soon), len(w.overdue)) == (0, 1)
    # Another agency's officer is not told about it.
    assert pages.watch(sess, foi_staff.other_officer, date(2020, 11, 3)).overdue == []


def test_digest_mailed_to_the_agencys_foi_staff(smtp_inbox, app, sess, agencies, foi_staff):
    req = _register(sess, agencies, foi_staff, date(2020, 9, 28))
    foi_staff.officer.email = "officer@bjxch.gov.cn"
    foi_staff.other_officer.email = "other@bjxch.gov.cn"
    sess.commit()
    sent, errors = watchdog.send(sess, app.extensions["settings"], date(2020, 11, 3))
    assert (sent, errors) == (1, [])
    (message,) = smtp_inbox
    assert message["To"] == "officer@bjxch.gov.cn" and "超期1件" in message["Subject"]
    assert req.receipt_code in message.get_content() and "/admin/foi/" in message.get_content()

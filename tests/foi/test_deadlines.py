"""The statutory clock through the service, on both backends, with dates that cross 国庆 2020.

2020's National Day holiday ran 1–8 October; Sunday 27 September and Saturday 10 October were worked.
Every expected date below is counted by hand on that calendar.
"""

from __future__ import annotations

from datetime import date

import pytest

from portal.models import InfoRequest
from portal.services.foi import report
from portal.services.foi import requests as service
from tests.foi.conftest import application


@pytest.fixture
def received(sess, agencies, foi_staff):  # noqa: ANN201
    """An application handed in on Monday 28 September 2020."""
    req, _password = service.register(
        sess,
        foi_staff.officer,
        application(),
        agencies.office,
        "in_person",
        date(2020, 9, 28),
        secret_key="k",
    )
    sess.commit()
    return req


def test_twenty_working_days_from_receipt_skip_the_national_day_holiday(received: InfoRequest):
    # 29, 30 Sep; 9, 10 (Saturday worked) Oct; 12–16, 19–23, 26–30 Oct; 2 Nov is the 20th.
    assert received.due_on == date(2020, 11, 2)
    assert received.events[0].due_on == date(2020, 11, 2)


def test_correction_stops_the_clock_and_restarts_it_from_the_corrected_application(sess, received, foi_staff):
    # The 7th working day after 28 Sep is 12 Oct (29, 30 Sep, 9, 10, 12 Oct ... counting 9 and 10).
    with pytest.raises(service.FoiError, match="7个工作日"):
        service.request_correction(
            sess, foi_staff.officer, received, date(2020, 10, 16), "请写明项目名称", date(2020, 10, 30)
        )
    service.request_correction(
        sess, foi_staff.officer, received, date(2020, 9, 30), "请写明项目名称", date(2020, 10, 23)
    )
    assert received.state == "correction" and received.due_on is None
    with pytest.raises(service.FoiError, match="只能要求一次"):
        received.state = "open"
        service.request_correction(
            sess, foi_staff.officer, received, date(2020, 9, 30), "再补", date(2020, 10, 23)
        )
    received.state = "correction"
    service.correction_received(sess, foi_staff.officer, received, date(2020, 10, 12))
    # 20 working days from Monday 12 October: 13–16, 19–23, 26–30 Oct, 2–6 Nov, then 9 Nov.
    assert received.due_on == date(2020, 11, 9)
    assert [e.due_on for e in received.events] == [date(2020, 11, 2), None, date(2020, 11, 9)]


def test_correction_not_supplied_lapses_after_its_deadline(sess, received, foi_staff):
    service.request_correction(
        sess, foi_staff.officer, received, date(2020, 9, 29), "请补充身份证明", date(2020, 10, 16)
    )
    with pytest.raises(service.FoiError, match="届满后"):
        service.lapse(sess, foi_staff.officer, received, date(2020, 10, 16))
    service.lapse(sess, foi_staff.officer, received, date(2020, 10, 19))
    assert (received.state, received.outcome, received.concluded_on) == (
        "closed",
        "other_no_correction",
        date(2020, 10, 19),
    )


def test_one_extension_by_the_office_head_adds_working_days(sess, received, foi_staff):
    with pytest.raises(service.FoiError, match="负责人"):
        service.extend(sess, foi_staff.officer, received, date(2020, 10, 28), 20, "需要检索档案")
    service.extend(sess, foi_staff.head, received, date(2020, 10, 28), 20, "需要检索档案")
    # 2 Nov + 20 working days: 3–6, 9–13, 16–20, 23–27, 30 Nov.
    assert received.due_on == date(2020, 11, 30)
    with pytest.raises(service.FoiError, match="只能延长一次"):
        service.extend(sess, foi_staff.head, received, date(2020, 10, 29), 5, "再延")


def test_third_party_consultation_time_is_not_counted(sess, received, foi_staff):
    service.third_party_sent(sess, foi_staff.officer, received, date(2020, 10, 9), "某某物业公司")
    assert received.due_on is None
    assert received.pause_deadline_on == date(2020, 10, 29)  # 15 working days: 10, 12–16, 19–23, 26–29 Oct
    service.third_party_replied(sess, foi_staff.officer, received, date(2020, 10, 16))
    # Paused working days 10 (Saturday worked), 12–16 Oct: 6, added to 2 Nov: 3–6, 9, 10 Nov.
    assert received.due_on == date(2020, 11, 10)


def test_fee_notice_pauses_and_unpaid_fee_lapses(sess, received, foi_staff):
    with pytest.raises(service.FoiError, match="无需收费"):
        service.fee_notice(sess, foi_staff.officer, received, date(2020, 10, 9), "per_page", 30)
    assert service.fee_notice(sess, foi_staff.officer, received, date(2020, 10, 9), "per_page", 150) == 1700
    assert received.state == "fee" and received.due_on is None
    # 20 working days to pay from 9 Oct: 10, 12–16, 19–23, 26–30 Oct, 2–5 Nov: 5 Nov.
    assert received.pause_deadline_on == date(2020, 11, 5)
    service.lapse(sess, foi_staff.officer, received, date(2020, 11, 9))
    assert received.outcome == "other_no_fee"


def test_receipt_date_rule_of_each_channel():
    d = date(2020, 9, 28)
    assert service.receipt_date("in_person", d) == d
    assert service.receipt_date("post_signed", d, signed_on=date(2020, 9, 29)) == date(2020, 9, 29)
    for channel in ("post_ordinary", "fax", "email", "online"):
        assert service.receipt_date(channel, d, confirmed_on=date(2020, 9, 30)) == date(2020, 9, 30)
        with pytest.raises(service.FoiError):
            service.receipt_date(channel, d)  # the confirmation date is required
    with pytest.raises(service.FoiError):
        service.receipt_date("post_signed", d)


def test_transfer_keeps_the_receipt_date_and_the_clock(sess, received, agencies, foi_staff):
    service.transfer(sess, foi_staff.officer, received, agencies.other, "属规自分局职责")
    sess.commit()
    assert (received.agency_id, received.first_agency_id) == (agencies.other.id, agencies.office.id)
    assert received.received_on == date(2020, 9, 28) and received.due_on == date(2020, 11, 2)


def test_reply_is_issued_by_someone_else_than_its_drafter(sess, received, foi_staff):
    service.draft_reply(sess, foi_staff.head, received, "disclosed")
    with pytest.raises(service.FoiError, match="四眼"):
        service.issue_reply(sess, foi_staff.head, received, date(2020, 10, 20))
    with pytest.raises(service.FoiError, match="负责人"):
        service.issue_reply(sess, foi_staff.officer, received, date(2020, 10, 20))
    service.return_draft(sess, foi_staff.head, received, "请补充获取方式")
    service.draft_reply(
        sess, foi_staff.officer, received, "refer", body="北京市规划和自然资源委员会，电话 010-55595000"
    )
    assert "北京市规划和自然资源委员会" in received.letter_text and "行政复议" in received.letter_text
    service.issue_reply(sess, foi_staff.head, received, date(2020, 10, 20))
    sess.commit()
    assert (received.state, received.concluded_on, received.due_on) == ("answered", date(2020, 10, 20), None)
    table = report.table3(sess, 2020)
    assert table.new.counts["person"] == 1
    assert {line.key: line.counts["total"] for line in table.results}["unavailable_not_held"] == 1

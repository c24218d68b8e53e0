"""The message rules with dates stated: deadlines across 国庆 2020, the zombie window, the cadence."""

from __future__ import annotations

from datetime import date

import pytest

from portal.config import load_settings
from portal.services.enquiries import rules


def test_deadlines_skip_the_national_day_holiday():
    # Received Wednesday 30 September 2020: accept within 2 working days -> 9 and 10 (a worked Saturday) Oct.
    assert rules.accept_due("consult", date(2020, 9, 30)) == date(2020, 10, 10)
    # Accepted on 9 October: answer within 5 working days -> 10, 12, 13, 14, 15 October.
    assert rules.answer_due("consult", date(2020, 9, 30), date(2020, 10, 9)) == date(2020, 10, 15)
    # An error report is answered within 3 working days of receipt: 29, 30 September, 9 October.
    assert rules.answer_due("error", date(2020, 9, 28), date(2020, 10, 9)) == date(2020, 10, 9)


def test_three_months_unanswered_makes_a_zombie_in_the_year_it_happens():
    received = date(2019, 2, 18)
    assert rules.zombie_since(received) == date(2019, 5, 18)
    assert rules.is_zombie_in(2019, received, date(2019, 6, 10), date(2026, 12, 1))
    assert not rules.is_zombie_in(2019, received, date(2019, 5, 17), date(2026, 12, 1))
    # Answered in 2019: no longer a zombie in 2020.
    assert not rules.is_zombie_in(2020, received, date(2019, 6, 10), date(2026, 12, 1))
    # Received in November 2019 and answered in March 2020: three months ran out in February 2020.
    assert not rules.is_zombie_in(2019, date(2019, 11, 20), date(2020, 3, 2), date(2026, 12, 1))
    assert rules.is_zombie_in(2020, date(2019, 11, 20), date(2020, 3, 2), date(2026, 12, 1))
    # Still unanswered: a zombie from the day three months ran out, not before.
    assert not rules.is_zombie_in(2020, date(2020, 10, 1), None, date(2020, 12, 31))
    assert rules.is_zombie_in(2021, date(2020, 10, 1), None, date(2021, 1, 1))


def test_month_arithmetic_and_the_two_month_cadence():
    assert rules.add_months(date(2020, 11, 30), 3) == date(2021, 2, 28)
    assert not rules.cadence_broken(date(2020, 10, 14), date(2020, 12, 14))
    assert rules.cadence_broken(date(2020, 10, 14), date(2020, 12, 15))
    assert rules.cadence_broken(None, date(2020, 12, 15))


def test_every_deadline_is_a_setting_with_the_national_default():
    assert rules.from_settings(load_settings({"secret_key": "k"})) == rules.NATIONAL
    district = rules.from_settings(
        load_settings({"secret_key": "k", "enquiry_consult_answer_days": 3, "enquiry_zombie_months": 2})
    )
    # Accepted Friday 9 October 2020: 3 working days -> 10 (a worked Saturday), 12, 13 October.
    assert rules.answer_due("consult", date(2020, 9, 30), date(2020, 10, 9), district) == date(2020, 10, 13)
    assert rules.zombie_since(date(2019, 2, 18), district) == date(2019, 4, 18)
    with pytest.raises(SystemExit, match="PORTAL_ENQUIRY_ACCEPT_DAYS"):
        load_settings({"secret_key": "k", "enquiry_accept_days": 0})


def test_the_environment_sets_them(monkeypatch):
    monkeypatch.setenv("PORTAL_ENQUIRY_SUGGEST_ANSWER_DAYS", "15")
    assert rules.from_settings(load_settings({"secret_key": "k"})).answer("suggest") == 15

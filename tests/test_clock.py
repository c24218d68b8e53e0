"""The one working-day clock: official holidays and make-up working days (调休), Beijing dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.clock import add_working_days, is_working_day, local_day, working_days, year_bounds


def test_national_day_2020_holidays_and_make_up_days():
    assert not is_working_day(date(2020, 10, 1)) and not is_working_day(date(2020, 10, 8))
    assert is_working_day(date(2020, 9, 27))  # Sunday, worked in exchange
    assert is_working_day(date(2020, 10, 10))  # Saturday, worked in exchange
    assert not is_working_day(date(2020, 10, 11))


def test_twenty_working_days_from_a_receipt_just_before_national_day():
    # 9-29, 9-30, 10-9, 10-10 (Saturday worked), then 10-12 ... 10-30 (15 days), then 11-2: the 20th.
    assert add_working_days(date(2020, 9, 28), 20) == date(2020, 11, 2)
    assert add_working_days(date(2020, 9, 30), 1) == date(2020, 10, 9)
    assert add_working_days(date(2020, 9, 28), 0) == date(2020, 9, 28)
    with pytest.raises(ValueError):
        add_working_days(date(2020, 9, 28), -1)


def test_working_days_counts_both_ends():
    assert working_days(date(2020, 9, 28), date(2020, 10, 10)) == 5  # 28, 29, 30 Sep; 9, 10 Oct
    assert working_days(date(2020, 10, 2), date(2020, 10, 1)) == 0


def test_beijing_dates_of_stored_utc_instants():
    assert local_day(datetime(2020, 12, 31, 16, 30, tzinfo=UTC)) == date(2021, 1, 1)
    assert local_day(datetime(2020, 12, 31, 16, 30)) == date(2021, 1, 1)  # naive values are stored UTC
    start, end = year_bounds(2021)
    assert start == datetime(2020, 12, 31, 16, tzinfo=UTC) and end == datetime(2021, 12, 31, 16, tzinfo=UTC)

"""Beijing time and the official working-day calendar: the one clock every deadline is counted on.

Consultation periods, and every later deadline (FOI replies, enquiry answers), are counted in Beijing
calendar dates whatever the server's time zone, and in working days on the State Council's holiday and
调休 calendar (``chinese_calendar``): a holiday on a weekday does not count, a make-up working Saturday
or Sunday does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now_local() -> datetime:
    return datetime.now(LOCAL_TZ)


def today_local() -> date:
    """Today in Beijing: the date every period and deadline is counted from."""
    return now_local().date()


def local_day(moment: datetime) -> date:
    """The Beijing calendar date of an instant (naive datetimes are taken as UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The UTC instants at which a Beijing-time calendar year starts and ends."""
    start = datetime(year, 1, 1, tzinfo=LOCAL_TZ).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ).astimezone(UTC)
    return start, end


def is_working_day(day: date) -> bool:
    """Official working days (adjusted for holidays and make-up days); Monday to Friday for years the
    holiday calendar does not know yet."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def working_days(first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included (0 when ``last`` is before ``first``)."""
    days = (last - first).days + 1
    return sum(1 for i in range(max(days, 0)) if is_working_day(first + timedelta(days=i)))


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted).

    This is how the statutory clocks read "within N working days of receipt": receipt on day 0, the
    deadline on the N-th working day after it.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day

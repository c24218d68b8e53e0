"""The rules of the message service, on the one working-day clock (portal.clock), without the database.

- Deadlines per kind, in working days from receipt: accept within ``ACCEPT``, answer within ``ANSWER`` of
  acceptance (one extension of ``EXTENSION``). Error reports (我为政府网站找错) are answered within 3 working
  days of receipt (NORMS 27).
- The zombie rule (NORMS 24): a valid message left unanswered for more than three months. For a year, a
  message counts when its three months ran out by the end of that year (or today) and it was still
  unanswered then, and still unanswered at some moment of that year.
- The publication cadence (NORMS 25): published replies may not go more than two months without an update.
"""

from __future__ import annotations

import calendar
from datetime import date

from portal.clock import add_working_days

ACCEPT = {"consult": 2, "suggest": 2, "error": 3}
ANSWER = {"consult": 5, "suggest": 10, "error": 3}
EXTENSION = 5
DUE_SOON = 2
ZOMBIE_MONTHS = 3
CADENCE_MONTHS = 2


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def accept_due(kind: str, received_on: date) -> date:
    return add_working_days(received_on, ACCEPT[kind])


def answer_due(kind: str, received_on: date, accepted_on: date) -> date:
    # An error report runs on one clock from receipt; the others from acceptance.
    start = received_on if kind == "error" else accepted_on
    return add_working_days(start, ANSWER[kind])


def zombie_since(received_on: date) -> date:
    """The first day a message still unanswered makes its board a zombie."""
    return add_months(received_on, ZOMBIE_MONTHS)


def is_zombie_in(year: int, received_on: date, replied_on: date | None, today: date) -> bool:
    """Was this valid message a zombie at some moment of ``year``?"""
    since = zombie_since(received_on)
    last = min(date(year, 12, 31), today)
    if since > last:
        return False
    return replied_on is None or (replied_on > since and replied_on >= date(year, 1, 1))


def cadence_broken(last_published: date | None, today: date) -> bool:
    """Published replies not updated for more than two months (or none at all)."""
    return last_published is None or add_months(last_published, CADENCE_MONTHS) < today

"""The rules of the message service, on the one working-day clock (portal.clock), without the database.

- Deadlines per kind, in working days from receipt: accept within ``accept_days``, answer within the kind's
  answer days of acceptance (one extension of ``extension_days``). Error reports (我为政府网站找错) are
  accepted and answered within ``error_days`` (3) working days of receipt (NORMS 27).
- The zombie rule (NORMS 24): a valid message left unanswered for more than three months. For a year, a
  message counts when its three months ran out by the end of that year (or today) and it was still
  unanswered then, and still unanswered at some moment of that year.
- The publication cadence (NORMS 25): published replies may not go more than two months without an update.

Every number is a setting (``PORTAL_ENQUIRY_*``, :class:`portal.config.Settings`) whose default is the
national rule or the internal alert NORMS advises (5 / 10 working days); :func:`current` reads them from the
running app, and code without an app (the loader's dry runs, unit tests) gets :data:`NATIONAL`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.clock import add_working_days


@dataclass(frozen=True)
class Deadlines:
    accept_days: int = 2  # 咨询 and 建议: accepted (受理) within, from receipt
    consult_answer_days: int = 5  # 咨询: answered within, from acceptance
    suggest_answer_days: int = 10  # 建议
    error_days: int = 3  # 我为政府网站找错: accepted and answered within, from receipt (NORMS 27)
    extension_days: int = 5  # the one extension of an answer
    due_soon_days: int = 2  # the watchdog's "due soon"
    zombie_months: int = 3  # NORMS 24
    cadence_months: int = 2  # NORMS 25

    def accept(self, kind: str) -> int:
        return self.error_days if kind == "error" else self.accept_days

    def answer(self, kind: str) -> int:
        return {"error": self.error_days, "suggest": self.suggest_answer_days}.get(
            kind, self.consult_answer_days
        )


NATIONAL = Deadlines()


def from_settings(settings: Any) -> Deadlines:
    """The deadlines of ``settings`` (:class:`portal.config.Settings`)."""
    return Deadlines(
        accept_days=settings.enquiry_accept_days,
        consult_answer_days=settings.enquiry_consult_answer_days,
        suggest_answer_days=settings.enquiry_suggest_answer_days,
        error_days=settings.enquiry_error_days,
        extension_days=settings.enquiry_extension_days,
        due_soon_days=settings.enquiry_due_soon_days,
        zombie_months=settings.enquiry_zombie_months,
        cadence_months=settings.enquiry_cadence_months,
    )


def current() -> Deadlines:
    """The running app's deadlines; :data:`NATIONAL` outside an app."""
    from flask import current_app, has_app_context

    if not has_app_context() or "settings" not in current_app.extensions:
        return NATIONAL
    return from_settings(current_app.extensions["settings"])


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def accept_due(kind: str, received_on: date, deadlines: Deadlines | None = None) -> date:
    return add_working_days(received_on, (deadlines or current()).accept(kind))


def answer_due(kind: str, received_on: date, accepted_on: date, deadlines: Deadlines | None = None) -> date:
    # An error report runs on one clock from receipt; the others from acceptance.
    start = received_on if kind == "error" else accepted_on
    return add_working_days(start, (deadlines or current()).answer(kind))


def extended_due(due_on: date, deadlines: Deadlines | None = None) -> date:
    return add_working_days(due_on, (deadlines or current()).extension_days)


def due_soon_until(today: date, deadlines: Deadlines | None = None) -> date:
    """The last day the watchdog counts as "due soon" from ``today``."""
    return add_working_days(today, (deadlines or current()).due_soon_days)


def zombie_since(received_on: date, deadlines: Deadlines | None = None) -> date:
    """The first day a message still unanswered makes its board a zombie."""
    return add_months(received_on, (deadlines or current()).zombie_months)


def is_zombie_in(
    year: int, received_on: date, replied_on: date | None, today: date, deadlines: Deadlines | None = None
) -> bool:
    """Was this valid message a zombie at some moment of ``year``?"""
    since = zombie_since(received_on, deadlines)
    last = min(date(year, 12, 31), today)
    if since > last:
        return False
    return replied_on is None or (replied_on > since and replied_on >= date(year, 1, 1))


def cadence_broken(last_published: date | None, today: date, deadlines: Deadlines | None = None) -> bool:
    """Published replies not updated for more than two months (or none at all)."""
    months = (deadlines or current()).cadence_months
    return last_published is None or add_months(last_published, months) < today

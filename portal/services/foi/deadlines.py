"""The statutory clock of a request, counted on the official working-day calendar (portal.clock).

NORMS 31–33 and 35 (条例 arts 30–33, 42; 信息处理费管理办法):

- the clock starts on the receipt date (art 31) and the reply is due on the 20th working day after it;
- a correction request (补正, art 30) must go out within 7 working days of receipt and stops the clock;
  when the corrected application arrives the clock starts again from that day, with 20 working days;
- one extension of at most 20 working days (art 33), approved by the office head;
- the time a third party takes to answer a consultation (art 32; it has 15 working days) and the time
  between a fee notice and the payment are not counted: the working days of the pause are added back.

The clock is a pure function of the request's events, so every event can store the due date it left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from portal.clock import add_working_days, working_days

REPLY_WORKING_DAYS = 20
MAX_EXTENSION_DAYS = 20
CORRECTION_REQUEST_WITHIN = 7  # working days after receipt
THIRD_PARTY_WORKING_DAYS = 15
DUE_SOON_WORKING_DAYS = 5

# Events that stop the clock, and the event that starts it again.
PAUSES = {
    "correction_requested": "correction_received",
    "third_party_sent": "third_party_replied",
    "fee_notice": "fee_paid",
}


@dataclass
class Clock:
    start: date | None = None
    extension: int = 0
    paused_since: date | None = None
    paused_by: str = ""
    paused_days: int = 0  # working days of finished pauses, added back

    @property
    def due(self) -> date | None:
        if self.start is None or self.paused_since is not None:
            return None
        return add_working_days(self.start, REPLY_WORKING_DAYS + self.extension + self.paused_days)


def run(events: Iterable[tuple[str, date, dict[str, Any]]]) -> Clock:
    """Replay (kind, day, data) events in order; the clock they leave."""
    clock = Clock()
    for kind, day, data in events:
        if kind == "received":
            clock = Clock(start=day)
        elif kind in PAUSES and clock.paused_since is None:
            clock.paused_since, clock.paused_by = day, kind
        elif kind == "correction_received":
            clock = Clock(start=day)  # art 30: counted afresh from the corrected application
        elif kind in ("third_party_replied", "fee_paid") and clock.paused_since is not None:
            clock.paused_days += working_days(clock.paused_since + timedelta(days=1), day)
            clock.paused_since, clock.paused_by = None, ""
        elif kind == "extended":
            clock.extension += int(data.get("days", 0))
    return clock


def correction_latest(received_on: date) -> date:
    """The last day a correction may be requested (art 30: once, within 7 working days)."""
    return add_working_days(received_on, CORRECTION_REQUEST_WITHIN)


def third_party_deadline(sent_on: date) -> date:
    return add_working_days(sent_on, THIRD_PARTY_WORKING_DAYS)


def is_due_soon(due: date | None, today: date) -> bool:
    """Due within the next 5 working days (and not yet overdue)."""
    return due is not None and today <= due <= add_working_days(today, DUE_SOON_WORKING_DAYS)

"""Dates in content files: ``YYYY-MM-DD``, or relative to today (``today``, ``today-25``, ``today+10``).

Relative dates let the demo registers keep a few items that are due soon or waiting, whatever day the
portal is first started on.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from portal.clock import today_local

_RELATIVE = re.compile(r"^today(?:([+-])(\d{1,4}))?$")


def parse_day(value: object) -> date:
    """The date ``value`` stands for; ValueError (with the value) when it is neither form."""
    if isinstance(value, date):
        return value
    relative = _RELATIVE.match(str(value).strip())
    if relative:
        sign, days = relative.groups()
        return today_local() + timedelta(days=(-1 if sign == "-" else 1) * int(days or 0))
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD or today-N)") from None

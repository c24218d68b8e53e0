"""Whole numbers typed by people: the one parse every integer from a URL or a form goes through.

``str.isdigit()`` is not enough: it accepts ``²`` and ``①`` (which ``int()`` refuses) and digits of
other scripts, and ``int()`` accepts numbers no database column holds (PostgreSQL's ``integer`` stops
at 2**31 - 1, SQLite's at 2**63 - 1) or so long that Python refuses to convert them. Only ASCII digits
within bounds become numbers; anything else is "not a number" and each caller says so in its own words.
"""

from __future__ import annotations

from typing import Any

DB_INT_MAX = 2**31 - 1  # PostgreSQL ``integer``: every id and count column of the portal
_MAX_DIGITS = len(str(DB_INT_MAX))


def parse_int(raw: Any, low: int = 0, high: int = DB_INT_MAX) -> int | None:
    """``raw`` (surrounding spaces allowed) as an int in ``low..high``, or None.

    Only ASCII digits, at most ten of them, with no sign: ids, years, pages and positions are never
    negative, and a bounded length keeps ``int()`` cheap whatever was sent.
    """
    text = str(raw if raw is not None else "").strip()
    if not text or len(text) > _MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None

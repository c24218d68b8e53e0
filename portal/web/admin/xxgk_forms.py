"""The admins' form for an agency's FOI office (the fields the 指南 shows, 条例 art 12).

The form only reads and re-shows what was typed, on one line (the hours may take several); the rules of
each field are the service's (:func:`portal.services.xxgk.offices.check_office`), which ``agencies.yml``
goes through too.
"""

from __future__ import annotations

from typing import Any

from wtforms import StringField, TextAreaField

from portal.services.xxgk.offices import OFFICE_FIELDS
from portal.web.forms import Form


def _one_line(value: Any) -> str:
    return " ".join(str(value or "").split())


def _lines(value: Any) -> str:
    return str(value or "").replace("\r\n", "\n").strip()


def _field(name: str) -> StringField:
    return StringField(OFFICE_FIELDS[name], filters=[_one_line])


class OfficeForm(Form):
    foi_office_name = _field("foi_office_name")
    foi_address = _field("foi_address")
    foi_hours = TextAreaField(OFFICE_FIELDS["foi_hours"], filters=[_lines])
    foi_phone = _field("foi_phone")
    foi_fax = _field("foi_fax")
    foi_email = _field("foi_email")
    foi_postal = _field("foi_postal")

    def values(self) -> dict[str, str]:
        """The fields as the service saves them: every one, blank as ""."""
        return {name: self[name].data or "" for name in OFFICE_FIELDS}

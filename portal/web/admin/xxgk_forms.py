"""The admins' form for an agency's FOI office (the fields the 指南 shows, 条例 art 12).

Blank is allowed (it is flagged on the dashboard, not refused): an office may not have a fax, and an admin
filling in the address should not be stopped by the e-mail nobody has sent yet.
"""

from __future__ import annotations

import re
from typing import Any

from wtforms import Field, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from portal.services.xxgk.offices import LIMITS, OFFICE_FIELDS
from portal.web.forms import Form

PHONE_RE = re.compile(r"^[0-9()（）+\-－—、，, 转]{7,64}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE_RE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def _one_line(value: Any) -> str:
    return " ".join(str(value or "").split())


def _lines(value: Any) -> str:
    return str(value or "").replace("\r\n", "\n").strip()


def _length(name: str) -> Length:
    return Length(max=LIMITS[name], message=f"{OFFICE_FIELDS[name]}不能超过 {LIMITS[name]} 个字符。")


def _phone(name: str) -> Regexp:
    return Regexp(
        PHONE_RE, message=f"{OFFICE_FIELDS[name]}只能包含数字、区号括号、连字符和“转”，如“010-88064000”。"
    )


def _has_postcode(form: Form, field: Field) -> None:
    if not POSTCODE_RE.search(field.data):
        raise ValidationError("通信地址须包含6位邮政编码，如“北京市西城区二龙路27号，100032”。")


def _field(name: str, *rules: Any) -> StringField:
    # Optional() ends the chain on a blank field; the length is checked before the format, and a
    # too-long value shows only its length message (``field_errors`` shows the first).
    return StringField(
        OFFICE_FIELDS[name], filters=[_one_line], validators=[Optional(), _length(name), *rules]
    )


class OfficeForm(Form):
    foi_office_name = _field("foi_office_name")
    foi_address = _field("foi_address")
    foi_hours = TextAreaField(
        OFFICE_FIELDS["foi_hours"], filters=[_lines], validators=[Optional(), _length("foi_hours")]
    )
    foi_phone = _field("foi_phone", _phone("foi_phone"))
    foi_fax = _field("foi_fax", _phone("foi_fax"))
    foi_email = _field("foi_email", Regexp(EMAIL_RE, message="电子邮箱格式不正确，如“xxgk@bjxch.gov.cn”。"))
    foi_postal = _field("foi_postal", _has_postcode)

    def values(self) -> dict[str, str]:
        """The fields as the service saves them: every one, blank as ""."""
        return {name: self[name].data or "" for name in OFFICE_FIELDS}

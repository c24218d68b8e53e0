"""The FOI offices of the 指南 (条例 art 12, NORMS 4): fields kept on the agency records, edited by admins.

The guide page renders them live from the records, so it is as current as the register; a blank field of
an office that takes applications is flagged on the staff dashboard until an admin fills it in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from portal.models import Agency, User
from portal.services.audit import record
from portal.services.editing import FormErrors

# Field → label, in the order the guide shows them. The art 12 list: name, address, office hours, phone,
# fax and an online contact (e-mail), plus the postal address applications by post go to.
OFFICE_FIELDS: dict[str, str] = {
    "foi_office_name": "工作机构名称",
    "foi_address": "办公地址",
    "foi_hours": "办公时间",
    "foi_phone": "联系电话",
    "foi_fax": "传真",
    "foi_email": "电子邮箱",
    "foi_postal": "通信地址（含邮政编码）",
}
LIMITS = {"foi_office_name": 128, "foi_address": 255, "foi_hours": 500, "foi_phone": 64, "foi_fax": 64,
          "foi_email": 254, "foi_postal": 255}  # fmt: skip
PHONE_RE = re.compile(r"^[0-9()（）+\-－—、，, 转]{7,64}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE_RE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def offices(sess: Session) -> list[Agency]:
    """The bodies that take applications (the same list as /foi/ and its form), in register order."""
    from portal.services.foi.pages import public_offices

    return public_offices(sess)


def missing(agency: Agency) -> list[str]:
    """Labels of the office fields left blank."""
    return [label for name, label in OFFICE_FIELDS.items() if not (getattr(agency, name) or "").strip()]


@dataclass
class Incomplete:
    agency: Agency
    missing: list[str]


def incomplete(sess: Session) -> list[Incomplete]:
    return [Incomplete(a, gaps) for a in offices(sess) if (gaps := missing(a))]


def values_of(agency: Agency) -> dict[str, str]:
    return {name: getattr(agency, name) or "" for name in OFFICE_FIELDS}


def parse(form: Mapping[str, Any]) -> dict[str, str]:
    """Read and check the office form; raises FormErrors (Chinese) listing every problem.

    Blank is allowed (it is flagged, not refused): an office may not have a fax, and an admin filling in
    the address should not be stopped by the e-mail nobody has sent yet."""
    values = {name: " ".join(str(form.get(name) or "").split()) for name in OFFICE_FIELDS}
    values["foi_hours"] = str(form.get("foi_hours") or "").replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = f"{OFFICE_FIELDS[name]}不能超过 {limit} 个字符。"
    for name in ("foi_phone", "foi_fax"):
        if values[name] and name not in errors and not PHONE_RE.match(values[name]):
            errors[name] = f"{OFFICE_FIELDS[name]}只能包含数字、区号括号、连字符和“转”，如“010-88064000”。"
    if values["foi_email"] and "foi_email" not in errors and not EMAIL_RE.match(values["foi_email"]):
        errors["foi_email"] = "电子邮箱格式不正确，如“xxgk@bjxch.gov.cn”。"
    if values["foi_postal"] and "foi_postal" not in errors and not POSTCODE_RE.search(values["foi_postal"]):
        errors["foi_postal"] = "通信地址须包含6位邮政编码，如“北京市西城区二龙路27号，100032”。"
    if errors:
        raise FormErrors(errors)
    return values


def save(sess: Session, user: User, agency: Agency, values: dict[str, str]) -> bool:
    """Apply the office fields; audited. Returns whether anything changed."""
    before = values_of(agency)
    if before == values:
        return False
    for name, value in values.items():
        setattr(agency, name, value)
    changed = {k: v for k, v in values.items() if before[k] != v}
    record(
        sess,
        user,
        "agency.update",
        agency,
        before={k: before[k] for k in changed},
        after=changed,
        note="政府信息公开工作机构信息",
    )
    return True

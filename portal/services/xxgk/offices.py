"""The FOI offices of the 指南 (条例 art 12, NORMS 4): fields kept on the agency records, edited by admins.

The guide page renders them live from the records, so it is as current as the register; a blank field of
an office that takes applications is flagged on the staff dashboard until an admin fills it in.

The rules of each field live here (:func:`check_office`), for the admins' form (which only parses) and
``agencies.yml``'s ``foi_office:`` alike. Blank is allowed (it is flagged, not refused): an office may not
have a fax, and an admin filling in the address should not be stopped by the e-mail nobody has sent yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.models import Agency, User
from portal.services.audit import record
from portal.services.compliance import RuleProblem
from portal.services.fields import shown
from portal.services.refusals import refuse

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
# The column sizes.
LIMITS = {"foi_office_name": 128, "foi_address": 255, "foi_hours": 500, "foi_phone": 64, "foi_fax": 64,
          "foi_email": 254, "foi_postal": 255}  # fmt: skip
# agencies.yml ``foi_office:`` keys → the fields, and back: what an English message names.
FILE_KEYS = {
    "name": "foi_office_name",
    "address": "foi_address",
    "hours": "foi_hours",
    "phone": "foi_phone",
    "fax": "foi_fax",
    "email": "foi_email",
    "postal": "foi_postal",
}
_KEY_OF = {v: k for k, v in FILE_KEYS.items()}
PHONE_RE = re.compile(r"^[0-9()（）+\-－—、，, 转]{7,64}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE_RE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def _format_problem(name: str, value: str) -> RuleProblem | None:
    label, key = OFFICE_FIELDS[name], f"foi_office {_KEY_OF[name]}"
    if name in {"foi_phone", "foi_fax"} and not PHONE_RE.match(value):
        return RuleProblem(
            name,
            f"{label}只能包含数字、区号括号、连字符和“转”，如“010-88064000”。",
            f"{key} '{shown(value)}' may hold only digits, area-code brackets, hyphens and 转 "
            "(e.g. 010-88064000)",
        )
    if name == "foi_email" and not EMAIL_RE.match(value):
        return RuleProblem(
            name,
            "电子邮箱格式不正确，如“xxgk@bjxch.gov.cn”。",
            f"{key} '{shown(value)}' is not an e-mail address",
        )
    if name == "foi_postal" and not POSTCODE_RE.search(value):
        return RuleProblem(
            name,
            "通信地址须包含6位邮政编码，如“北京市西城区二龙路27号，100032”。",
            f"{key} '{shown(value)}' must include the 6-digit postcode (e.g. 北京市西城区二龙路27号，100032)",
        )
    return None


def check_office(values: dict[str, str]) -> list[RuleProblem]:
    """Every rule the office fields break, one problem per field: the length first, then the format."""
    problems = []
    for name, value in values.items():
        if not value:
            continue
        if len(value) > LIMITS[name]:
            problems.append(
                RuleProblem(
                    name,
                    f"{OFFICE_FIELDS[name]}不能超过 {LIMITS[name]} 个字符。",
                    f"foi_office {_KEY_OF[name]} must be at most {LIMITS[name]} characters",
                )
            )
        elif problem := _format_problem(name, value):
            problems.append(problem)
    return problems


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


def office(sess: Session, agency_id: int) -> Agency | None:
    """The agency whose office fields an admin may edit (the register's own bodies, not external ones)."""
    agency = sess.get(Agency, agency_id)
    return None if agency is None or agency.external else agency


def save(sess: Session, actor: User | str, agency: Agency, values: dict[str, str]) -> bool:
    """Apply the office fields given (the others stay); audited. Raises
    :class:`~portal.services.refusals.Refused` (writing nothing) when a rule is broken; returns whether
    anything changed."""
    unknown = set(values) - set(OFFICE_FIELDS)
    assert not unknown, f"not an office field: {unknown}"
    refuse(check_office(values))
    before = values_of(agency)
    changed = {k: v for k, v in values.items() if before[k] != v}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(agency, name, value)
    record(
        sess,
        actor,
        "agency.update",
        agency,
        before={k: before[k] for k in changed},
        after=changed,
        note="政府信息公开工作机构信息",
    )
    return True

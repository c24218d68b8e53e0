"""The FOI offices of the 指南 (条例 art 12, NORMS 4): fields kept on the agency records, edited by admins.

The guide page renders them live from the records, so it is as current as the register; a blank field of
an office that takes applications is flagged on the staff dashboard until an admin fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.models import Agency, User
from portal.services.audit import record

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
# The form (web/admin/xxgk_forms.py) checks the format of each field; these are the column sizes.
LIMITS = {"foi_office_name": 128, "foi_address": 255, "foi_hours": 500, "foi_phone": 64, "foi_fax": 64,
          "foi_email": 254, "foi_postal": 255}  # fmt: skip


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

"""The privacy check run before publishing: personal data that must not reach a public page.

Finds mainland resident ID numbers (18 characters with a valid date and ISO 7064 checksum, or the old
15-digit form with a valid date), mobile phone numbers, bank card numbers (16–19 digits with a card
prefix and a valid Luhn digit) and e-mail addresses. Text is read the way a person reads it: full-width
digits count as digits (NFKC), and numbers written in groups (``6222 0212 3456 7890 123``,
``110105 19491231 002X``) are joined before they are checked. The checksums keep ordinary long numbers
(索引号, amounts, dates) from tripping it.

The office's own public addresses are not personal data: the addresses in ``PORTAL_PUBLIC_EMAILS`` and the
portal's sender address are allowed. Hits are shown to staff masked, so the check itself does not spread
the data further (audit log, screen, logs).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from stdnum import luhn

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# A run of digits that may be written in groups (one space, no-break space or hyphen between digits),
# possibly ending in the X of an ID number.
_RUN_RE = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ \u00a0-]?[0-9])*(?:[ \u00a0-]?[Xx])?(?![0-9A-Za-z])")
_SEPARATOR_RE = re.compile(r"[ \u00a0-]")
_EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Issuer prefixes of the cards a person in China carries: UnionPay 62, Visa 4, Mastercard 5 and 2,
# JCB 35, and the old 9-prefixed bank cards. Numbers starting 1 (索引号, ID-like codes) or with a year
# are therefore never read as a card.
_CARD_PREFIX_RE = re.compile(r"^(?:62|4|5[1-5]|2[2-7]|35|9)")
_MAX_GROUPS = 8

KINDS = {"id_number": "身份证号码", "mobile": "手机号码", "bank_card": "银行卡号", "email": "电子邮箱"}
KINDS_EN = {
    "id_number": "ID card number",
    "mobile": "mobile number",
    "bank_card": "bank card number",
    "email": "e-mail address",
}


@dataclass(frozen=True)
class Hit:
    kind: str  # id_number | mobile | bank_card | email
    masked: str
    where: str  # e.g. "正文", "附件：名单.xlsx"

    @property
    def label(self) -> str:
        return f"{self.where}：{KINDS[self.kind]} {self.masked}"


def is_resident_id(text: str) -> bool:
    text = text.upper()
    if len(text) != 18 or not text[:17].isdigit():
        return False
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == text[17]


def is_old_resident_id(text: str) -> bool:
    """The 15-digit ID number issued before 1999: area code, YYMMDD (19xx), sequence; no checksum."""
    if len(text) != 15 or not text.isdigit() or text[0] not in "12345678":
        return False
    try:
        date(1900 + int(text[6:8]), int(text[8:10]), int(text[10:12]))
    except ValueError:
        return False
    return True


def is_bank_card(text: str) -> bool:
    return 16 <= len(text) <= 19 and bool(_CARD_PREFIX_RE.match(text)) and luhn.is_valid(text)


def _classify(digits: str) -> str | None:
    if is_resident_id(digits) or is_old_resident_id(digits):
        return "id_number"
    if len(digits) == 11 and re.match(r"^1[3-9]", digits):
        return "mobile"
    if len(digits) == 13 and re.match(r"^861[3-9]", digits):
        return "mobile"
    if is_bank_card(digits):
        return "bank_card"
    return None


def _mask(text: str, keep_start: int, keep_end: int) -> str:
    return text[:keep_start] + "*" * max(0, len(text) - keep_start - keep_end) + text[len(text) - keep_end :]


def _masked(kind: str, digits: str) -> str:
    if kind == "mobile":
        return _mask(digits[-11:], 3, 4)
    return _mask(digits.upper(), 4, 4)


def _number_hits(run: str) -> Iterable[tuple[str, str]]:
    """The personal numbers in one run of digit groups: the longest matching windows of whole groups."""
    groups = [g for g in _SEPARATOR_RE.split(run) if g]
    if groups and groups[-1].upper() == "X" and len(groups) > 1:
        groups[-2:] = [groups[-2] + groups[-1]]
    windows = [
        (i, j) for i in range(len(groups)) for j in range(i + 1, min(len(groups), i + _MAX_GROUPS) + 1)
    ]
    windows.sort(key=lambda w: (-(w[1] - w[0]), w[0]))
    taken: set[int] = set()
    found = []
    for i, j in windows:
        if taken.intersection(range(i, j)):
            continue
        digits = "".join(groups[i:j])
        kind = _classify(digits.upper())
        if kind is not None:
            taken.update(range(i, j))
            found.append((i, kind, digits))
    return [(kind, digits) for _, kind, digits in sorted(found)]


def public_emails() -> frozenset[str]:
    """Addresses the office publishes on purpose (``PORTAL_PUBLIC_EMAILS`` and the portal's sender)."""
    from flask import current_app, has_app_context

    if not has_app_context() or "settings" not in current_app.extensions:
        return frozenset()
    settings = current_app.extensions["settings"]
    return frozenset(e.lower() for e in (*settings.public_emails, settings.mail_from) if e)


def scan(text: str, where: str, allowed_emails: Iterable[str] | None = None) -> list[Hit]:
    allowed = {e.lower() for e in allowed_emails} if allowed_emails is not None else public_emails()
    # NFKC: full-width digits, letters, @ and spaces become their ASCII forms.
    text = unicodedata.normalize("NFKC", text or "")
    hits: list[Hit] = []
    for m in _RUN_RE.finditer(text):
        for kind, digits in _number_hits(m.group(0)):
            hits.append(Hit(kind, _masked(kind, digits), where))
    for m in _EMAIL_RE.finditer(text):
        if m.group(0).lower() in allowed:
            continue
        local, _, domain = m.group(0).partition("@")
        hits.append(Hit("email", f"{local[:1]}***@{domain}", where))
    return hits

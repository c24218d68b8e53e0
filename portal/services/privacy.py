"""The privacy check run before publishing: personal data that must not reach a public page.

Finds mainland resident ID numbers (18 characters with a valid date and ISO 7064 checksum, so that
ordinary long numbers do not trip it), mobile phone numbers and e-mail addresses. Hits are shown to
staff masked, so the check itself does not spread the data further (audit log, screen, logs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}\d{4}\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9])")
_EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

KINDS = {"id_number": "身份证号码", "mobile": "手机号码", "email": "电子邮箱"}


@dataclass(frozen=True)
class Hit:
    kind: str  # id_number | mobile | email
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


def _mask(text: str, keep_start: int, keep_end: int) -> str:
    return text[:keep_start] + "*" * max(0, len(text) - keep_start - keep_end) + text[len(text) - keep_end :]


def scan(text: str, where: str) -> list[Hit]:
    hits: list[Hit] = []
    for m in _ID_RE.finditer(text or ""):
        if is_resident_id(m.group(1)):
            hits.append(Hit("id_number", _mask(m.group(1), 4, 4), where))
    for m in _MOBILE_RE.finditer(text or ""):
        number = "".join(m.groups())
        # An 18-digit ID number also contains 11-digit runs; those are reported as an ID above.
        hits.append(Hit("mobile", _mask(number, 3, 4), where))
    for m in _EMAIL_RE.finditer(text or ""):
        local, _, domain = m.group(0).partition("@")
        hits.append(Hit("email", f"{local[:1]}***@{domain}", where))
    return hits

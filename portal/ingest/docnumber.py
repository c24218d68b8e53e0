"""文号 (document numbers): their canonical form and whether a text is one."""

from __future__ import annotations

import re

_OPEN = "〔[(（［【"
_CLOSE = "〕])）］】"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPEN, "〔"), **dict.fromkeys(_CLOSE, "〕")})
# 西政发〔2020〕4号: an issuer code, a four-digit year in brackets, a running number.
DOC_NUMBER_RE = re.compile(r"^[\u4e00-\u9fffA-Za-z]{1,20}〔(19|20)\d{2}〕\d{1,4}号$")


def normalize_doc_number(text: str) -> str:
    """Bring a 文号 in any bracket form and spacing to its canonical form: 西政发〔2020〕4号."""
    return re.sub(r"\s+", "", (text or "").translate(_BRACKETS))


def is_valid_doc_number(text: str) -> bool:
    return bool(DOC_NUMBER_RE.match(normalize_doc_number(text)))

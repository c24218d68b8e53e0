"""Rules of a consultation that do not touch the database: period length, phase, clauses, receipt codes.

Period rules come from the regulations: a major administrative decision is open for comment at least 30
days (重大行政决策程序暂行条例 第十五条); a normative document that sets rights and duties of citizens and
firms at least 7 working days (国办发〔2018〕37号). A shorter period is allowed only with a reason that is
shown publicly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING

from portal.clock import LOCAL_TZ, working_days
from portal.clock import today_local as local_today

if TYPE_CHECKING:
    from portal.models import Consultation

MAJOR_DECISION_DAYS = 30
NORMATIVE_WORKING_DAYS = 7


def period_shortfall(kind: str, affects_rights: bool, opens_on: date, closes_on: date) -> str:
    """Why the period is shorter than the regulations ask, in Chinese; empty when it is long enough."""
    return period_shortfalls(kind, affects_rights, opens_on, closes_on)[0]


def period_shortfalls(kind: str, affects_rights: bool, opens_on: date, closes_on: date) -> tuple[str, str]:
    """Why the period is too short, in Chinese and in English (``portal load``); empty when long enough."""
    days = (closes_on - opens_on).days + 1
    if kind == "major_decision" and days < MAJOR_DECISION_DAYS:
        return (
            f"重大行政决策公开征求意见的期限一般不少于{MAJOR_DECISION_DAYS}日，本次为{days}日",
            f"a major decision is open for comment at least {MAJOR_DECISION_DAYS} days, this period has {days}",
        )
    if kind == "normative" and affects_rights:
        count = working_days(opens_on, closes_on)
        if count < NORMATIVE_WORKING_DAYS:
            return (
                f"涉及公民、法人和其他组织权利义务的规范性文件征求意见期限一般不少于"
                f"{NORMATIVE_WORKING_DAYS}个工作日，本次为{count}个工作日",
                f"a normative document setting rights and duties is open for comment at least "
                f"{NORMATIVE_WORKING_DAYS} working days, this period has {count}",
            )
    return "", ""


# -- phases ------------------------------------------------------------------------------------------


def phase(consultation: Consultation, today: date | None = None) -> str:
    """upcoming | open | closed, from the status and the Beijing date."""
    today = today or local_today()
    if consultation.status != "published" or today > consultation.closes_on:
        return "closed"
    return "upcoming" if today < consultation.opens_on else "open"


def days_left(consultation: Consultation, today: date | None = None) -> int:
    """Whole days after today until the period ends; 0 on the last day."""
    return (consultation.closes_on - (today or local_today())).days


# -- clauses of a draft ------------------------------------------------------------------------------

_CN_NUM = "一二三四五六七八九十百千零〇两"
_CLAUSE_PATTERNS = [
    re.compile(rf"^第[{_CN_NUM}\d]+条"),
    re.compile(rf"^[{_CN_NUM}]+、"),
    re.compile(r"^\d+[.．、]"),
]
_HEADING = re.compile(rf"^(#+\s|第[{_CN_NUM}\d]+[编章节](\s|$))")


def split_clauses(draft_md: str) -> list[tuple[str, str]]:
    """Split a draft into (label, text) blocks.

    The first numbering style found (第X条, then 一、, then 1.) starts clauses; paragraphs after a clause
    belong to it (items such as （一） stay inside their article). Headings and a preamble get no label.
    A draft with no numbering at all is cut into paragraphs, labelled 第N段.
    """
    blocks = [b.strip() for b in re.split(r"\n[ \t]*\n", (draft_md or "").strip()) if b.strip()]
    pattern = next((p for p in _CLAUSE_PATTERNS if any(p.match(b) for b in blocks)), None)
    out: list[list[str]] = []
    paragraph = 0
    for block in blocks:
        if _HEADING.match(block):
            out.append(["", block])
            continue
        if pattern is None:
            paragraph += 1
            out.append([f"第{paragraph}段", block])
            continue
        match = pattern.match(block)
        if match:
            label = match.group(0)
            # 第三条 stays as printed; 三、 and 3. become 第三项 / 第3项, readable on their own.
            out.append([label if label.endswith("条") else f"第{label.rstrip('、.．')}项", block])
        elif out and out[-1][0]:
            out[-1][1] += "\n\n" + block
        else:
            out.append(["", block])
    return [(label, text) for label, text in out]


# -- receipts and keys -------------------------------------------------------------------------------

_RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_receipt_code() -> str:
    """Ten random characters (50 bits), shown as XXXXX-XXXXX."""
    raw = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_receipt_code(text: str) -> str:
    raw = re.sub(r"[\s-]", "", (text or "").upper())
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == 10 else raw


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def is_valid_idempotency_key(key: str) -> bool:
    return bool(_KEY_RE.match(key or ""))


def normalize_comment_text(body: str) -> str:
    """What makes two submissions "the same text": NFKC (full-width and half-width alike), any run of
    whitespace as one space, no leading or trailing space."""
    return " ".join(unicodedata.normalize("NFKC", body or "").split())


def comment_key(secret: str, session_nonce: str, consultation_id: int, body: str) -> str:
    """The idempotency key of a comment from one browser session: the same text on the same consultation
    from the same session always gets the same key, so the unique constraint hands back the first receipt
    whether the browser resubmits the old page (back button, reload) or a freshly fetched form."""
    message = f"{session_nonce}\x00{consultation_id}\x00{normalize_comment_text(body)}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def local_datetime_text(value: datetime) -> str:
    """2026年12月1日 14:05（北京时间）: a receipt's date and time, whatever the server's time zone."""
    local = value.astimezone(LOCAL_TZ)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（北京时间）"


_EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def email_of(contact: str) -> str:
    """The contact if it is an e-mail address, else empty."""
    contact = (contact or "").strip()
    return contact if _EMAIL_RE.match(contact) else ""

"""Receiving comments durably: from citizens online, and entered by staff from e-mail, post or phone.

A comment is committed before its receipt is shown, and a resubmission carrying the same idempotency key
returns the comment it already created. Comments per sender are throttled from the comment rows
themselves (:mod:`portal.services.throttles`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.models import BlockedSender, Clause, Comment, Consultation, User
from portal.models.consultations import CHANNELS
from portal.services import throttles
from portal.services.audit import record
from portal.services.consultations.errors import ConsultationError
from portal.services.consultations.rules import (
    is_valid_idempotency_key,
    new_receipt_code,
    normalize_receipt_code,
    phase,
)

BODY_MAX = 5000
NAME_MAX = 64
CONTACT_MAX = 254


@dataclass
class CommentInput:
    body: str
    idempotency_key: str
    clause_number: int | None = None
    name: str = ""
    contact: str = ""
    consent: bool = False
    channel: str = "online"
    received_on: date | None = None  # staff entry: the day the letter or call came in


def sender_hash(secret: str, address: str) -> str:
    """A keyed hash of the client address: enough to throttle or block a sender, useless to identify one.

    An IPv6 client is hashed by its /64 network: one subscriber gets a whole /64 and can pick any address
    in it, so a single address would be no limit at all.
    """
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        key = address or ""
    else:
        key = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()[:32]


def clean_text(value: str) -> str:
    """Form text with browser line ends (CRLF) as LF, so that 5,000 characters are 5,000 whatever the
    browser sent and the live count in the page agrees with the server."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str) -> bool:
    """NUL and other control characters (PostgreSQL refuses NUL in text; none belongs in a comment)."""
    return bool(_CONTROL.search(value or ""))


def strip_control_characters(value: str) -> str:
    return _CONTROL.sub("", value or "")


def check_comment(sess: Session, consultation: Consultation, data: CommentInput) -> int | None:
    """The rules of a comment's fields, whoever enters it (a citizen, staff, a content file); returns the
    id of the clause it is about."""
    body = clean_text(data.body).strip()
    if any(has_control_characters(v) for v in (data.body, data.name, data.contact)):
        raise ConsultationError(
            "提交的内容含有无法识别的控制字符，请删除后重新提交。",
            field="body",
            en="control characters in 'body', 'name' or 'contact'",
        )
    if not body:
        raise ConsultationError("意见内容不能为空。", field="body", en="'body' is empty")
    if len(body) > BODY_MAX:
        raise ConsultationError(
            f"意见内容不能超过{BODY_MAX}字（当前{len(body)}字，超出{len(body) - BODY_MAX}字），"
            "请删减后重新提交。您填写的内容已保留。",
            field="body",
            en=f"'body' has {len(body)} characters, at most {BODY_MAX} are allowed",
        )
    if len(data.name.strip()) > NAME_MAX:
        raise ConsultationError(
            f"姓名或名称不能超过{NAME_MAX}字。",
            field="name",
            en=f"'name' must be at most {NAME_MAX} characters",
        )
    if len(data.contact.strip()) > CONTACT_MAX:
        raise ConsultationError(
            f"联系方式不能超过{CONTACT_MAX}字。",
            field="contact",
            en=f"'contact' must be at most {CONTACT_MAX} characters",
        )
    if data.channel not in CHANNELS:
        raise ConsultationError(
            "未知的意见来源渠道。",
            field="channel",
            en=f"unknown channel '{data.channel}' (allowed: {', '.join(CHANNELS)})",
        )
    if not data.clause_number:
        return None
    clause_id = sess.scalar(
        select(Clause.id).where(
            Clause.consultation_id == consultation.id, Clause.number == data.clause_number, Clause.label != ""
        )
    )
    if clause_id is None:
        raise ConsultationError(
            "所选条款不存在，请重新选择。", field="clause", en=f"the draft has no clause {data.clause_number}"
        )
    return clause_id


def _blocked(sess: Session, hashed: str, contact: str) -> bool:
    conditions = [BlockedSender.sender_hash == hashed] if hashed else []
    if contact:
        conditions.append(BlockedSender.contact == contact)
    if not conditions:
        return False
    return bool(sess.scalar(select(func.count(BlockedSender.id)).where(or_(*conditions))))


def find_by_key(sess: Session, key: str) -> Comment | None:
    return sess.scalars(select(Comment).where(Comment.idempotency_key == key)).first()


def submit_comment(
    sess: Session,
    consultation: Consultation,
    data: CommentInput,
    *,
    sender: str = "",
    today: date | None = None,
    entered_by: User | None = None,
    throttle: Sequence[throttles.Window] = (),
) -> tuple[Comment, bool]:
    """Store a comment and commit; return it and whether it is new.

    A key seen before returns the comment it created (double click, reload, network retry), even if the
    period has ended since: the unique constraint on the key finds it, so the usual path costs no extra
    lookup, and two requests racing with one key cannot both insert.

    ``throttle``: at most so many comments from ``sender`` per window. They are counted after the insert,
    inside the writing transaction (SQLite: under its write lock; PostgreSQL: under a lock on the sender
    taken in the same round trip as the count), so that concurrent requests of one sender cannot all slip
    under the limit.
    """
    if not is_valid_idempotency_key(data.idempotency_key):
        raise ConsultationError("表单已失效，请刷新页面后重新提交。")
    try:
        clause_id = _check_submission(sess, consultation, data, sender, today, entered_by)
    except ConsultationError:
        existing = _existing(sess, consultation, data.idempotency_key)
        if existing is not None:
            return existing, False
        raise
    throttle = throttle if entered_by is None and sender else ()
    received_at = datetime.now(UTC)
    if data.received_on:
        received_at = datetime(
            data.received_on.year, data.received_on.month, data.received_on.day, 4, tzinfo=UTC
        )
    for _attempt in range(3):
        comment = Comment(
            consultation_id=consultation.id,
            clause_id=clause_id,
            body=clean_text(data.body).strip(),
            name=data.name.strip(),
            contact=data.contact.strip(),
            consent=data.consent,
            receipt_code=new_receipt_code(),
            idempotency_key=data.idempotency_key,
            channel=data.channel,
            sender_hash=sender,
            received_at=received_at,
            entered_by_id=entered_by.id if entered_by else None,
        )
        sess.add(comment)
        if entered_by is not None:
            record(
                sess,
                entered_by,
                "comment.enter",
                consultation,
                after={"channel": data.channel},
                note=comment.receipt_code,
            )
        try:
            sess.flush()
            if throttle:
                _check_throttle(sess, sender, throttle, received_at)
            if entered_by is None:
                # A pending comment shows on no public page: do not invalidate every rendered-page cache
                # (portal.services.public_version) on each submission. Moderation does, when it publishes.
                sess.info.pop("public_changed", None)
            sess.commit()
            return comment, True
        except IntegrityError:
            sess.rollback()
            existing = _existing(sess, consultation, data.idempotency_key)
            if existing is not None:  # this form was stored before (resubmission, or a concurrent request)
                return existing, False
            # Otherwise two receipt codes collided (2^-50): draw another.
    raise ConsultationError("提交未成功，请稍后重试。", status=503)


_COUNTERS: dict[tuple[throttles.Window, ...], throttles.Counter] = {}


def _check_throttle(sess: Session, sender: str, windows: Sequence[throttles.Window], now: datetime) -> None:
    """Refuse (and undo the insert) when the comment just flushed is one too many for its sender."""
    counter = _COUNTERS.get(tuple(windows))
    if counter is None:
        counter = _COUNTERS[tuple(windows)] = throttles.Counter(
            Comment.received_at, Comment.sender_hash, windows
        )
    # PostgreSQL: the sender's lock (held to commit) and the count in one round trip; SQLite: the insert
    # already holds the database's single write lock.
    found = counter.counts(sess, sender, now, lock=True)
    window = throttles.first_exceeded(found, windows, new_row_counted=True)
    if window is None:
        return
    sess.rollback()
    seconds = throttles.retry_after(sess, Comment.received_at, [Comment.sender_hash == sender], window, now)
    sess.rollback()  # end the read transaction too: nothing of this request stays open
    raise ConsultationError("提交过于频繁。", status=429, retry_after=seconds)


def _existing(sess: Session, consultation: Consultation, key: str) -> Comment | None:
    existing = find_by_key(sess, key)
    if existing is not None and existing.consultation_id != consultation.id:
        raise ConsultationError("表单已失效，请刷新页面后重新提交。")
    return existing


def _check_submission(
    sess: Session,
    consultation: Consultation,
    data: CommentInput,
    sender: str,
    today: date | None,
    entered_by: User | None,
) -> int | None:
    """Every rule a new comment must pass; returns the id of the clause it is about."""
    if entered_by is None:
        if phase(consultation, today) == "upcoming":
            raise ConsultationError("征集尚未开始，暂不能提交意见。", status=409)
        if phase(consultation, today) != "open":
            raise ConsultationError("征集已结束，不再接受意见。", status=409)
        if not consultation.accepts_online:
            raise ConsultationError("本次征集不接受网上提交，请通过页面所列的其他渠道提出意见。", status=409)
    elif consultation.status not in {"published", "closed"}:
        raise ConsultationError("该征集已发布反馈报告，不能再录入意见。", status=409)
    clause_id = check_comment(sess, consultation, data)
    if entered_by is None and _blocked(sess, sender, data.contact.strip()):
        raise ConsultationError("您的意见暂时无法提交。如有疑问，请通过电话或信函渠道联系我们。", status=403)
    return clause_id


_RECEIPT_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,15}$")  # the column holds 16 characters


def find_receipt(sess: Session, code: str) -> Comment | None:
    """The comment with this receipt code (typed in any case, with or without the hyphen); anything that
    cannot be a code (wrong length, NUL, other scripts) finds nothing without a query."""
    code = normalize_receipt_code(code)
    if not _RECEIPT_RE.match(code):
        return None
    return sess.scalars(
        select(Comment)
        .where(Comment.receipt_code == code)
        .options(selectinload(Comment.consultation), selectinload(Comment.clause))
    ).first()


# -- public reads -----------------------------------------------------------------------------------


def enter_comment(sess: Session, actor: User, consultation: Consultation, data: CommentInput) -> Comment:
    """Staff entry of a comment received by e-mail, post or phone, with its channel recorded."""
    if data.channel == "online":
        raise ConsultationError("请选择意见的来源渠道（电子邮件、信函或电话）。", field="channel")
    comment, _new = submit_comment(sess, consultation, data, entered_by=actor)
    return comment

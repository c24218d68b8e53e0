"""Every write on a citizen's message: one path for citizens, staff and the loader.

Each step validates, appends an event carrying the due date it left, and records who did it in the audit
log, in the caller's transaction. A citizen's message commits before the receipt is shown; the same text
sent again from the same browser session returns the first receipt. A writer's attachment is checked like
a staff upload, scanned and written to disk (fsynced) before the message row commits, so a receipt never
names a file that a crash could lose; only the staff who handle the message see it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.clock import local_day, today_local
from portal.models import Agency, User
from portal.models.enquiries import KINDS, TOPICS, Enquiry, EnquiryEvent
from portal.services import attachments, receipts
from portal.services.audit import record
from portal.services.enquiries import rules
from portal.services.privacy import scan

AREA = "enquiry"
SUBJECT_MAX = 100
BODY_MAX = 2000
REPLY_MAX = 10000
SUBMISSIONS_PER_HOUR = 5
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{6,19}$")
_EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


class EnquiryError(ValueError):
    """A refusal with a message for the user, in Chinese, naming the form field when there is one."""

    def __init__(self, message: str, field: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


def validate(
    kind: str, topic: str, subject: str, body: str, name: str, phone: str, email: str, page_url: str = ""
) -> None:
    if kind not in KINDS:
        raise EnquiryError("请选择留言类型。", "kind")
    if topic not in TOPICS:
        raise EnquiryError("请选择留言主题。", "topic")
    if not subject.strip() or len(subject.strip()) > SUBJECT_MAX:
        raise EnquiryError(f"请填写标题（不超过{SUBJECT_MAX}字）。", "subject")
    if not body.strip():
        raise EnquiryError("请填写留言内容。", "body")
    if len(body.strip()) > BODY_MAX:
        raise EnquiryError(f"留言内容不能超过{BODY_MAX}字（当前{len(body.strip())}字）。", "body")
    if len(name.strip()) > 50:
        raise EnquiryError("姓名不超过50字。", "name")
    if phone.strip() and not _PHONE_RE.match(phone.strip()):
        raise EnquiryError("联系电话格式不正确。", "phone")
    if email.strip() and (len(email.strip()) > 254 or not _EMAIL_RE.match(email.strip())):
        raise EnquiryError("电子邮箱格式不正确。", "email")
    if kind == "error" and len(page_url) > 500:
        raise EnquiryError("页面地址过长。", "page_url")


def _event(
    sess: Session, msg: Enquiry, actor: User | str, kind: str, on: date, note: str = "", **data: Any
) -> None:
    msg.events.append(
        EnquiryEvent(
            kind=kind,
            on=on,
            actor_name=actor.username if isinstance(actor, User) else actor,
            note=note,
            due_on=msg.due_on,
            data=data,
        )
    )
    record(sess, actor, f"enquiry.{kind}", msg, after={"on": on.isoformat(), "due_on": str(msg.due_on or "")})


def _require(msg: Enquiry, *states: str) -> None:
    if msg.state not in states:
        raise EnquiryError("该留言当前状态不允许此操作，请刷新页面后重试。", status=409)


def _throttle(sess: Session, sender: str) -> None:
    # Counted from the table itself: the limit holds across workers and processes with no extra service.
    since = datetime.now(UTC) - timedelta(hours=1)
    recent = sess.scalar(
        select(func.count(Enquiry.id)).where(Enquiry.sender_hash == sender, Enquiry.submitted_at >= since)
    )
    if sender and (recent or 0) >= SUBMISSIONS_PER_HOUR:
        raise EnquiryError(
            f"提交过于频繁：每小时最多留言{SUBMISSIONS_PER_HOUR}条，请一小时后再试。", status=429
        )


def submit(
    sess: Session,
    agency: Agency,
    *,
    kind: str,
    topic: str,
    subject: str,
    body: str,
    name: str = "",
    phone: str = "",
    email: str = "",
    consent: bool = False,
    page_url: str = "",
    key: str,
    secret_key: str,
    sender: str = "",
    received_at: datetime | None = None,
    actor: User | str = "citizen",
    commit: bool = True,
    attachment: attachments.CheckedFile | None = None,
    files: attachments.FileStore | None = None,
) -> tuple[Enquiry, str, bool]:
    """Store a message and commit (the loader commits its own batch); returns it, its query password and
    whether it is new. ``attachment`` (checked by :func:`attachments.check_file`) is stored through
    ``files`` once the message is known to be new and valid."""
    if not receipts.is_valid_key(key):
        raise EnquiryError("表单已失效，请刷新页面后重新提交。")
    existing = sess.scalars(select(Enquiry).where(Enquiry.idempotency_key == key)).first()
    password = receipts.query_password(secret_key, AREA, key)
    if existing is not None:
        return existing, password, False
    validate(kind, topic, subject, body, name, phone, email, page_url)
    _throttle(sess, sender)
    if attachment is not None:
        if files is None:
            raise ValueError("an attachment needs a FileStore")
        try:
            files.put(attachment)  # scanned, then on disk before the row commits
        except attachments.AttachmentError as exc:
            raise EnquiryError(str(exc), "attachment") from None
    at = received_at or datetime.now(UTC)
    received_on = local_day(at)
    msg = Enquiry(
        receipt_code=receipts.new_code("LY", received_on.year),
        secret_hash=receipts.hash_password(password),
        idempotency_key=key,
        sender_hash=sender,
        kind=kind,
        topic=topic,
        agency_id=agency.id,
        first_agency_id=agency.id,
        subject=subject.strip(),
        body=body.strip(),
        page_url=page_url.strip(),
        name=name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        consent=consent,
        attachment_name=attachment.filename if attachment else "",
        attachment_kind=attachment.kind if attachment else "",
        attachment_size=len(attachment.data) if attachment else 0,
        attachment_sha256=attachment.sha256 if attachment else "",
        submitted_at=at,
        received_on=received_on,
        due_on=rules.accept_due(kind, received_on),
        state="received",
    )
    sess.add(msg)
    sess.flush()
    _event(sess, msg, actor, "received", received_on)
    if not commit:
        return msg, password, True
    try:
        sess.commit()
    except IntegrityError:
        sess.rollback()
        again = sess.scalars(select(Enquiry).where(Enquiry.idempotency_key == key)).first()
        if again is None:
            raise
        return again, password, False
    return msg, password, True


def find_for_writer(sess: Session, code: str, password: str) -> Enquiry | None:
    msg = sess.scalars(select(Enquiry).where(Enquiry.receipt_code == receipts.normalize_code(code))).first()
    if msg is None:
        receipts.spend_time_like_a_check()
        return None
    return msg if receipts.check_password(msg.secret_hash, password) else None


# -- staff steps ----------------------------------------------------------------------------------


def accept(sess: Session, actor: User | str, msg: Enquiry, on: date | None = None) -> None:
    """受理: the answer is now due within the kind's working days."""
    _require(msg, "received")
    on = on or today_local()
    msg.state, msg.accepted_on = "accepted", on
    msg.due_on = rules.answer_due(msg.kind, msg.received_on, on)
    _event(sess, msg, actor, "accepted", on)


def reject(sess: Session, actor: User | str, msg: Enquiry, reason: str, on: date | None = None) -> None:
    """Out of scope (e.g. a complaint for 12345 or 信访): the reason is shown to the writer."""
    _require(msg, "received", "accepted")
    if not reason.strip():
        raise EnquiryError("请写明不予受理的理由（将告知留言人）。", "reason")
    msg.state, msg.rejected_reason, msg.due_on = "rejected", reason.strip(), None
    _event(sess, msg, actor, "rejected", on or today_local(), reason.strip())


def transfer(sess: Session, actor: User | str, msg: Enquiry, agency: Agency, on: date | None = None) -> None:
    """Hand the message to another agency; its dates and deadline are kept."""
    _require(msg, "received", "accepted")
    if agency.id == msg.agency_id:
        raise EnquiryError("请选择其他单位。", "agency_id")
    before = msg.agency.name
    msg.agency_id, msg.agency = agency.id, agency
    _event(sess, msg, actor, "transferred", on or today_local(), f"由{before}转至{agency.name}")


def extend(sess: Session, actor: User | str, msg: Enquiry, reason: str, on: date | None = None) -> None:
    _require(msg, "accepted", "drafted")
    if msg.extended:
        raise EnquiryError("答复期限只能延长一次。")
    if not reason.strip():
        raise EnquiryError("请写明延期理由。", "reason")
    assert msg.due_on is not None
    msg.extended = True
    msg.due_on = rules.extended_due(msg.due_on)
    _event(sess, msg, actor, "extended", on or today_local(), reason.strip())


def draft(
    sess: Session, actor: User | str, msg: Enquiry, reply: str, publish_question: bool, on: date | None = None
) -> None:
    _require(msg, "accepted", "drafted")
    reply = reply.strip()
    if not reply:
        raise EnquiryError("请填写答复内容。", "reply")
    if len(reply) > REPLY_MAX:
        raise EnquiryError(f"答复内容不能超过{REPLY_MAX}字。", "reply")
    if publish_question and not msg.consent:
        raise EnquiryError("留言人未同意公开，不能公开留言内容。", "publish_question")
    msg.reply, msg.publish_question, msg.state = reply, publish_question, "drafted"
    msg.reply_drafted_by_id = actor.id if isinstance(actor, User) else None
    _event(sess, msg, actor, "drafted", on or today_local())


def return_draft(sess: Session, actor: User | str, msg: Enquiry, remark: str) -> None:
    _require(msg, "drafted")
    if not remark.strip():
        raise EnquiryError("请写明退回意见。", "remark")
    msg.state = "accepted"
    _event(sess, msg, actor, "returned", today_local(), remark.strip())


def answer(sess: Session, actor: User | str, msg: Enquiry, on: date | None = None) -> None:
    """Approve the drafted reply and send it: four eyes, the drafter cannot approve their own reply."""
    _require(msg, "drafted")
    if isinstance(actor, User) and actor.id == msg.reply_drafted_by_id:
        raise EnquiryError("起草人不能审核自己起草的答复（四眼原则）。", status=403)
    msg.state, msg.replied_on, msg.due_on = "answered", on or today_local(), None
    _event(sess, msg, actor, "answered", msg.replied_on)


def publication_problems(msg: Enquiry) -> list[str]:
    """What stops a reply being published: personal data in what would be shown (the question only when
    the writer consented and staff chose to show it)."""
    texts = [("答复", msg.reply), ("标题", msg.subject)]
    if msg.publish_question:
        texts.append(("留言", msg.body))
    return [hit.label for where, text in texts for hit in scan(text, where)]


def publish(sess: Session, actor: User | str, msg: Enquiry, at: datetime | None = None) -> None:
    _require(msg, "answered")
    if msg.published_at is not None:
        raise EnquiryError("该答复已公开。", status=409)
    problems = publication_problems(msg)
    if problems:
        raise EnquiryError("拟公开内容含个人信息，请修改后再公开：" + "；".join(problems))
    msg.published_at = at or datetime.now(UTC)
    _event(sess, msg, actor, "published", local_day(msg.published_at))


def unpublish(sess: Session, actor: User | str, msg: Enquiry, reason: str) -> None:
    if msg.published_at is None:
        raise EnquiryError("该答复未公开。", status=409)
    if not reason.strip():
        raise EnquiryError("请写明撤下的理由。", "reason")
    msg.published_at = None
    _event(sess, msg, actor, "unpublished", today_local(), reason.strip())


def audit_view(sess: Session, actor: User, msg: Enquiry) -> None:
    record(sess, actor, "enquiry.view", msg)


def audit_attachment_view(sess: Session, actor: User, msg: Enquiry) -> None:
    record(sess, actor, "enquiry.attachment_view", msg, after={"attachment": msg.attachment_name})

"""Consultations (意见征集): creating them, receiving comments durably, moderating and closing them.

Every refusal raises :class:`ConsultationError` with a Chinese message before anything is written.
Staff writes are audited; a citizen's comment is committed before its receipt is shown, and a
resubmission carrying the same idempotency key returns the comment it already created. Comments per
sender are throttled from the comment rows themselves (:mod:`portal.services.throttles`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload, load_only, selectinload

from portal.ingest.markdown import render_markdown
from portal.models import Agency, BlockedSender, Clause, Comment, Consultation, Document, User, Viewpoint
from portal.models.consultations import CHANNELS, DISPOSITIONS, KINDS
from portal.services import consultation_search, throttles
from portal.services.audit import record
from portal.services.consultation_rules import (
    is_valid_idempotency_key,
    local_today,
    new_idempotency_key,
    new_receipt_code,
    normalize_receipt_code,
    period_shortfall,
    split_clauses,
)

BODY_MAX = 5000
NAME_MAX = 64
CONTACT_MAX = 254
REASON_REQUIRED = {"partly", "not_adopted", "not_applicable"}
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,100}$")


class ConsultationError(ValueError):
    """A refusal with a message for the user, in Chinese; ``status`` is the HTTP status to answer with,
    ``retry_after`` the seconds to wait when it is 429."""

    def __init__(self, message: str, status: int = 400, field: str = "", retry_after: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
        self.retry_after = retry_after


# -- phases -----------------------------------------------------------------------------------------


def phase(consultation: Consultation, today: date | None = None) -> str:
    """upcoming | open | closed, from the status and the Beijing date."""
    today = today or local_today()
    if consultation.status != "published" or today > consultation.closes_on:
        return "closed"
    return "upcoming" if today < consultation.opens_on else "open"


def days_left(consultation: Consultation, today: date | None = None) -> int:
    """Whole days after today until the period ends; 0 on the last day."""
    return (consultation.closes_on - (today or local_today())).days


# -- creating ---------------------------------------------------------------------------------------


@dataclass
class ConsultationInput:
    title: str
    agency_id: int | None
    kind: str
    opens_on: date | None
    closes_on: date | None
    draft_md: str = ""
    draft_document_id: int | None = None
    affects_rights: bool = True
    basis_md: str = ""
    note_md: str = ""
    short_period_reason: str = ""
    accepts_online: bool = True
    channel_email: str = ""
    channel_post: str = ""
    channel_phone: str = ""
    slug: str = ""
    publish: bool = True


def check_period(
    kind: str, affects_rights: bool, opens_on: date | None, closes_on: date | None, short_period_reason: str
) -> None:
    if opens_on is None or closes_on is None:
        raise ConsultationError("请填写征集期的开始和截止日期。", field="opens_on")
    if closes_on < opens_on:
        raise ConsultationError("截止日期不能早于开始日期。", field="closes_on")
    shortfall = period_shortfall(kind, affects_rights, opens_on, closes_on)
    if shortfall and not short_period_reason.strip():
        raise ConsultationError(
            f"{shortfall}。如确需缩短，请填写向社会公开的缩短理由。", field="short_period_reason"
        )


def set_draft(consultation: Consultation, draft_md: str) -> None:
    """Store the draft as anchored clauses; clause numbers follow the order of the text.

    Clause rows are updated in place by number, so comments on a clause keep pointing at it when the
    text is corrected.
    """
    if draft_md == consultation.draft_md and consultation.clauses:
        return
    consultation.draft_md = draft_md
    existing = {c.number: c for c in consultation.clauses}
    blocks = split_clauses(draft_md)
    for position, (label, text) in enumerate(blocks):
        clause = existing.get(position + 1)
        if clause is None:
            clause = Clause(number=position + 1)
            consultation.clauses.append(clause)
        clause.position, clause.label, clause.text_md, clause.html = (
            position,
            label,
            text,
            render_markdown(text),
        )
    for number, clause in existing.items():
        if number > len(blocks):
            consultation.clauses.remove(clause)


def set_texts(consultation: Consultation, basis_md: str, note_md: str) -> None:
    consultation.basis_md, consultation.basis_html = basis_md, render_markdown(basis_md)
    consultation.note_md, consultation.note_html = note_md, render_markdown(note_md)


def create_consultation(sess: Session, actor: User | str, data: ConsultationInput) -> Consultation:
    """Create a consultation from a draft document or pasted text, enforcing the period rules."""
    title = data.title.strip()
    if not title:
        raise ConsultationError("请填写征集标题。", field="title")
    if data.kind not in KINDS:
        raise ConsultationError("请选择征集事项类别。", field="kind")
    agency = sess.get(Agency, data.agency_id) if data.agency_id else None
    if agency is None:
        raise ConsultationError("请选择负责征集的部门。", field="agency_id")
    if isinstance(actor, User) and not actor.has_role("admin") and actor.agency_id != agency.id:
        raise ConsultationError("只能以本部门名义发起意见征集。", status=403, field="agency_id")
    draft_md = data.draft_md.strip()
    document = None
    if data.draft_document_id:
        document = sess.get(Document, data.draft_document_id)
        if document is None:
            raise ConsultationError("所选草案文件不存在。", field="draft_document_id")
        draft_md = draft_md or document.body_md.strip()
    if not draft_md:
        raise ConsultationError("请填写草案文本或选择草案文件。", field="draft_md")
    check_period(data.kind, data.affects_rights, data.opens_on, data.closes_on, data.short_period_reason)
    if not (data.accepts_online or data.channel_email or data.channel_post or data.channel_phone):
        raise ConsultationError("请至少提供一种提交意见的渠道。", field="accepts_online")
    slug = data.slug.strip().lower() or f"yjzj-{data.opens_on:%Y%m%d}-{new_idempotency_key()[:6].lower()}"
    slug = re.sub(r"[^a-z0-9-]", "x", slug) if not data.slug else slug
    if not _SLUG_RE.match(slug):
        raise ConsultationError("网址标识只能包含小写字母、数字和连字符。", field="slug")
    if sess.scalar(select(func.count(Consultation.id)).where(Consultation.slug == slug)):
        raise ConsultationError("该网址标识已被使用。", field="slug")
    consultation = Consultation(
        slug=slug,
        title=title,
        agency_id=agency.id,
        kind=data.kind,
        affects_rights=data.affects_rights,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        short_period_reason=data.short_period_reason.strip(),
        accepts_online=data.accepts_online,
        channel_email=data.channel_email.strip(),
        channel_post=data.channel_post.strip(),
        channel_phone=data.channel_phone.strip(),
        draft_document_id=document.id if document else None,
        status="published" if data.publish else "draft",
        created_by_id=actor.id if isinstance(actor, User) else None,
    )
    set_draft(consultation, draft_md)
    set_texts(consultation, data.basis_md.strip(), data.note_md.strip())
    sess.add(consultation)
    sess.flush()
    record(
        sess,
        actor,
        "consultation.create",
        consultation,
        after={
            "slug": slug,
            "kind": data.kind,
            "opens_on": data.opens_on.isoformat(),
            "closes_on": data.closes_on.isoformat(),
            "status": consultation.status,
            "short_period_reason": consultation.short_period_reason,
        },
    )
    consultation_search.refresh_after_commit(sess, consultation)
    sess.commit()
    return consultation


def publish_consultation(sess: Session, actor: User, consultation: Consultation) -> None:
    if consultation.status != "draft":
        raise ConsultationError("只有草稿状态的征集可以发布。", status=409)
    consultation.status = "published"
    record(
        sess,
        actor,
        "consultation.publish",
        consultation,
        before={"status": "draft"},
        after={"status": "published"},
    )
    consultation_search.refresh_after_commit(sess, consultation)
    sess.commit()


# -- citizen comments -------------------------------------------------------------------------------


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


def _validate_comment(sess: Session, consultation: Consultation, data: CommentInput) -> int | None:
    body = clean_text(data.body).strip()
    if any(has_control_characters(v) for v in (data.body, data.name, data.contact)):
        raise ConsultationError("提交的内容含有无法识别的控制字符，请删除后重新提交。", field="body")
    if not body:
        raise ConsultationError("意见内容不能为空。", field="body")
    if len(body) > BODY_MAX:
        raise ConsultationError(
            f"意见内容不能超过{BODY_MAX}字（当前{len(body)}字，超出{len(body) - BODY_MAX}字），"
            "请删减后重新提交。您填写的内容已保留。",
            field="body",
        )
    if len(data.name.strip()) > NAME_MAX:
        raise ConsultationError(f"姓名或名称不能超过{NAME_MAX}字。", field="name")
    if len(data.contact.strip()) > CONTACT_MAX:
        raise ConsultationError(f"联系方式不能超过{CONTACT_MAX}字。", field="contact")
    if data.channel not in CHANNELS:
        raise ConsultationError("未知的意见来源渠道。", field="channel")
    if not data.clause_number:
        return None
    clause_id = sess.scalar(
        select(Clause.id).where(
            Clause.consultation_id == consultation.id, Clause.number == data.clause_number, Clause.label != ""
        )
    )
    if clause_id is None:
        raise ConsultationError("所选条款不存在，请重新选择。", field="clause")
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
    inside the writing transaction (SQLite: under its write lock; PostgreSQL: under a lock on the sender),
    so that concurrent requests of one sender cannot all slip under the limit.
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
        if throttle:
            _lock_sender(sess, sender)
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


def _lock_sender(sess: Session, sender: str) -> None:
    """PostgreSQL: one transaction at a time counts and inserts for a sender (released at commit or
    rollback). SQLite needs nothing: the insert already holds the database's single write lock."""
    if sess.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(sender.encode(), digest_size=8).digest(), "big", signed=True)
        sess.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


_COUNTERS: dict[tuple[throttles.Window, ...], throttles.Counter] = {}


def _check_throttle(sess: Session, sender: str, windows: Sequence[throttles.Window], now: datetime) -> None:
    """Refuse (and undo the insert) when the comment just flushed is one too many for its sender."""
    counter = _COUNTERS.get(tuple(windows))
    if counter is None:
        counter = _COUNTERS[tuple(windows)] = throttles.Counter(
            Comment.received_at, Comment.sender_hash, windows
        )
    found = counter.counts(sess, sender, now)
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
    clause_id = _validate_comment(sess, consultation, data)
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


def public_list(sess: Session, today: date | None = None) -> dict[str, list[Consultation]]:
    """Public consultations by phase: open (closing soonest first), upcoming, closed (newest first)."""
    rows = sess.scalars(select(Consultation).where(Consultation.status != "draft")).all()
    out: dict[str, list[Consultation]] = {"open": [], "upcoming": [], "closed": []}
    for c in rows:
        out[phase(c, today)].append(c)
    out["open"].sort(key=lambda c: c.closes_on)
    out["upcoming"].sort(key=lambda c: c.opens_on)
    out["closed"].sort(key=lambda c: c.closes_on, reverse=True)
    return out


def consultation_for_comment(sess: Session, slug: str) -> Consultation | None:
    """The consultation a comment is posted to, loaded lean: the hot path of the comment form."""
    return sess.scalars(
        select(Consultation)
        .where(Consultation.slug == slug, Consultation.status != "draft")
        .options(
            load_only(
                Consultation.id,
                Consultation.slug,
                Consultation.status,
                Consultation.opens_on,
                Consultation.closes_on,
                Consultation.accepts_online,
            ),
            lazyload(Consultation.agency),
        )
    ).first()


def public_consultation(sess: Session, slug: str) -> Consultation | None:
    return sess.scalars(
        select(Consultation)
        .where(Consultation.slug == slug, Consultation.status != "draft")
        .options(selectinload(Consultation.clauses))
    ).first()


@dataclass
class ShownComments:
    """Published comments as the public sees them: by clause (in draft order), then general ones."""

    by_clause: list[tuple[Clause, list[Comment]]] = field(default_factory=list)
    general: list[Comment] = field(default_factory=list)
    total: int = 0

    def count_for(self, clause: Clause) -> int:
        return next((len(items) for c, items in self.by_clause if c.id == clause.id), 0)


def shown_comments(sess: Session, consultation: Consultation) -> ShownComments:
    comments = sess.scalars(
        select(Comment)
        .where(
            Comment.consultation_id == consultation.id,
            Comment.moderation == "published",
            Comment.consent.is_(True),
        )
        .order_by(Comment.received_at, Comment.id)
    ).all()
    by_clause: dict[int, list[Comment]] = {}
    out = ShownComments(total=len(comments))
    for comment in comments:
        if comment.clause_id:
            by_clause.setdefault(comment.clause_id, []).append(comment)
        else:
            out.general.append(comment)
    out.by_clause = [(c, by_clause[c.id]) for c in consultation.clauses if c.id in by_clause]
    return out


def consultations_for_document(sess: Session, document: Document) -> list[Consultation]:
    """Public consultations whose draft this document was, or whose adopted text it is."""
    return list(
        sess.scalars(
            select(Consultation)
            .where(
                Consultation.status != "draft",
                or_(
                    Consultation.final_document_id == document.id,
                    Consultation.draft_document_id == document.id,
                ),
            )
            .order_by(Consultation.opens_on.desc())
        )
    )


# -- moderation -------------------------------------------------------------------------------------

MODERATION_ACTIONS = {"publish": "published", "reject": "rejected", "duplicate": "duplicate"}


def _editable(consultation: Consultation) -> None:
    if consultation.status == "reported":
        raise ConsultationError("反馈报告已发布，意见不能再修改。", status=409)


def comments_by_ids(sess: Session, consultation: Consultation, ids: Iterable[int]) -> list[Comment]:
    ids = {int(i) for i in ids}
    comments = list(
        sess.scalars(select(Comment).where(Comment.consultation_id == consultation.id, Comment.id.in_(ids)))
    )
    if not comments or len(comments) != len(ids):
        raise ConsultationError("请至少选择一条本征集的意见。")
    return comments


def moderate(
    sess: Session,
    actor: User,
    consultation: Consultation,
    ids: Iterable[int],
    action: str,
    reason: str = "",
    duplicate_of: str = "",
) -> int:
    """Publish, reject (with a reason) or mark as duplicate of another comment; return the count."""
    _editable(consultation)
    if action not in MODERATION_ACTIONS:
        raise ConsultationError("未知的审核操作。")
    comments = comments_by_ids(sess, consultation, ids)
    reason = reason.strip()
    original = None
    if action == "reject" and not reason:
        raise ConsultationError("不予公开时必须填写理由。", field="reason")
    if action == "duplicate":
        original = find_receipt(sess, duplicate_of)
        if original is None or original.consultation_id != consultation.id:
            raise ConsultationError("请填写本征集中被重复的那条意见的回执码。", field="duplicate_of")
        if original in comments:
            raise ConsultationError("一条意见不能标记为与自己重复。", field="duplicate_of")
        if original.moderation != "published":
            raise ConsultationError("只能标记为与已公开（已受理）的意见重复。", field="duplicate_of")
        reason = reason or f"与意见 {original.receipt_code} 重复"
    now = datetime.now(UTC)
    for comment in comments:
        before = {"moderation": comment.moderation, "reason": comment.moderation_reason}
        comment.moderation = MODERATION_ACTIONS[action]
        comment.moderation_reason = "" if action == "publish" else reason
        comment.duplicate_of_id = original.id if original else None
        comment.moderated_at = now
        if action != "publish":
            comment.disposition, comment.disposition_reason, comment.viewpoint_id = "", "", None
        record(
            sess,
            actor,
            f"comment.{action}",
            consultation,
            before=before,
            after={"moderation": comment.moderation, "reason": comment.moderation_reason},
            note=comment.receipt_code,
        )
    sess.commit()
    return len(comments)


def block_sender(sess: Session, actor: User, comment: Comment, reason: str) -> BlockedSender:
    """Refuse further comments from the sender of ``comment`` (by address hash and contact)."""
    if not reason.strip():
        raise ConsultationError("屏蔽发送者时必须填写理由。", field="reason")
    if not comment.sender_hash and not comment.contact:
        raise ConsultationError("这条意见没有可用于屏蔽的发送者信息。")
    block = BlockedSender(
        sender_hash=comment.sender_hash,
        contact=comment.contact,
        reason=reason.strip(),
        blocked_by_id=actor.id,
    )
    sess.add(block)
    record(
        sess, actor, "comment.block_sender", comment.consultation, note=f"{comment.receipt_code}: {reason}"
    )
    sess.commit()
    return block


def enter_comment(sess: Session, actor: User, consultation: Consultation, data: CommentInput) -> Comment:
    """Staff entry of a comment received by e-mail, post or phone, with its channel recorded."""
    if data.channel == "online":
        raise ConsultationError("请选择意见的来源渠道（电子邮件、信函或电话）。", field="channel")
    comment, _new = submit_comment(sess, consultation, data, entered_by=actor)
    return comment


# -- closing ----------------------------------------------------------------------------------------


def pending_count(sess: Session, consultation: Consultation) -> int:
    return (
        sess.scalar(
            select(func.count(Comment.id)).where(
                Comment.consultation_id == consultation.id, Comment.moderation == "pending"
            )
        )
        or 0
    )


def close_consultation(
    sess: Session, actor: User, consultation: Consultation, today: date | None = None
) -> None:
    if consultation.status != "published":
        raise ConsultationError("只有正在征集或已到期的征集可以结束。", status=409)
    if (today or local_today()) <= consultation.closes_on:
        raise ConsultationError("征集期尚未结束，不能提前结束征集。", status=409)
    pending = pending_count(sess, consultation)
    if pending:
        raise ConsultationError(f"还有{pending}条意见待审核，请先完成审核。", status=409)
    consultation.status = "closed"
    consultation.closed_at = datetime.now(UTC)
    record(
        sess,
        actor,
        "consultation.close",
        consultation,
        before={"status": "published"},
        after={"status": "closed"},
    )
    sess.commit()


def _check_disposition(disposition: str, reason: str, what: str) -> None:
    if disposition not in DISPOSITIONS:
        raise ConsultationError(f"{what}：请选择处理结果。")
    if disposition in REASON_REQUIRED and not reason.strip():
        raise ConsultationError(f"{what}：{DISPOSITIONS[disposition]}时必须说明理由。")


def add_viewpoint(
    sess: Session, actor: User, consultation: Consultation, summary: str, disposition: str, reason: str
) -> Viewpoint:
    if consultation.status != "closed":
        raise ConsultationError("结束征集后才能归纳意见和给出处理结果。", status=409)
    if not summary.strip():
        raise ConsultationError("请填写观点摘要。", field="summary")
    _check_disposition(disposition, reason, "观点")
    viewpoint = Viewpoint(
        summary=summary.strip(),
        disposition=disposition,
        reason=reason.strip(),
        position=len(consultation.viewpoints),
    )
    consultation.viewpoints.append(viewpoint)
    sess.flush()
    record(
        sess,
        actor,
        "consultation.viewpoint",
        consultation,
        after={"summary": viewpoint.summary, "disposition": disposition, "reason": viewpoint.reason},
    )
    sess.commit()
    return viewpoint


@dataclass
class DispositionRow:
    comment_id: int
    disposition: str = ""
    reason: str = ""
    viewpoint_id: int | None = None


def save_dispositions(
    sess: Session, actor: User, consultation: Consultation, rows: list[DispositionRow]
) -> int:
    """Give accepted comments their disposition, all or nothing.

    A comment grouped into a viewpoint takes the viewpoint's disposition and reason unless it has its own.
    """
    if consultation.status != "closed":
        raise ConsultationError("结束征集后才能给出处理结果。", status=409)
    comments = {c.id: c for c in comments_by_ids(sess, consultation, [r.comment_id for r in rows])}
    viewpoints = {v.id: v for v in consultation.viewpoints}
    changed = 0
    for row in rows:
        comment = comments[row.comment_id]
        if comment.moderation != "published":
            raise ConsultationError(f"意见 {comment.receipt_code} 未被受理，不需要处理结果。")
        viewpoint = None
        if row.viewpoint_id:
            viewpoint = viewpoints.get(row.viewpoint_id)
            if viewpoint is None:
                raise ConsultationError(f"意见 {comment.receipt_code}：所选观点不存在。")
        disposition, reason = row.disposition, row.reason.strip()
        if viewpoint and not disposition:
            disposition, reason = viewpoint.disposition, reason or viewpoint.reason
        if not disposition:
            continue  # left open for now; publishing the report asks for it
        _check_disposition(disposition, reason, f"意见 {comment.receipt_code}")
        new = (disposition, reason, viewpoint.id if viewpoint else None)
        if new != (comment.disposition, comment.disposition_reason, comment.viewpoint_id):
            before = {"disposition": comment.disposition, "reason": comment.disposition_reason}
            comment.disposition, comment.disposition_reason, comment.viewpoint_id = new
            record(
                sess,
                actor,
                "comment.disposition",
                consultation,
                before=before,
                after={"disposition": disposition, "reason": reason},
                note=comment.receipt_code,
            )
            changed += 1
    sess.commit()
    return changed


def open_dispositions(sess: Session, consultation: Consultation) -> int:
    return (
        sess.scalar(
            select(func.count(Comment.id)).where(
                Comment.consultation_id == consultation.id,
                Comment.moderation == "published",
                Comment.disposition == "",
            )
        )
        or 0
    )


# -- staff reads ------------------------------------------------------------------------------------


def in_scope(user: User, consultation: Consultation) -> bool:
    """Publishers and admins handle every consultation; editors and reviewers their agency's."""
    return user.has_role("publisher", "admin") or (
        user.agency_id is not None and user.agency_id == consultation.agency_id
    )


def staff_list(sess: Session, user: User) -> list[tuple[Consultation, int, int]]:
    """The consultations ``user`` handles, newest first, with their pending and total comment counts."""
    pending = func.count(Comment.id).filter(Comment.moderation == "pending")
    stmt = (
        select(Consultation, pending, func.count(Comment.id))
        .outerjoin(Comment, Comment.consultation_id == Consultation.id)
        .group_by(Consultation.id)
        .order_by(Consultation.opens_on.desc(), Consultation.id.desc())
    )
    if not user.has_role("publisher", "admin"):
        stmt = stmt.where(Consultation.agency_id == user.agency_id)
    rows = sess.execute(stmt).all()
    return [(c, p, n) for c, p, n in rows]


def staff_comments(sess: Session, consultation: Consultation, state: str) -> list[Comment]:
    stmt = select(Comment).where(Comment.consultation_id == consultation.id)
    if state != "all":
        stmt = stmt.where(Comment.moderation == state)
    return list(
        sess.scalars(
            stmt.options(selectinload(Comment.clause), selectinload(Comment.viewpoint)).order_by(
                Comment.received_at, Comment.id
            )
        )
    )


def moderation_counts(sess: Session, consultation: Consultation) -> dict[str, int]:
    rows = sess.execute(
        select(Comment.moderation, func.count(Comment.id))
        .where(Comment.consultation_id == consultation.id)
        .group_by(Comment.moderation)
    ).all()
    counts = {state: 0 for state in ("pending", "published", "rejected", "duplicate")}
    counts.update(dict(rows))
    counts["all"] = sum(counts.values())
    return counts


def agency_choices(sess: Session) -> list[Agency]:
    return list(sess.scalars(select(Agency).order_by(Agency.position, Agency.id)))


def document_choices(sess: Session, public_only: bool = False) -> list[Document]:
    """Documents to pick as a draft (any not withdrawn) or as the adopted text (public ones)."""
    stmt = select(Document).where(Document.status != "withdrawn")
    if public_only:
        stmt = stmt.where(Document.status == "published", Document.disclosure == "active")
    return list(sess.scalars(stmt.order_by(Document.published_at.desc().nulls_last(), Document.id.desc())))


def staff_todo(sess: Session, user: User) -> list[tuple[str, str, str]]:
    """Dashboard items: comments waiting for moderation, periods over but not closed, reports not out.

    Returned as (label, consultation id, note); the caller builds the URL.
    """
    today = local_today()
    out = []
    for c, pending, _total in staff_list(sess, user):
        if pending:
            out.append((c.title, str(c.id), f"{pending}条意见待审核"))
        elif c.status == "published" and c.closes_on < today:
            out.append((c.title, str(c.id), "征集期已结束，待结束征集"))
        elif c.status == "closed":
            out.append((c.title, str(c.id), "待给出处理结果并发布反馈报告"))
    return out

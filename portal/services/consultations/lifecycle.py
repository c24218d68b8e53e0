"""A consultation from creation to its end: create (with the period rules), publish, close.

Staff writes are audited; each change of what the public sees refreshes the search index after commit.
The actor is a staff member or the system actor ``content`` (``portal load``): the same rules and
transitions hold for both. The functions a content file goes through leave the commit to the caller
(``new_consultation``, ``update_consultation``, ``end_consultation``); the staff-facing ones around them
commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.ingest.markdown import render_markdown
from portal.models import Agency, Clause, Comment, Consultation, Document, User
from portal.models.consultations import KINDS
from portal.services.audit import record
from portal.services.consultations import search as consultation_search
from portal.services.consultations.errors import ConsultationError
from portal.services.consultations.rules import (
    local_today,
    new_idempotency_key,
    period_shortfalls,
    split_clauses,
)

Actor = User | str  # a staff member, or a system actor such as "content" (portal load)

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,100}$")


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
        raise ConsultationError(
            "请填写征集期的开始和截止日期。",
            field="opens_on" if opens_on is None else "closes_on",
            en=f"missing required field '{'opens' if opens_on is None else 'closes'}'",
        )
    if closes_on < opens_on:
        raise ConsultationError(
            "截止日期不能早于开始日期。",
            field="closes_on",
            en=f"'closes' {closes_on.isoformat()} is before 'opens' {opens_on.isoformat()}",
        )
    shortfall, shortfall_en = period_shortfalls(kind, affects_rights, opens_on, closes_on)
    if shortfall and not short_period_reason.strip():
        raise ConsultationError(
            f"{shortfall}。如确需缩短，请填写向社会公开的缩短理由。",
            field="short_period_reason",
            en=f"{shortfall_en}: give a 'short_period_reason' (shown publicly) or a longer period",
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


@dataclass
class _Checked:
    agency: Agency
    document: Document | None
    draft_md: str
    slug: str


def _check(sess: Session, actor: Actor, data: ConsultationInput, own: Consultation | None) -> _Checked:
    """Every rule of a consultation's fields, for a new one and for a content file's correction."""
    title = data.title.strip()
    if not title:
        raise ConsultationError("请填写征集标题。", field="title", en="missing required field 'title'")
    if data.kind not in KINDS:
        raise ConsultationError(
            "请选择征集事项类别。",
            field="kind",
            en=f"unknown kind '{data.kind}' (allowed: {', '.join(KINDS)})",
        )
    agency = sess.get(Agency, data.agency_id) if data.agency_id else None
    if agency is None:
        raise ConsultationError(
            "请选择负责征集的部门。", field="agency_id", en="missing required field 'agency'"
        )
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
        raise ConsultationError(
            "请填写草案文本或选择草案文件。",
            field="draft_md",
            en="the body (the draft text) is empty and no 'draft_document' gives one",
        )
    check_period(data.kind, data.affects_rights, data.opens_on, data.closes_on, data.short_period_reason)
    assert data.opens_on is not None and data.closes_on is not None  # check_period refused missing dates
    if not (data.accepts_online or data.channel_email or data.channel_post or data.channel_phone):
        raise ConsultationError(
            "请至少提供一种提交意见的渠道。",
            field="accepts_online",
            en="'channels' must offer at least one way to comment (online, email, post or phone)",
        )
    if own is not None:
        return _Checked(agency, document, draft_md, own.slug)
    slug = data.slug.strip().lower() or f"yjzj-{data.opens_on:%Y%m%d}-{new_idempotency_key()[:6].lower()}"
    slug = re.sub(r"[^a-z0-9-]", "x", slug) if not data.slug else slug
    if not _SLUG_RE.match(slug):
        raise ConsultationError(
            "网址标识只能包含小写字母、数字和连字符。",
            field="slug",
            en=f"bad slug '{slug[:60]}': a file name of 2-101 lower-case letters, digits and hyphens",
        )
    if sess.scalar(select(func.count(Consultation.id)).where(Consultation.slug == slug)):
        raise ConsultationError("该网址标识已被使用。", field="slug", en=f"slug '{slug}' is already used")
    return _Checked(agency, document, draft_md, slug)


def create_consultation(sess: Session, actor: Actor, data: ConsultationInput) -> Consultation:
    """Create a consultation from a draft document or pasted text, enforcing the period rules; commit."""
    consultation = new_consultation(sess, actor, data)
    sess.commit()
    return consultation


def new_consultation(sess: Session, actor: Actor, data: ConsultationInput) -> Consultation:
    """:func:`create_consultation` without the commit."""
    checked = _check(sess, actor, data, None)
    agency, document, draft_md, slug = checked.agency, checked.document, checked.draft_md, checked.slug
    assert data.opens_on is not None and data.closes_on is not None  # _check refused missing dates
    title = data.title.strip()
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
    return consultation


# The fields a content file may correct after creation, as the audit log shows them.
_AUDITED = (
    "title",
    "agency_id",
    "kind",
    "affects_rights",
    "opens_on",
    "closes_on",
    "short_period_reason",
    "accepts_online",
    "channel_email",
    "channel_post",
    "channel_phone",
    "draft_document_id",
    "draft_md",
    "basis_md",
    "note_md",
)


def _audited(consultation: Consultation) -> dict[str, object]:
    values = {name: getattr(consultation, name) for name in _AUDITED}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def update_consultation(
    sess: Session, actor: Actor, consultation: Consultation, data: ConsultationInput
) -> bool:
    """Correct a consultation's fields under the rules of :func:`create_consultation` (a content file that
    changed); audited when anything changed, which it returns. No commit."""
    checked = _check(sess, actor, data, consultation)
    assert data.opens_on is not None and data.closes_on is not None  # _check refused missing dates
    before = _audited(consultation)
    consultation.title = data.title.strip()
    consultation.agency_id = checked.agency.id
    consultation.kind = data.kind
    consultation.affects_rights = data.affects_rights
    consultation.opens_on, consultation.closes_on = data.opens_on, data.closes_on
    consultation.short_period_reason = data.short_period_reason.strip()
    consultation.accepts_online = data.accepts_online
    consultation.channel_email = data.channel_email.strip()
    consultation.channel_post = data.channel_post.strip()
    consultation.channel_phone = data.channel_phone.strip()
    consultation.draft_document_id = checked.document.id if checked.document else None
    set_draft(consultation, checked.draft_md)
    set_texts(consultation, data.basis_md.strip(), data.note_md.strip())
    after = _audited(consultation)
    if after == before:
        return False
    changed = [k for k in _AUDITED if before[k] != after[k]]
    record(
        sess,
        actor,
        "consultation.update",
        consultation,
        before={k: before[k] for k in changed if k not in {"draft_md", "basis_md", "note_md"}},
        after={k: after[k] for k in changed if k not in {"draft_md", "basis_md", "note_md"}},
        note="、".join(changed),
    )
    consultation_search.refresh_after_commit(sess, consultation)
    return True


def publish_consultation(sess: Session, actor: Actor, consultation: Consultation) -> None:
    if consultation.status != "draft":
        raise ConsultationError(
            "只有草稿状态的征集可以发布。",
            status=409,
            en=f"only a draft consultation is published, this one is '{consultation.status}'",
        )
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
    end_consultation(sess, actor, consultation, today)
    sess.commit()


def end_consultation(
    sess: Session,
    actor: Actor,
    consultation: Consultation,
    today: date | None = None,
    closed_at: datetime | None = None,
) -> None:
    """:func:`close_consultation` without the commit; ``closed_at`` (default now) is when it ended."""
    if consultation.status != "published":
        raise ConsultationError(
            "只有正在征集或已到期的征集可以结束。",
            status=409,
            en=f"only a published consultation is closed, this one is '{consultation.status}'",
        )
    if (today or local_today()) <= consultation.closes_on:
        raise ConsultationError(
            "征集期尚未结束，不能提前结束征集。",
            status=409,
            en=f"the period runs until {consultation.closes_on.isoformat()}: a consultation is not closed early",
        )
    pending = pending_count(sess, consultation)
    if pending:
        raise ConsultationError(
            f"还有{pending}条意见待审核，请先完成审核。",
            status=409,
            en=f"{pending} comment(s) still pending moderation: a consultation closes once all are moderated",
        )
    consultation.status = "closed"
    consultation.closed_at = closed_at or datetime.now(UTC)
    record(
        sess,
        actor,
        "consultation.close",
        consultation,
        before={"status": "published"},
        after={"status": "closed"},
    )
    consultation_search.refresh_after_commit(sess, consultation)

"""A consultation from creation to its end: create (with the period rules), publish, close.

Staff writes are audited; each change of what the public sees refreshes the search index after commit.
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
    period_shortfall,
    split_clauses,
)

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
    assert data.opens_on is not None and data.closes_on is not None  # check_period refused missing dates
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

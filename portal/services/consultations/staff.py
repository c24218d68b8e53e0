"""Staff reads: the consultations a user handles, their comments and counts, form choices, to-dos."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.models import Agency, Comment, Consultation, Document, User
from portal.services import staff_lists
from portal.services.consultations.rules import (
    local_today,
)


def in_scope(user: User, consultation: Consultation) -> bool:
    """Publishers and admins handle every consultation; editors and reviewers their agency's."""
    return user.has_role("publisher", "admin") or (
        user.agency_id is not None and user.agency_id == consultation.agency_id
    )


def staff_consultation(sess: Session, consultation_id: int) -> Consultation | None:
    """A consultation by id, whatever its status (the staff pages check the scope with :func:`in_scope`)."""
    return sess.get(Consultation, consultation_id)


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


def staff_page(sess: Session, user: User, page: int = 1) -> staff_lists.Page:
    """One page of :func:`staff_list`, scoped and paged in SQL: items are (consultation, pending, total)."""
    stmt = select(Consultation).order_by(Consultation.opens_on.desc(), Consultation.id.desc())
    if not user.has_role("publisher", "admin"):
        stmt = stmt.where(Consultation.agency_id == user.agency_id)
    result = staff_lists.paginate(sess, stmt, page)
    ids = [c.id for c in result.items]
    pending = func.count(Comment.id).filter(Comment.moderation == "pending")
    counts = {
        cid: (p, n)
        for cid, p, n in sess.execute(
            select(Comment.consultation_id, pending, func.count(Comment.id))
            .where(Comment.consultation_id.in_(ids))
            .group_by(Comment.consultation_id)
        )
    }
    result.items = [(c, *counts.get(c.id, (0, 0))) for c in result.items]
    return result


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

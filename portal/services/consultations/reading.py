"""Public reads of consultations: the list by phase, one consultation, its published comments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, lazyload, load_only, selectinload

from portal.models import Clause, Comment, Consultation, Document
from portal.services.consultations.rules import (
    phase,
)


def public_consultations() -> Select[Any]:
    """Every consultation the public may see: all but drafts (the list, the pages, the open-data API)."""
    return select(Consultation).where(Consultation.status != "draft")


def public_list(sess: Session, today: date | None = None) -> dict[str, list[Consultation]]:
    """Public consultations by phase: open (closing soonest first), upcoming, closed (newest first)."""
    rows = sess.scalars(public_consultations()).all()
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
        public_consultations().where(Consultation.slug == slug).options(selectinload(Consultation.clauses))
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

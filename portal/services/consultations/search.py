"""Consultations in the site search: registered with ``portal.search`` when that package is present.

The search area offers ``register_type(SearchableType(...))`` and ``refresh_after_commit(sess, obj)``;
until it is installed these functions do nothing, so consultations work with or without search.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.models import Consultation

log = logging.getLogger(__name__)


def search_docs(sess: Session, ids: Sequence[int] | None) -> Iterable[Any]:
    """One search document per public consultation: draft, basis, note and feedback report."""
    from portal.search.registry import SearchDoc
    from portal.search.text import html_to_text

    stmt = (
        select(Consultation)
        .where(Consultation.status != "draft")
        .options(selectinload(Consultation.clauses))
        .order_by(Consultation.id)
    )
    if ids is not None:
        stmt = stmt.where(Consultation.id.in_(list(ids)))
    for c in sess.scalars(stmt):
        parts = [html_to_text(cl.html) for cl in c.clauses]
        parts += [html_to_text(c.basis_html), html_to_text(c.note_html), html_to_text(c.report_html)]
        yield SearchDoc(
            type="consultation",
            id=c.id,
            title=c.title,
            url=f"/consultations/{c.slug}/",
            date=c.opens_on,
            body="\n".join(p for p in parts if p),
            agencies=[c.agency.slug],
        )


def register() -> bool:
    """Make consultations searchable; False when the search package is not there (yet)."""
    try:
        from portal.search.registry import SearchableType, register_type
    except ImportError:
        return False
    try:
        register_type(SearchableType("consultation", "意见征集", Consultation, search_docs))
    except Exception:  # an incompatible search API must not keep the portal from starting
        log.exception("could not register consultations with the site search")
        return False
    return True


def refresh_after_commit(sess: Session, consultation: Consultation) -> None:
    """Re-index ``consultation`` once the transaction commits (no-op without the search package)."""
    try:
        from portal.search import refresh_after_commit as refresh
    except ImportError:
        return
    refresh(sess, consultation)

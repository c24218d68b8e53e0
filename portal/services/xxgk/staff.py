"""What the column needs from staff, for the dashboard: empty sections, incomplete FOI offices, and
published documents that no section lists because they carry no category."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.models import Document, User
from portal.services.policies.queries import public_documents
from portal.services.xxgk import offices
from portal.services.xxgk.categories import ANNUAL_REPORT_GENRE, Category, all_categories
from portal.services.xxgk.pages import empty_sections


def empty(sess: Session) -> list[Category]:
    return empty_sections(sess)


def uncategorised(sess: Session, user: User, limit: int = 100) -> list[Document]:
    """Public documents without a known category (loaded from content before categories existed, or
    whose category was removed from the configuration), in the user's scope."""
    from portal.services.staff_lists import document_scope

    known = [c.slug for c in all_categories(sess)]
    stmt = (
        public_documents()
        .where(Document.disclosure_category.not_in(known), Document.genre != ANNUAL_REPORT_GENRE)
        .where(document_scope(user))
        .order_by(Document.published_at.desc())
        .limit(limit)
    )
    return list(sess.scalars(stmt))


def incomplete_offices(sess: Session) -> list[offices.Incomplete]:
    return offices.incomplete(sess)

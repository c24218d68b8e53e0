"""The lists of the staff area, scoped and paginated in SQL.

Editors and reviewers see their agency's items (``publishing.item_agency_ids`` says the same for one item),
publishers and admins everything. Filtering in SQL, not after a fixed number of rows, is what keeps an
editor's list complete however many newer items other agencies have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from portal.models import Agency, Channel, Document, DocumentAgency, Interpretation, Push, User
from portal.services.numbers import parse_int

PAGE_SIZE = 50


@dataclass
class Page:
    items: list[Any]
    page: int
    pages: int
    total: int


def document_scope(user: User) -> ColumnElement[bool]:
    """Documents ``user`` may see in the staff area: those its agency owns (or issued, for the documents
    that have no owner recorded)."""
    if user.has_role("publisher", "admin"):
        return true()
    if user.agency_id is None:
        return false()
    issued = select(DocumentAgency.document_id).where(DocumentAgency.agency_id == user.agency_id)
    return or_(
        Document.owner_id == user.agency_id,
        and_(Document.owner_id.is_(None), Document.id.in_(issued)),
    )


def interpretation_scope(user: User) -> ColumnElement[bool]:
    if user.has_role("publisher", "admin"):
        return true()
    if user.agency_id is None:
        return false()
    return or_(
        Interpretation.agency_id == user.agency_id,
        Interpretation.document_id.in_(select(Document.id).where(document_scope(user))),
    )


def paginate(sess: Session, stmt: Select, page: int, size: int = PAGE_SIZE) -> Page:
    total = sess.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    items = list(sess.scalars(stmt.offset((page - 1) * size).limit(size)))
    return Page(items=items, page=page, pages=pages, total=total)


def documents(sess: Session, user: User, *, status: str = "", page: int = 1) -> Page:
    stmt = (
        select(Document).where(document_scope(user)).order_by(Document.updated_at.desc(), Document.id.desc())
    )
    if status:
        stmt = stmt.where(Document.status == status)
    return paginate(sess, stmt, page)


def interpretations(sess: Session, user: User, *, status: str = "", page: int = 1) -> Page:
    stmt = (
        select(Interpretation)
        .where(interpretation_scope(user))
        .order_by(Interpretation.updated_at.desc(), Interpretation.id.desc())
    )
    if status:
        stmt = stmt.where(Interpretation.status == status)
    return paginate(sess, stmt, page)


def interpretable_documents(sess: Session, user: User, limit: int = 200) -> list[tuple[int, str, str]]:
    """(id, title, 文号) of the most recent documents an interpretation may be attached to, within
    ``user``'s scope; older ones are named by 文号 or 网址标识 in the form instead."""
    rows = sess.execute(
        select(Document.id, Document.title, Document.doc_number)
        .where(document_scope(user), Document.status != "withdrawn")
        .order_by(Document.updated_at.desc(), Document.id.desc())
        .limit(limit)
    )
    return [(id_, title, number) for id_, title, number in rows]


def users(sess: Session, page: int = 1) -> Page:
    return paginate(sess, select(User).order_by(User.username), page)


def agencies(sess: Session, page: int = 1) -> Page:
    """Issuers created on the fly and waiting for review first, then the register in its order."""
    stmt = select(Agency).order_by(Agency.needs_review.desc(), Agency.position, Agency.id)
    return paginate(sess, stmt, page)


def channels(sess: Session, page: int = 1) -> Page:
    return paginate(sess, select(Channel).order_by(Channel.name, Channel.id), page)


def pushes(sess: Session, *, status: str = "", page: int = 1) -> Page:
    stmt = select(Push).order_by(Push.created_at.desc(), Push.id.desc())
    if status:
        stmt = stmt.where(Push.status == status)
    return paginate(sess, stmt, page)


def page_arg(args: Any) -> int:
    return parse_int(args.get("page"), 1, 999_999) or 1

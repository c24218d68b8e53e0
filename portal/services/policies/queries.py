"""Read side of the policy library (/policies/): what the public may see, filtered, faceted and paginated.

Only published documents with active disclosure (主动公开) ever leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.clock import year_bounds
from portal.models import (
    Agency,
    Attachment,
    Document,
    DocumentAgency,
    DocumentVersion,
    Interpretation,
    Topic,
)
from portal.models.base import local_year
from portal.models.documents import VALIDITY, document_topic
from portal.services import forwarding
from portal.services.numbers import parse_int

PAGE_SIZE = 20
MAX_WORDS = 5
MAX_Q_CHARS = 100
FACETS = ("agency", "year", "genre", "topic", "validity", "normative")


def public_documents() -> Select[Document]:
    return select(Document).where(Document.status == "published", Document.disclosure == "active")


def public_interpretations() -> Select[Interpretation]:
    return (
        select(Interpretation)
        .join(Interpretation.document)
        .where(
            Interpretation.status == "published",
            Document.status == "published",
            Document.disclosure == "active",
        )
    )


def public_topics() -> Select[Topic]:
    """Topics of at least one public document: the only ones a public page, feed or filter may name
    (a topic only drafts use must not be confirmed to exist)."""
    public_ids = public_documents().with_only_columns(Document.id)
    return select(Topic).where(
        Topic.id.in_(select(document_topic.c.topic_id).where(document_topic.c.document_id.in_(public_ids)))
    )


@dataclass
class LibraryQuery:
    """The filters of the library page, parsed from the query string; unknown values are dropped."""

    agency: str = ""
    year: int | None = None
    genre: str = ""
    topic: str = ""
    validity: str = ""
    normative: bool | None = None
    sort: str = "date"  # date | date_asc
    q: str = ""  # words that the title or the 文号 must contain (the open-data API)
    page: int = 1
    ignored: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: Any) -> LibraryQuery:
        q = cls()
        q.agency = args.get("agency", "").strip()
        q.genre = args.get("genre", "").strip()
        q.topic = args.get("topic", "").strip()
        validity = args.get("validity", "").strip()
        if validity in VALIDITY:
            q.validity = validity
        elif validity:
            q.ignored.append(f"有效性“{validity}”")
        year = args.get("year", "").strip()
        q.year = parse_int(year, 1949, 2100)
        if year and q.year is None:
            q.ignored.append(f"年份“{year}”")
        normative = args.get("normative", "").strip()
        if normative in {"1", "0"}:
            q.normative = normative == "1"
        elif normative:
            q.ignored.append(f"规范性文件“{normative}”")
        q.q = " ".join(str(args.get("q", "")).split()[:MAX_WORDS])[:MAX_Q_CHARS]
        sort = args.get("sort", "date")
        q.sort = sort if sort in {"date", "date_asc"} else "date"
        page = args.get("page", "1")
        q.page = parse_int(page, 1, 99999) or 1
        return q

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for a link that changes some filters (and resets the page)."""
        values = {
            "agency": self.agency,
            "year": self.year,
            "genre": self.genre,
            "topic": self.topic,
            "validity": self.validity,
            "normative": None if self.normative is None else int(self.normative),
            "sort": None if self.sort == "date" else self.sort,
            "q": self.q,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _filtered(query: LibraryQuery, skip: str = "") -> Select[Document]:
    stmt = public_documents()
    if query.agency and skip != "agency":
        stmt = stmt.where(
            Document.id.in_(
                select(DocumentAgency.document_id).join(Agency).where(Agency.slug == query.agency)
            )
        )
    if query.year and skip != "year":
        start, end = year_bounds(query.year)
        stmt = stmt.where(Document.published_at >= start, Document.published_at < end)
    if query.genre and skip != "genre":
        stmt = stmt.where(Document.genre == query.genre)
    if query.topic and skip != "topic":
        stmt = stmt.where(
            Document.id.in_(select(document_topic.c.document_id).join(Topic).where(Topic.name == query.topic))
        )
    if query.validity and skip != "validity":
        stmt = stmt.where(Document.validity == query.validity)
    if query.normative is not None and skip != "normative":
        stmt = stmt.where(Document.normative == query.normative)
    for word in query.q.split():
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Document.title.like(pattern), Document.doc_number.like(pattern)))
    return stmt


def facet_counts(sess: Session, query: LibraryQuery) -> dict[str, list[tuple[str, str, int]]]:
    """For each facet, (value, label, count) over the documents matching every *other* filter."""
    facets: dict[str, list[tuple[str, str, int]]] = {}
    ids = _filtered(query, "agency").with_only_columns(Document.id).subquery()
    agencies = sess.execute(
        select(Agency.slug, Agency.name, func.count())
        .join(DocumentAgency, DocumentAgency.agency_id == Agency.id)
        .where(DocumentAgency.document_id.in_(select(ids)))
        .group_by(Agency.slug, Agency.name, Agency.position)
        .order_by(Agency.position)
    ).all()
    facets["agency"] = [(slug, name, n) for slug, name, n in agencies]

    year = local_year(Document.published_at)
    years = sess.execute(
        _filtered(query, "year").with_only_columns(year, func.count()).group_by(year).order_by(year.desc())
    ).all()
    facets["year"] = [(str(int(y)), f"{int(y)}年", n) for y, n in years if y is not None]

    genres = sess.execute(
        _filtered(query, "genre")
        .with_only_columns(Document.genre, func.count())
        .where(Document.genre != "")
        .group_by(Document.genre)
        .order_by(Document.genre)
    ).all()
    facets["genre"] = [(g, g, n) for g, n in genres]

    ids = _filtered(query, "topic").with_only_columns(Document.id).subquery()
    topics = sess.execute(
        select(Topic.name, func.count())
        .join(document_topic, document_topic.c.topic_id == Topic.id)
        .where(document_topic.c.document_id.in_(select(ids)))
        .group_by(Topic.name)
        .order_by(Topic.name)
    ).all()
    facets["topic"] = [(t, t, n) for t, n in topics]

    validity: dict[str, int] = dict(
        sess.execute(
            _filtered(query, "validity")
            .with_only_columns(Document.validity, func.count())
            .group_by(Document.validity)
        ).all()
    )
    facets["validity"] = [(k, label, validity[k]) for k, label in VALIDITY.items() if validity.get(k)]

    normative: dict[bool, int] = dict(
        sess.execute(
            _filtered(query, "normative")
            .with_only_columns(Document.normative, func.count())
            .group_by(Document.normative)
        ).all()
    )
    facets["normative"] = [
        (v, label, normative[flag])
        for v, label, flag in (("1", "规范性文件", True), ("0", "其他文件", False))
        if normative.get(flag)
    ]
    return facets


@dataclass
class LibraryPage:
    documents: list[Document]
    total: int
    page: int
    pages: int
    facets: dict[str, list[tuple[str, str, int]]]


def browse(sess: Session, query: LibraryQuery) -> LibraryPage:
    stmt = _filtered(query)
    total = sess.scalar(stmt.with_only_columns(func.count(Document.id))) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    order = Document.published_at.asc() if query.sort == "date_asc" else Document.published_at.desc()
    docs = list(
        sess.scalars(stmt.order_by(order, Document.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    )
    forwarding.mark_reposted(sess, docs, current_app.extensions["settings"].site_name)
    return LibraryPage(docs, total, page, pages, facet_counts(sess, query))


def latest_documents(sess: Session, limit: int = 8) -> list[Document]:
    docs = list(sess.scalars(public_documents().order_by(Document.published_at.desc()).limit(limit)))
    return forwarding.mark_reposted(sess, docs, current_app.extensions["settings"].site_name)


def latest_interpretations(sess: Session, limit: int = 6) -> list[Interpretation]:
    return list(
        sess.scalars(
            public_interpretations()
            .options(selectinload(Interpretation.document))
            .order_by(Interpretation.published_at.desc())
            .limit(limit)
        )
    )


def public_document(sess: Session, slug: str) -> Document | None:
    return sess.scalars(
        public_documents()
        .where(Document.slug == slug)
        .options(selectinload(Document.measures), selectinload(Document.interpretations))
    ).first()


def public_interpretation(sess: Session, slug: str) -> Interpretation | None:
    return sess.scalars(
        public_interpretations()
        .where(Interpretation.slug == slug)
        .options(selectinload(Interpretation.items))
    ).first()


def public_versions(sess: Session, obj: Document | Interpretation) -> list[DocumentVersion]:
    """The 更新记录 of a public item, newest first (number 1 is the first publication)."""
    item_type = "document" if isinstance(obj, Document) else "interpretation"
    return list(
        sess.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.item_type == item_type, DocumentVersion.item_id == obj.id)
            .order_by(DocumentVersion.number.desc())
        )
    )


def public_attachments(sess: Session, doc: Document) -> list[Attachment]:
    """The attachments of a public document that staff marked public, in their order."""
    return list(
        sess.scalars(
            select(Attachment)
            .where(Attachment.document_id == doc.id, Attachment.public.is_(True))
            .order_by(Attachment.position)
        )
    )


def public_attachment(sess: Session, slug: str, attachment_id: int) -> Attachment | None:
    """A public attachment of the public document ``slug`` (its download), or None."""
    return sess.scalars(
        select(Attachment)
        .join(Document, Document.id == Attachment.document_id)
        .where(
            Attachment.id == attachment_id,
            Attachment.public.is_(True),
            Document.slug == slug,
            Document.status == "published",
            Document.disclosure == "active",
        )
    ).first()


def interpretations_page(
    sess: Session, year: int | None = None, agency: str = "", page: int = 1, size: int = PAGE_SIZE
) -> tuple[list[Interpretation], int, int, int]:
    """Public interpretations, newest first, by year of publication and interpreting agency:
    (items, page, pages, total)."""
    stmt = public_interpretations()
    if year:
        start, end = year_bounds(year)
        stmt = stmt.where(Interpretation.published_at >= start, Interpretation.published_at < end)
    if agency:
        stmt = stmt.where(Interpretation.agency_id.in_(select(Agency.id).where(Agency.slug == agency)))
    total = sess.scalar(stmt.with_only_columns(func.count(Interpretation.id))) or 0
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    items: Any = sess.scalars(
        stmt.options(selectinload(Interpretation.document), selectinload(Interpretation.agency))
        .order_by(Interpretation.published_at.desc(), Interpretation.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return list(items), page, pages, total

"""What the column's pages show, built once here for the views and the static export alike."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from portal.clock import local_day
from portal.models import Agency, Document, InfoPage
from portal.services.policies.queries import public_documents
from portal.services.xxgk import offices as office_service
from portal.services.xxgk.categories import ANNUAL_REPORT_GENRE, RULES, Category, lookup, sections

PAGE_SIZE = 50
YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass
class Entry:
    """One line of a listing: a document or an information page, with its date."""

    title: str
    kind: str  # document (a page of the library) | page (an information page of the column)
    slug: str
    published_on: date | None
    agency: str = ""
    doc_number: str = ""


@dataclass
class SectionCount:
    category: Category
    count: int


def _public(sess: Session, *where: ColumnElement[bool]) -> list[Document]:
    """Public documents matching ``where``, newest first (the library's definition of public)."""
    stmt = public_documents().where(*where).order_by(Document.published_at.desc())
    return list(cast("Iterable[Document]", sess.scalars(stmt)))


def _entry_of_document(doc: Document) -> Entry:
    published = doc.published_at.date() if doc.published_at else None
    owner = doc.agencies[0].name if doc.issuers else (doc.owner.name if doc.owner else "")
    return Entry(doc.title, "document", doc.slug, published, owner, doc.doc_number)


def _entry_of_page(page: InfoPage) -> Entry:
    return Entry(page.title, "page", page.slug, page.published_on, page.agency.name if page.agency else "")


def counts(sess: Session) -> dict[str, int]:
    """Public documents plus information pages per category slug (two grouped queries)."""
    out: dict[str, int] = {}
    docs = public_documents().with_only_columns(Document.disclosure_category, func.count(Document.id))
    for slug, n in sess.execute(docs.group_by(Document.disclosure_category)):
        out[slug] = out.get(slug, 0) + int(n)
    for slug, n in sess.execute(
        select(InfoPage.category, func.count(InfoPage.id)).group_by(InfoPage.category)
    ):
        out[slug] = out.get(slug, 0) + int(n)
    return out


def section_counts(sess: Session) -> list[SectionCount]:
    n = counts(sess)
    return [SectionCount(c, n.get(c.slug, 0)) for c in sections(sess)]


def empty_sections(sess: Session) -> list[Category]:
    """Sections of 法定主动公开内容 with nothing public in them (NORMS 2, 44: an empty column is a fault)."""
    return [s.category for s in section_counts(sess) if s.count == 0]


@dataclass
class Listing:
    category: Category
    entries: list[Entry]
    page: int
    pages: int
    total: int


def listing(sess: Session, category: Category, page: int = 1) -> Listing:
    """One category's public documents and information pages, newest first, a page at a time.

    Both kinds are merged by date in Python: a category holds at most some thousands of items and the
    date and title are all a line needs, so the two queries load only those columns' rows."""
    docs = _public(sess, Document.disclosure_category == category.slug)
    pages = sess.scalars(select(InfoPage).where(InfoPage.category == category.slug)).all()
    entries = [_entry_of_document(d) for d in docs] + [_entry_of_page(p) for p in pages]
    entries.sort(key=lambda e: (e.published_on or date.min, e.title), reverse=True)
    total = len(entries)
    page_count = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), page_count)
    return Listing(category, entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], page, page_count, total)


def category(sess: Session, slug: str) -> Category | None:
    """A section of 法定主动公开内容 by slug (the 制度 category has its own page)."""
    found = lookup(sess, slug)
    return found if found is not None and found.slug == slug and found.kind != "rules" else None


def rules(sess: Session) -> list[Entry]:
    """制度: the disclosure rules documents, newest first."""
    first = listing(sess, RULES, 1)
    out = list(first.entries)
    for page in range(2, first.pages + 1):
        out += listing(sess, RULES, page).entries
    return out


@dataclass
class ReportYear:
    year: int
    entries: list[Entry] = field(default_factory=list)


def report_year(doc: Document) -> int | None:
    """The year a report covers: the year its title names (2020年…年度报告, published in 2021), else the
    year before its publication (reports come out by 31 March of the next year, NORMS 37)."""
    found = YEAR_RE.search(doc.title)
    if found:
        return int(found.group(1))
    return local_day(doc.published_at).year - 1 if doc.published_at else None


def annual_reports(sess: Session) -> list[ReportYear]:
    """年报: the published annual-report documents grouped by the year they cover, newest year first;
    the district's own report first within a year, then departments and streets by name."""
    docs = _public(sess, Document.genre == ANNUAL_REPORT_GENRE)
    years: dict[int, ReportYear] = {}
    for doc in docs:
        year = report_year(doc)
        if year is None:
            continue
        years.setdefault(year, ReportYear(year)).entries.append(_entry_of_document(doc))
    for ry in years.values():
        ry.entries.sort(key=lambda e: ("人民政府" not in e.agency or "办公室" in e.agency, e.agency, e.title))
    return [years[y] for y in sorted(years, reverse=True)]


@dataclass
class GuideOffice:
    agency: Agency
    fields: list[tuple[str, str]]  # label, value ("" when blank)


def guide_offices(sess: Session) -> list[GuideOffice]:
    return [
        GuideOffice(
            a, [(label, getattr(a, name) or "") for name, label in office_service.OFFICE_FIELDS.items()]
        )
        for a in office_service.offices(sess)
    ]


def info_page(sess: Session, slug: str) -> InfoPage | None:
    return sess.scalars(select(InfoPage).where(InfoPage.slug == slug)).first()


def info_pages(sess: Session) -> list[InfoPage]:
    return list(sess.scalars(select(InfoPage).order_by(InfoPage.id)))


def category_of(sess: Session, page: InfoPage) -> Category | None:
    return lookup(sess, page.category)

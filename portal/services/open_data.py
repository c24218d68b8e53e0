"""Read side of the open-data API and the bulk files: every public type, filtered and paged in SQL.

Each area's service owns what "public" means (``policies.queries.public_documents``,
``consultations.public_consultations``, ``meetings.public_meetings_query``, ``gazette.public_issues_query``,
the enquiry board); this module only adds the filters the API offers and the per-year selections of the
bulk files on top of those, so the API never sees a row the pages would not show.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, extract, select
from sqlalchemy.orm import Session, selectinload

from portal.models import Agency, Consultation, Enquiry, GazetteIssue, Meeting
from portal.services import consultations, gazette, meetings
from portal.services.consultations import report as consultation_report
from portal.services.enquiries import pages as enquiry_pages
from portal.services.staff_lists import Page, paginate

PAGE_SIZE = 20


def _agency_ids(slug: str) -> Select[Any]:
    return select(Agency.id).where(Agency.slug == slug)


# -- consultations ---------------------------------------------------------------------------------


def consultations_page(sess: Session, agency: str = "", year: int | None = None, page: int = 1) -> Page:
    """Public consultations, newest opening first, by agency and by the year they opened."""
    stmt = consultations.public_consultations()
    if agency:
        stmt = stmt.where(Consultation.agency_id.in_(_agency_ids(agency)))
    if year:
        stmt = stmt.where(extract("year", Consultation.opens_on) == year)
    return paginate(
        sess, stmt.order_by(Consultation.opens_on.desc(), Consultation.id.desc()), page, PAGE_SIZE
    )


@dataclass
class ConsultationRecord:
    """A consultation with what its public pages show: published comments (authors' consent given) and,
    once published, the feedback report."""

    consultation: Consultation
    shown: consultations.ShownComments
    report: consultation_report.FeedbackReport | None


def consultation_record(sess: Session, slug: str) -> ConsultationRecord | None:
    found = consultations.public_consultation(sess, slug)
    if found is None:
        return None
    return _record(sess, found)


def _record(sess: Session, found: Consultation) -> ConsultationRecord:
    report = consultation_report.build_report(sess, found) if found.status == "reported" else None
    return ConsultationRecord(found, consultations.shown_comments(sess, found), report)


# -- gazette, meetings, enquiries ------------------------------------------------------------------


def gazette_page(sess: Session, year: int | None = None, page: int = 1) -> Page:
    stmt = gazette.public_issues_query()
    if year:
        stmt = stmt.where(GazetteIssue.year == year)
    return paginate(
        sess, stmt.order_by(GazetteIssue.year.desc(), GazetteIssue.number.desc()), page, PAGE_SIZE
    )


def meetings_page(sess: Session, agency: str = "", year: int | None = None, page: int = 1) -> Page:
    stmt = meetings.public_meetings_query()
    if agency:
        stmt = stmt.where(Meeting.agency_id.in_(_agency_ids(agency)))
    if year:
        stmt = stmt.where(Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= date(year, 12, 31))
    return paginate(sess, stmt.order_by(Meeting.held_on.desc(), Meeting.id.desc()), page, PAGE_SIZE)


def enquiries_page(
    sess: Session, agency: str = "", topic: str = "", year: int | None = None, q: str = "", page: int = 1
) -> Page:
    """The public board of answered, published messages (what /enquiries/ lists)."""
    board = enquiry_pages.board(sess, agency=agency, topic=topic, year=year, q=q, page=page)
    return Page(items=board.items, page=board.page, pages=board.pages, total=board.total)


# -- bulk files: every public item of one type and one year ----------------------------------------

BULK_TYPES = ("documents", "interpretations", "consultations", "gazette", "meetings", "enquiries")
# Dated by a publication time: their year is the local year of that moment, and their records are built
# from their pages' builders (:mod:`portal.services.policies.document_page`, :mod:`.interpretation_page`),
# not from here.
FROM_PAGES = ("documents", "interpretations")


def _date_column(kind: str) -> tuple[Select[Any], Any]:
    """The public items of a type dated by a calendar day, and that day's column."""
    if kind == "consultations":
        return consultations.public_consultations(), Consultation.opens_on
    if kind == "gazette":
        return gazette.public_issues_query(), GazetteIssue.published_on
    if kind == "meetings":
        return meetings.public_meetings_query(), Meeting.held_on
    if kind == "enquiries":
        return enquiry_pages.published_query(), Enquiry.received_on
    if kind in FROM_PAGES:
        raise ValueError(f"{kind} are built from their pages' data")
    raise ValueError(f"unknown bulk type {kind!r}")


def bulk_years(sess: Session, kind: str) -> list[int]:
    """The years that have public items of a type dated by a calendar day, newest first."""
    stmt, column = _date_column(kind)
    year = extract("year", column)
    rows = sess.scalars(
        stmt.with_only_columns(year).where(column.is_not(None)).group_by(year).order_by(year.desc())
    )
    return [int(y) for y in rows if y is not None]


def bulk_items(sess: Session, kind: str, year: int) -> Iterator[Any]:
    """The public items of ``kind`` dated in ``year``, oldest first (a file that grows at its end), with
    the relations the API's detail records need loaded up front. Consultations come as
    :class:`ConsultationRecord`."""
    stmt, column = _date_column(kind)
    stmt = stmt.where(extract("year", column) == year).order_by(column, _id_of(kind))
    if kind == "consultations":
        stmt = stmt.options(selectinload(Consultation.clauses), selectinload(Consultation.viewpoints))
    elif kind == "gazette":
        stmt = stmt.options(selectinload(GazetteIssue.entries))
    for item in sess.scalars(stmt):
        yield _record(sess, item) if kind == "consultations" else item


def _id_of(kind: str) -> Any:
    return {
        "consultations": Consultation.id,
        "gazette": GazetteIssue.id,
        "meetings": Meeting.id,
        "enquiries": Enquiry.id,
    }[kind]

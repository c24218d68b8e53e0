"""Read side of the government gazette: issues by year and an issue's table of contents.

Only published issues are shown, and inside them only documents the public may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from portal.models import Document, GazetteEntry, GazetteIssue
from portal.services import forwarding


def public_issues_query() -> Select[Any]:
    """Published issues (drafts and withdrawn issues are never listed)."""
    return select(GazetteIssue).where(GazetteIssue.status == "published")


def public_issues(sess: Session) -> list[tuple[int, list[GazetteIssue]]]:
    """Published issues grouped by year, newest year and issue first."""
    issues = sess.scalars(
        public_issues_query().order_by(GazetteIssue.year.desc(), GazetteIssue.number.desc())
    ).all()
    return [(year, list(group)) for year, group in groupby(issues, key=lambda i: i.year)]


@dataclass
class TocSection:
    category: str
    documents: list[Document]


def public_issue(sess: Session, year: int, number: int) -> tuple[GazetteIssue, list[TocSection]] | None:
    """An issue and its table of contents by category, in printed order, public documents only."""
    issue = sess.scalars(
        select(GazetteIssue)
        .where(GazetteIssue.year == year, GazetteIssue.number == number, GazetteIssue.status == "published")
        .options(selectinload(GazetteIssue.entries).selectinload(GazetteEntry.document))
    ).first()
    if issue is None:
        return None
    sections = toc(issue)
    # The list entries' 转发 badge reads reposted_from: set here, so that rendering loads nothing.
    docs = [doc for section in sections for doc in section.documents]
    forwarding.mark_reposted(sess, docs, current_app.extensions["settings"].site_name)
    return issue, sections


def toc(issue: GazetteIssue) -> list[TocSection]:
    """An issue's table of contents by category, in printed order, public documents only."""
    sections: list[TocSection] = []
    for entry in issue.entries:
        if not entry.document.is_public:
            continue
        if not sections or sections[-1].category != entry.category:
            sections.append(TocSection(entry.category, []))
        sections[-1].documents.append(entry.document)
    return sections


def issues_of_document(sess: Session, document_id: int) -> list[GazetteIssue]:
    """The published issues a document appeared in (usually one)."""
    return list(
        sess.scalars(
            select(GazetteIssue)
            .join(GazetteEntry, GazetteEntry.issue_id == GazetteIssue.id)
            .where(GazetteEntry.document_id == document_id, GazetteIssue.status == "published")
            .order_by(GazetteIssue.published_on)
        )
    )


def withdrawn_issue(sess: Session, year: int, number: int) -> GazetteIssue | None:
    """An issue that was public and has been withdrawn (its address answers 410 with the reason)."""
    return sess.scalars(
        select(GazetteIssue).where(
            GazetteIssue.year == year,
            GazetteIssue.number == number,
            GazetteIssue.status == "withdrawn",
            GazetteIssue.published_at.is_not(None),
        )
    ).first()

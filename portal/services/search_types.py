"""The built-in searchable types: documents, interpretations (questions and answers), gazette issues, meetings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.clock import local_day
from portal.models import Document, GazetteEntry, GazetteIssue, Interpretation, Meeting, QAItem
from portal.search.registry import SearchableType, SearchDoc, register_type
from portal.search.text import html_to_text
from portal.services.policies.queries import public_documents, public_interpretations

CHUNK = 500
INTERPRETATION_LABEL = "政策解读"


def _chunks(ids: Sequence[int] | None) -> Iterable[Sequence[int] | None]:
    if ids is None:
        yield None
        return
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _local_date(value: datetime | None) -> date | None:
    return local_day(value) if value else None


def document_docs(sess: Session, ids: Sequence[int] | None) -> Iterable[SearchDoc]:
    for chunk in _chunks(ids):
        stmt = public_documents().order_by(Document.id)
        if chunk is not None:
            stmt = stmt.where(Document.id.in_(chunk))
        # Streamed in batches: a rebuild of 50,000 documents must not hold them all in memory.
        for doc in sess.scalars(stmt.execution_options(yield_per=CHUNK)):
            yield SearchDoc(
                type="document",
                id=doc.id,
                title=doc.title,
                url=f"/policies/{doc.slug}/",
                date=_local_date(doc.published_at),
                doc_number=doc.doc_number,
                body=html_to_text(doc.body_html),
                agencies=[a.slug for a in doc.agencies],
                topics=[t.name for t in doc.topics],
                validity=doc.validity,
            )


def document_dependents(sess: Session, ids: Sequence[int]) -> Iterable[tuple[str, Sequence[int]]]:
    """A document's interpretations are public only while it is, and show its agency."""
    interps = sess.scalars(select(Interpretation.id).where(Interpretation.document_id.in_(ids))).all()
    issues = sess.scalars(select(GazetteEntry.issue_id).where(GazetteEntry.document_id.in_(ids))).all()
    return [("interpretation", interps), ("gazette", sorted(set(issues)))]


def document_passages(sess: Session, ids: Sequence[int]) -> dict[int, str]:
    stmt = public_documents().with_only_columns(Document.id, Document.body_html).where(Document.id.in_(ids))
    return {item_id: html_to_text(html) for item_id, html in sess.execute(stmt)}


def interpretation_passages(sess: Session, ids: Sequence[int]) -> dict[int, str]:
    """Questions first, then the body and the answers, as the index reads them."""
    stmt = (
        public_interpretations()
        .with_only_columns(Interpretation.id, Interpretation.body_html)
        .where(Interpretation.id.in_(ids))
    )
    bodies = dict(sess.execute(stmt).all())
    questions: dict[int, list[str]] = {i: [] for i in bodies}
    answers: dict[int, list[str]] = {i: [] for i in bodies}
    items = (
        select(QAItem.interpretation_id, QAItem.question, QAItem.answer_html)
        .where(QAItem.interpretation_id.in_(list(bodies)))
        .order_by(QAItem.position, QAItem.id)
    )
    for item_id, question, answer in sess.execute(items):
        questions[item_id].append(question)
        answers[item_id].append(html_to_text(answer))
    return {
        i: "\n".join(filter(None, ["\n".join(questions[i]), html_to_text(html), *answers[i]]))
        for i, html in bodies.items()
    }


def interpretation_docs(sess: Session, ids: Sequence[int] | None) -> Iterable[SearchDoc]:
    for chunk in _chunks(ids):
        stmt = (
            public_interpretations()
            .options(
                selectinload(Interpretation.items),
                selectinload(Interpretation.agency),
                selectinload(Interpretation.document).selectinload(Document.topics),
            )
            .order_by(Interpretation.id)
        )
        if chunk is not None:
            stmt = stmt.where(Interpretation.id.in_(chunk))
        for interp in sess.scalars(stmt.execution_options(yield_per=CHUNK)):
            doc = interp.document
            answers = "\n".join(html_to_text(item.answer_html) for item in interp.items)
            yield SearchDoc(
                type="interpretation",
                id=interp.id,
                title=interp.title,
                url=f"/interpretations/{interp.slug}/",
                date=_local_date(interp.published_at),
                body="\n".join(filter(None, [html_to_text(interp.body_html), answers])),
                questions="\n".join(item.question for item in interp.items),
                # Found by its document's 文号 and by what it is: 西政发〔2020〕4号 政策解读.
                keywords=" ".join(filter(None, [doc.doc_number, INTERPRETATION_LABEL])),
                agencies=[interp.agency.slug] if interp.agency else [a.slug for a in doc.agencies],
                topics=[t.name for t in doc.topics],
            )


def gazette_docs(sess: Session, ids: Sequence[int] | None) -> Iterable[SearchDoc]:
    """An issue is found by its name and the titles and numbers of the documents in it."""
    for chunk in _chunks(ids):
        stmt = (
            select(GazetteIssue)
            .where(GazetteIssue.status == "published")
            .options(selectinload(GazetteIssue.entries))
            .order_by(GazetteIssue.id)
        )
        if chunk is not None:
            stmt = stmt.where(GazetteIssue.id.in_(chunk))
        for issue in sess.scalars(stmt):
            public = [e for e in issue.entries if e.document.is_public]
            lines = [f"{e.category} {e.document.title} {e.document.doc_number}" for e in public]
            yield SearchDoc(
                type="gazette",
                id=issue.id,
                title=issue.title,
                url=f"/gazette/{issue.year}/{issue.number}/",
                date=issue.published_on,
                body="\n".join(lines),
            )


def meeting_docs(sess: Session, ids: Sequence[int] | None) -> Iterable[SearchDoc]:
    """Open meetings that took place (those /meetings/<slug>/ shows), found by title and minutes."""
    for chunk in _chunks(ids):
        stmt = (
            select(Meeting)
            .where(Meeting.is_open.is_(True), Meeting.cancelled.is_(False))
            .order_by(Meeting.id)
        )
        if chunk is not None:
            stmt = stmt.where(Meeting.id.in_(chunk))
        for meeting in sess.scalars(stmt):
            yield SearchDoc(
                type="meeting",
                id=meeting.id,
                title=meeting.title,
                url=f"/meetings/{meeting.slug}/",
                date=meeting.held_on,
                body=html_to_text(meeting.minutes_html),
                agencies=[meeting.agency.slug],
            )


def register_builtin_types() -> None:
    register_type(
        SearchableType(
            "document", "政策文件", Document, document_docs, document_dependents, passages=document_passages
        )
    )
    register_type(
        SearchableType(
            "interpretation",
            INTERPRETATION_LABEL,
            Interpretation,
            interpretation_docs,
            passages=interpretation_passages,
        )
    )
    register_type(SearchableType("gazette", "政府公报", GazetteIssue, gazette_docs))
    register_type(SearchableType("meeting", "会议开放", Meeting, meeting_docs))

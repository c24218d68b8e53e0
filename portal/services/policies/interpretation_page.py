"""The data of an interpretation page (/interpretations/<slug>/, 解读), for one interpretation (the view,
the API record) or a few hundred at a time (the static export, the bulk files of /data/): one builder, so
the page, the record and the bulk row give the same data by construction.

One query answers for any number of interpretations: the interpretation's columns, the interpreted
document's slug, title and 文号, and as JSON arrays (:mod:`.json_rows`) its Q&A items and 更新记录 and the
document's issuers and topics. The agencies come from the per-app agency map of :mod:`.document_page`.
Templates get plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from portal.models import Document, Interpretation, QAItem
from portal.services.policies.document_page import (
    AgencyRef,
    TopicRef,
    VersionRow,
    agencies,
    issuer_rows,
    topic_rows,
    version_rows,
)
from portal.services.policies.json_rows import PreparedLookup, json_rows, utc
from portal.services.policies.queries import public_interpretations


@dataclass(frozen=True)
class QARow:
    question: str
    answer_html: str


@dataclass(frozen=True)
class InterpretedDocument:
    """The document an interpretation explains, as its page names and links it (the issuers and topics
    go into the page's meta tags, :mod:`portal.services.compliance.site_meta`)."""

    slug: str
    title: str
    doc_number: str
    agencies: list[AgencyRef]
    topics: list[TopicRef]


@dataclass
class PublicInterpretation:
    """A public interpretation as its page shows it (the names of :class:`portal.models.Interpretation`)."""

    id: int
    slug: str
    title: str
    form: str
    interpreter: str
    agency: AgencyRef | None
    published_at: datetime | None
    body_html: str
    media_url: str
    items: list[QARow]
    document: InterpretedDocument


@dataclass
class InterpretationPage:
    interp: PublicInterpretation
    versions: list[VersionRow]
    attachments: list[Any] = field(default_factory=list)  # an interpretation has none; the shared part asks

    @property
    def doc(self) -> InterpretedDocument:
        return self.interp.document

    def context(self) -> dict[str, Any]:
        """What ``policies/interpretation.html`` is rendered with."""
        return {
            "interp": self.interp,
            "doc": self.doc,
            "versions": self.versions,
            "attachments": self.attachments,
        }


def _statement(pg: bool) -> Any:
    lists = {
        "qa": json_rows(
            pg,
            {
                "id": QAItem.id,
                "position": QAItem.position,
                "question": QAItem.question,
                "answer_html": QAItem.answer_html,
            },
            QAItem,
            QAItem.interpretation_id == Interpretation.id,
        ),
        "issuers": issuer_rows(pg),
        "topics": topic_rows(pg),
        "versions": version_rows(pg, "interpretation", Interpretation.id),
    }
    # public_interpretations() says what is public (published, of a public document) and joins the document.
    return public_interpretations().with_only_columns(
        Interpretation.id,
        Interpretation.slug,
        Interpretation.title,
        Interpretation.form,
        Interpretation.interpreter,
        Interpretation.agency_id,
        Interpretation.published_at,
        Interpretation.body_html,
        Interpretation.media_url,
        Document.slug.label("doc_slug"),
        Document.title.label("doc_title"),
        Document.doc_number.label("doc_number"),
        *(value.label(key) for key, value in lists.items()),
    )


def _page(row: Any, by_id: dict[int, AgencyRef]) -> InterpretationPage:
    interp = PublicInterpretation(
        id=row.id,
        slug=row.slug,
        title=row.title,
        form=row.form,
        interpreter=row.interpreter,
        agency=by_id.get(row.agency_id) if row.agency_id is not None else None,
        published_at=row.published_at,
        body_html=row.body_html,
        media_url=row.media_url,
        items=[
            QARow(i["question"], i["answer_html"])
            for i in sorted(row.qa, key=lambda i: (i["position"], i["id"]))
        ],
        document=InterpretedDocument(
            row.doc_slug,
            row.doc_title,
            row.doc_number,
            [by_id[i["agency_id"]] for i in sorted(row.issuers, key=lambda i: i["position"])],
            [TopicRef(t["name"]) for t in sorted(row.topics, key=lambda t: t["name"])],
        ),
    )
    versions = [
        VersionRow(v["number"], v["change_note"], utc(v["created_at"]) or datetime.min.replace(tzinfo=UTC))
        for v in sorted(row.versions, key=lambda v: -v["number"])
    ]
    return InterpretationPage(interp, versions)


_LOOKUP = PreparedLookup(_statement, Interpretation)


def _pages(sess: Session, rows: Sequence[Row[Any]]) -> list[InterpretationPage]:
    by_id = agencies(sess)
    return [_page(row, by_id) for row in rows]


def interpretation_page(sess: Session, slug: str) -> InterpretationPage | None:
    """The page of the public interpretation ``slug``, or None."""
    found = _pages(sess, _LOOKUP.by_slug(sess, slug))
    return found[0] if found else None


def interpretation_pages(sess: Session, ids: Iterable[int]) -> list[InterpretationPage]:
    """The pages of these public interpretations (the others are left out), by id."""
    return _pages(sess, _LOOKUP.by_ids(sess, list(ids)))

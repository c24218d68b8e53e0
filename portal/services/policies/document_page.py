"""The data of a document page (/policies/<slug>/), for one document (the view, the API record) or a few
hundred at a time (the static export, the bulk files of /data/): the same builder, so the page, the record
and the bulk row give the same data by construction, and a field added here shows in all of them.

One query answers for any number of documents: the document's columns, and each list the page shows
(issuers, topics, measures, published interpretations, validity links, gazette issues, versions, public
attachments, consultations) as a JSON array from a correlated subquery. The agencies, which every page
names and which change rarely, come from a per-app map refreshed when the public-content stamp changes
(:mod:`portal.services.public_version`). Templates get plain data: nothing they read can query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import Row, and_, or_, select
from sqlalchemy.orm import Session, aliased

from portal.models import (
    Agency,
    Attachment,
    Document,
    DocumentAgency,
    DocumentLink,
    DocumentVersion,
    GazetteEntry,
    GazetteIssue,
    Interpretation,
    Measure,
    Topic,
)
from portal.models.consultations import Consultation
from portal.models.documents import document_topic
from portal.services import forwarding, public_version
from portal.services.policies.json_rows import PreparedLookup, json_rows, json_value, utc


@dataclass
class AgencyRef:
    id: int
    slug: str
    name: str
    parent: AgencyRef | None = None


@dataclass(frozen=True)
class TopicRef:
    name: str


@dataclass(frozen=True)
class MeasureRow:
    no: str
    text: str
    units: list[str]
    lead: list[str]
    status: str
    others: list[str]  # the responsible units that do not lead (负责落实), worked out once here


@dataclass
class PublicDocument:
    """A public document as its page shows it (the names of :class:`portal.models.Document`)."""

    id: int
    slug: str
    index_no: str
    title: str
    doc_number: str
    written_on: date | None
    published_at: datetime | None
    genre: str
    normative: bool
    registration_no: str
    validity: str
    disclosure: str
    body_html: str
    source: str
    owner: AgencyRef | None
    agencies: list[AgencyRef]
    topics: list[TopicRef]
    measures: list[MeasureRow]
    reposted_from: list[AgencyRef]  # the issuers of a reposted document (转发), else []
    status: str = "published"
    is_public: bool = True


@dataclass(frozen=True)
class DocRef:
    slug: str
    title: str


@dataclass(frozen=True)
class InterpretationRef:
    slug: str
    title: str
    form: str
    published_at: datetime | None


@dataclass(frozen=True)
class IssueRef:
    year: int
    number: int
    title: str


@dataclass(frozen=True)
class VersionRow:
    number: int
    change_note: str
    created_at: datetime


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    filename: str
    size: int
    kind: str
    content_type: str
    sha256: str


@dataclass(frozen=True)
class ConsultationRef:
    slug: str
    title: str
    status: str
    final_document_id: int | None


@dataclass
class DocumentPage:
    doc: PublicDocument
    interpretations: list[InterpretationRef]
    links: dict[str, list[Any]]  # by / of: [(kind, DocRef)]; gazette: [IssueRef]
    versions: list[VersionRow]
    attachments: list[AttachmentRow]
    consultations: list[ConsultationRef] = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        """What ``policies/document.html`` is rendered with."""
        return {
            "doc": self.doc,
            "interpretations": self.interpretations,
            "links": self.links,
            "versions": self.versions,
            "attachments": self.attachments,
            "consultations": self.consultations,
        }


def agencies(sess: Session) -> dict[int, AgencyRef]:
    """Every agency by id, with its parent: kept per app until public content changes."""
    stamp = public_version.current()
    cached = current_app.extensions.get("policies.agencies")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rows = sess.execute(select(Agency.id, Agency.slug, Agency.name, Agency.parent_id)).all()
    found = {row.id: AgencyRef(row.id, row.slug, row.name) for row in rows}
    for row in rows:
        if row.parent_id is not None:
            found[row.id].parent = found.get(row.parent_id)
    current_app.extensions["policies.agencies"] = (stamp, found)
    return found


# The lists a document's page and its interpretation's page both show, for the row's Document.
def issuer_rows(pg: bool) -> Any:
    """发文机关 in signing order (``position``), as agency ids."""
    return json_rows(
        pg,
        {"agency_id": DocumentAgency.agency_id, "position": DocumentAgency.position},
        DocumentAgency,
        DocumentAgency.document_id == Document.id,
    )


def topic_rows(pg: bool) -> Any:
    return json_rows(
        pg,
        {"name": Topic.name},
        document_topic.join(Topic, Topic.id == document_topic.c.topic_id),
        document_topic.c.document_id == Document.id,
    )


def version_rows(pg: bool, item_type: str, item_id: Any) -> Any:
    """The saved versions of an item (a document or an interpretation) whose id is ``item_id``."""
    return json_rows(
        pg,
        {
            "number": DocumentVersion.number,
            "change_note": DocumentVersion.change_note,
            "created_at": DocumentVersion.created_at,
        },
        DocumentVersion,
        DocumentVersion.item_type == item_type,
        DocumentVersion.item_id == item_id,
    )


def _statement(pg: bool) -> Any:
    other = aliased(Document)
    public_other = and_(other.status == "published", other.disclosure == "active")
    lists = {
        "issuers": issuer_rows(pg),
        "topics": topic_rows(pg),
        "measures": json_rows(
            pg,
            {
                "position": Measure.position,
                "id": Measure.id,
                "no": Measure.no,
                "text": Measure.text,
                "units": json_value(pg, Measure.units),
                "lead": json_value(pg, Measure.lead),
                "status": Measure.status,
            },
            Measure,
            Measure.document_id == Document.id,
        ),
        "interpretations": json_rows(
            pg,
            {
                "id": Interpretation.id,
                "slug": Interpretation.slug,
                "title": Interpretation.title,
                "form": Interpretation.form,
                "published_at": Interpretation.published_at,
            },
            Interpretation,
            Interpretation.document_id == Document.id,
            Interpretation.status == "published",
        ),
        "by": json_rows(
            pg,
            {"id": DocumentLink.id, "kind": DocumentLink.kind, "slug": other.slug, "title": other.title},
            DocumentLink.__table__.join(other, other.id == DocumentLink.source_id),
            DocumentLink.target_id == Document.id,
            public_other,
        ),
        "of": json_rows(
            pg,
            {"id": DocumentLink.id, "kind": DocumentLink.kind, "slug": other.slug, "title": other.title},
            DocumentLink.__table__.join(other, other.id == DocumentLink.target_id),
            DocumentLink.source_id == Document.id,
            public_other,
        ),
        "gazette": json_rows(
            pg,
            {
                "year": GazetteIssue.year,
                "number": GazetteIssue.number,
                "running_number": GazetteIssue.running_number,
                "custom_title": GazetteIssue.custom_title,
                "published_on": GazetteIssue.published_on,
            },
            GazetteEntry.__table__.join(GazetteIssue, GazetteIssue.id == GazetteEntry.issue_id),
            GazetteEntry.document_id == Document.id,
            GazetteIssue.status == "published",
        ),
        "versions": version_rows(pg, "document", Document.id),
        "attachments": json_rows(
            pg,
            {
                "id": Attachment.id,
                "position": Attachment.position,
                "filename": Attachment.filename,
                "size": Attachment.size,
                "kind": Attachment.kind,
                "content_type": Attachment.content_type,
                "sha256": Attachment.sha256,
            },
            Attachment,
            Attachment.document_id == Document.id,
            Attachment.public.is_(True),
        ),
        "consultations": json_rows(
            pg,
            {
                "id": Consultation.id,
                "slug": Consultation.slug,
                "title": Consultation.title,
                "status": Consultation.status,
                "final_document_id": Consultation.final_document_id,
                "opens_on": Consultation.opens_on,
            },
            Consultation,
            Consultation.status != "draft",
            or_(Consultation.final_document_id == Document.id, Consultation.draft_document_id == Document.id),
        ),
    }
    columns = [
        Document.id,
        Document.slug,
        Document.index_no,
        Document.title,
        Document.doc_number,
        Document.written_on,
        Document.published_at,
        Document.genre,
        Document.normative,
        Document.registration_no,
        Document.validity,
        Document.disclosure,
        Document.body_html,
        Document.source,
        Document.owner_id,
    ]
    return select(*columns, *(value.label(key) for key, value in lists.items())).where(
        Document.status == "published", Document.disclosure == "active"
    )


def _issue_title(item: dict[str, Any]) -> str:
    # The model's own title rule, on a transient issue that is never added to a session.
    return GazetteIssue(
        year=item["year"],
        number=item["number"],
        running_number=item["running_number"],
        custom_title=item["custom_title"] or "",
    ).title


def _measure(m: dict[str, Any]) -> MeasureRow:
    units, lead = m["units"] or [], m["lead"] or []
    return MeasureRow(m["no"], m["text"], units, lead, m["status"], [u for u in units if u not in lead])


def _page(row: Any, by_id: dict[int, AgencyRef], site_name: str) -> DocumentPage:
    issuers = [by_id[i["agency_id"]] for i in sorted(row.issuers, key=lambda i: i["position"])]
    measures = sorted(row.measures, key=lambda m: (m["position"], m["id"]))
    doc = PublicDocument(
        id=row.id,
        slug=row.slug,
        index_no=row.index_no,
        title=row.title,
        doc_number=row.doc_number,
        written_on=row.written_on,
        published_at=row.published_at,
        genre=row.genre,
        normative=bool(row.normative),
        registration_no=row.registration_no,
        validity=row.validity,
        disclosure=row.disclosure,
        body_html=row.body_html,
        source=row.source,
        owner=by_id.get(row.owner_id) if row.owner_id is not None else None,
        agencies=issuers,
        topics=[TopicRef(t["name"]) for t in sorted(row.topics, key=lambda t: t["name"])],
        measures=[_measure(m) for m in measures],
        reposted_from=forwarding.outside(issuers, site_name),
    )
    links: dict[str, list[Any]] = {
        "by": [(k["kind"], DocRef(k["slug"], k["title"])) for k in sorted(row.by, key=lambda k: k["id"])],
        "of": [(k["kind"], DocRef(k["slug"], k["title"])) for k in sorted(row.of, key=lambda k: k["id"])],
        "gazette": [
            IssueRef(g["year"], g["number"], _issue_title(g))
            for g in sorted(row.gazette, key=lambda g: str(g["published_on"]))
        ],
    }
    return DocumentPage(
        doc=doc,
        interpretations=[
            InterpretationRef(i["slug"], i["title"], i["form"], utc(i["published_at"]))
            for i in sorted(row.interpretations, key=lambda i: i["id"])
        ],
        links=links,
        versions=[
            VersionRow(
                v["number"], v["change_note"], utc(v["created_at"]) or datetime.min.replace(tzinfo=UTC)
            )
            for v in sorted(row.versions, key=lambda v: -v["number"])
        ],
        attachments=[
            AttachmentRow(a["id"], a["filename"], a["size"], a["kind"], a["content_type"], a["sha256"])
            for a in sorted(row.attachments, key=lambda a: (a["position"], a["id"]))
        ],
        consultations=[
            ConsultationRef(c["slug"], c["title"], c["status"], c["final_document_id"])
            for c in sorted(row.consultations, key=lambda c: (str(c["opens_on"]), c["id"]), reverse=True)
        ],
    )


_LOOKUP = PreparedLookup(_statement, Document)


def _pages(sess: Session, rows: Sequence[Row[Any]]) -> list[DocumentPage]:
    by_id = agencies(sess)
    site_name = current_app.extensions["settings"].site_name
    return [_page(row, by_id, site_name) for row in rows]


def document_page(sess: Session, slug: str) -> DocumentPage | None:
    """The page of the public document ``slug``, or None."""
    found = _pages(sess, _LOOKUP.by_slug(sess, slug))
    return found[0] if found else None


def document_pages(sess: Session, ids: Iterable[int]) -> list[DocumentPage]:
    """The pages of these public documents (the others are left out), by id."""
    return _pages(sess, _LOOKUP.by_ids(sess, list(ids)))

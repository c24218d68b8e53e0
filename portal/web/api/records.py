"""Public records of each type, as the API and the bulk files give them (dicts the models of
:mod:`portal.web.api.schemas` validate). Items come from the services' public read functions; this module
only picks fields and builds links, so the detail endpoint and a bulk file's row are the same record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from flask import url_for

from portal.models import Consultation, Document, Enquiry, GazetteIssue, Meeting
from portal.models.meetings import INVITED_GROUPS
from portal.services import consultations, gazette
from portal.services.open_data import ConsultationRecord
from portal.services.policies.document_page import DocumentPage
from portal.services.policies.interpretation_page import InterpretationPage
from portal.services.targets import TargetResult
from portal.web.gazette import pdf_filename
from portal.web.templating import iso_date


def _date(value: Any) -> str | None:
    return iso_date(value) or None


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class _Item(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...


class DocumentFields(_Item, Protocol):
    """What a document's summary reads: the read model of its page (:class:`PublicDocument`), or in the
    listing the model itself (the names are the same)."""

    @property
    def index_no(self) -> str: ...
    @property
    def doc_number(self) -> str: ...
    @property
    def agencies(self) -> Sequence[_Named]: ...
    @property
    def owner(self) -> _Named | None: ...
    @property
    def written_on(self) -> date | None: ...
    @property
    def published_at(self) -> datetime | None: ...
    @property
    def genre(self) -> str: ...
    @property
    def topics(self) -> Sequence[_Named]: ...
    @property
    def normative(self) -> bool: ...
    @property
    def registration_no(self) -> str: ...
    @property
    def validity(self) -> str: ...
    @property
    def disclosure(self) -> str: ...


class InterpretationFields(_Item, Protocol):
    @property
    def form(self) -> str: ...
    @property
    def published_at(self) -> datetime | None: ...


def doc_ref(doc: _Item) -> dict[str, Any]:
    return {
        "slug": doc.slug,
        "title": doc.title,
        "url": url_for("policies.document", slug=doc.slug, _external=True),
        "api_url": url_for("api.document", slug=doc.slug, _external=True),
    }


def document_summary(doc: DocumentFields) -> dict[str, Any]:
    issuers = [a.name for a in doc.agencies]
    return {
        "slug": doc.slug,
        "url": url_for("policies.document", slug=doc.slug, _external=True),
        "api_url": url_for("api.document", slug=doc.slug, _external=True),
        "title": doc.title,
        "index_no": doc.index_no,
        "doc_number": doc.doc_number,
        "agencies": issuers,  # kept for existing clients: the issuers
        "issuers": issuers,
        "owner": doc.owner.name if doc.owner else None,
        "written_on": _date(doc.written_on),
        "published_on": _date(doc.published_at),
        "genre": doc.genre,
        "topics": [t.name for t in doc.topics],
        "normative": doc.normative,
        "registration_no": doc.registration_no,
        "validity": doc.validity,
        "disclosure": doc.disclosure,
    }


class _Version(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def change_note(self) -> str: ...


def _versions(versions: Sequence[_Version]) -> list[dict[str, Any]]:
    return [
        {"number": v.number, "date": iso_date(v.created_at), "change_note": v.change_note} for v in versions
    ]


def interpretation_summary(interp: InterpretationFields) -> dict[str, Any]:
    return {
        "slug": interp.slug,
        "url": url_for("policies.interpretation", slug=interp.slug, _external=True),
        "api_url": url_for("api.interpretation", slug=interp.slug, _external=True),
        "title": interp.title,
        "form": interp.form,
        "published_on": _date(interp.published_at),
    }


def document_detail(page: DocumentPage) -> dict[str, Any]:
    """The detail record of a document, from the data of its page (:mod:`portal.services.policies.document_page`):
    the same builder for one record and for the bulk files, so the record and the page cannot disagree."""
    doc = page.doc
    return {
        **document_summary(doc),
        "source": doc.source,
        "body_html": doc.body_html,
        "measures": [
            {"no": m.no, "text": m.text, "lead": m.lead, "units": m.units, "status": m.status}
            for m in doc.measures
        ],
        "interpretations": [interpretation_summary(i) for i in page.interpretations],
        "amended_or_repealed_by": [{**doc_ref(d), "kind": k} for k, d in page.links["by"]],
        "amends_or_repeals": [{**doc_ref(d), "kind": k} for k, d in page.links["of"]],
        "versions": _versions(page.versions),
        "attachments": [
            {
                "filename": a.filename,
                "kind": a.kind,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "url": url_for(
                    "policies.attachment",
                    slug=doc.slug,
                    attachment_id=a.id,
                    filename=a.filename,
                    _external=True,
                ),
            }
            for a in page.attachments
        ],
        "gazette": [gazette_ref(issue) for issue in page.links["gazette"]],
        "consultations": [consultation_ref(c) for c in page.consultations],
    }


def interpretation_detail(page: InterpretationPage) -> dict[str, Any]:
    """The detail record of an interpretation, from the data of its page
    (:mod:`portal.services.policies.interpretation_page`), for one record and for the bulk files."""
    interp = page.interp
    return {
        **interpretation_summary(interp),
        "document": page.doc.slug,
        "document_ref": doc_ref(page.doc),
        "interpreter": interp.interpreter,
        "agency": interp.agency.name if interp.agency else None,
        "body_html": interp.body_html,
        "media_url": interp.media_url,
        "qa": [{"question": item.question, "answer_html": item.answer_html} for item in interp.items],
        "versions": _versions(page.versions),
    }


# -- consultations -----------------------------------------------------------------------------------


def consultation_ref(c: _Item) -> dict[str, Any]:
    return {
        "slug": c.slug,
        "title": c.title,
        "url": url_for("consultations.consultation", slug=c.slug, _external=True),
        "api_url": url_for("api.consultation", slug=c.slug, _external=True),
    }


def consultation_summary(c: Consultation, today: date | None = None) -> dict[str, Any]:
    return {
        "slug": c.slug,
        "url": url_for("consultations.consultation", slug=c.slug, _external=True),
        "api_url": url_for("api.consultation", slug=c.slug, _external=True),
        "title": c.title,
        "agency": c.agency.name,
        "kind": c.kind,
        "status": c.status,
        "phase": consultations.phase(c, today),
        "opens_on": iso_date(c.opens_on),
        "closes_on": iso_date(c.closes_on),
        "report_published_on": _date(c.report_published_at) if c.status == "reported" else None,
    }


def _public_doc_ref(doc: Document | None) -> dict[str, Any] | None:
    return doc_ref(doc) if doc is not None and doc.is_public else None


def consultation_detail(record: ConsultationRecord) -> dict[str, Any]:
    c, shown, report = record.consultation, record.shown, record.report
    comments = [(clause, comment) for clause, items in shown.by_clause for comment in items] + [
        (None, comment) for comment in shown.general
    ]
    out = {
        **consultation_summary(c),
        "basis_html": c.basis_html,
        "note_html": c.note_html,
        "short_period_reason": c.short_period_reason,
        "channels": {
            "online": c.accepts_online,
            "email": c.channel_email,
            "post": c.channel_post,
            "phone": c.channel_phone,
        },
        "clauses": [{"number": cl.number, "label": cl.label, "html": cl.html} for cl in c.clauses],
        # The page shows the name a commenter chose to give; open data never carries names (a bulk file
        # is copied and joined with other data where a page is not).
        "comments": [
            {
                "clause": clause.number if clause else None,
                "clause_label": clause.label if clause else "",
                "body": comment.body,
                "received_on": iso_date(comment.received_at),
            }
            for clause, comment in comments
        ],
        "draft_document": _public_doc_ref(c.draft_document),
        "final_document": _public_doc_ref(c.final_document),
        "report": None,
    }
    if report is not None:
        out["report"] = {
            "published_on": _date(c.report_published_at),
            "summary_html": c.report_html,
            "received": report.received,
            "by_channel": report.by_channel,
            "duplicates": report.duplicates,
            "rejected": [{"reason": reason, "count": n} for reason, n in report.rejected],
            "accepted": report.accepted,
            "adopted": report.adopted,
            "partly": report.partly,
            "not_adopted": report.not_adopted,
            "not_applicable": report.not_applicable,
            "viewpoints": [
                {"summary": vp.summary, "comments": n, "disposition": vp.disposition, "reason": vp.reason}
                for vp, n in report.viewpoints
            ],
            "answered": [
                {
                    "clause_label": comment.clause.label if comment.clause else "",
                    "body": comment.body if comment.is_shown else None,
                    "disposition": comment.disposition,
                    "reason": comment.disposition_reason,
                }
                for comment in report.answered
            ],
        }
    return out


# -- gazette, meetings, enquiries, targets -----------------------------------------------------------


class _Issue(Protocol):
    @property
    def year(self) -> int: ...
    @property
    def number(self) -> int: ...
    @property
    def title(self) -> str: ...


def gazette_ref(issue: _Issue) -> dict[str, Any]:
    return {
        "year": issue.year,
        "number": issue.number,
        "title": issue.title,
        "url": url_for("gazette.issue", year=issue.year, number=issue.number, _external=True),
        "api_url": url_for("api.gazette_issue", year=issue.year, number=issue.number, _external=True),
    }


def gazette_summary(issue: GazetteIssue) -> dict[str, Any]:
    pdf = None
    if issue.pdf_sha256:
        pdf = url_for(
            "gazette.pdf", year=issue.year, number=issue.number, filename=pdf_filename(issue), _external=True
        )
    elif issue.pdf_url:
        pdf = issue.pdf_url
    return {
        **gazette_ref(issue),
        "slug": issue.slug,
        "running_number": issue.running_number,
        "published_on": iso_date(issue.published_on),
        "pdf_url": pdf,
    }


def gazette_detail(issue: GazetteIssue, sections: list[gazette.TocSection] | None = None) -> dict[str, Any]:
    sections = gazette.toc(issue) if sections is None else sections
    return {
        **gazette_summary(issue),
        "sections": [
            {"category": s.category, "documents": [doc_ref(d) for d in s.documents]} for s in sections
        ],
    }


def meeting_summary(m: Meeting) -> dict[str, Any]:
    return {
        "slug": m.slug,
        "url": url_for("meetings.meeting", slug=m.slug, _external=True),
        "api_url": url_for("api.meeting", slug=m.slug, _external=True),
        "title": m.title,
        "agency": m.agency.name,
        "held_on": iso_date(m.held_on),
        "invited": [INVITED_GROUPS[g] for g in m.invited if g in INVITED_GROUPS],
        "stream_url": m.stream_url,
        "has_minutes": bool(m.minutes_html),
    }


def meeting_detail(m: Meeting) -> dict[str, Any]:
    return {**meeting_summary(m), "minutes_html": m.minutes_html}


def enquiry_summary(e: Enquiry) -> dict[str, Any]:
    return {
        "id": e.id,
        "url": url_for("enquiries.item", enquiry_id=e.id, _external=True),
        "api_url": url_for("api.enquiry", enquiry_id=e.id, _external=True),
        "kind": e.kind,
        "topic": e.topic,
        "subject": e.subject,
        "agency": e.agency.name,
        "received_on": iso_date(e.received_on),
        "accepted_on": _date(e.accepted_on),
        "replied_on": _date(e.replied_on),
    }


def enquiry_detail(e: Enquiry) -> dict[str, Any]:
    # Name, phone, e-mail and the page address a writer reported stay out; the question only with consent.
    return {**enquiry_summary(e), "question": e.body if e.publish_question else None, "reply": e.reply}


def target_figure(result: TargetResult) -> dict[str, Any]:
    ratio = result.ratio
    return {
        "key": result.key,
        "label": result.metric.label,
        "kind": result.metric.kind,
        "definition": result.metric.definition,
        "goal": result.target.goal if result.target else None,
        "goal_text": result.goal_text,
        "wording": result.target.wording if result.target else "",
        "source": result.target.source if result.target else "",
        "status": result.status,
        "status_label": result.status_label,
        "numerator": ratio.numerator if ratio else None,
        "denominator": ratio.denominator if ratio else None,
        "numerator_label": result.metric.numerator_label,
        "denominator_label": result.metric.denominator_label,
        "value": ratio.value if ratio else None,
        "required": result.required,
        "url": url_for("targets.detail", year=result.year, key=result.key, _external=True),
    }

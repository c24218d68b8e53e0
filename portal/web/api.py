"""Read-only public JSON API over the policy library: what the pages show, as data.

The same rules as the pages apply (only published, actively disclosed items); the same filters as
``/policies/`` are accepted. Other systems (new-media gateways, the city's policy library) read from here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from portal.db import session
from portal.models import Document, Interpretation
from portal.services import library
from portal.web.templating import iso_date

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def document_summary(doc: Document) -> dict[str, Any]:
    return {
        "slug": doc.slug,
        "url": url_for("public.document", slug=doc.slug, _external=True),
        "title": doc.title,
        "index_no": doc.index_no,
        "doc_number": doc.doc_number,
        "agencies": [a.name for a in doc.agencies],  # kept for existing clients: the issuers
        "issuers": [a.name for a in doc.agencies],  # 发文机关, in signing order
        "owner": doc.owner.name if doc.owner else None,  # the agency that maintains it on the portal
        "written_on": iso_date(doc.written_on) or None,
        "published_on": iso_date(doc.published_at) or None,
        "genre": doc.genre,
        "topics": [t.name for t in doc.topics],
        "normative": doc.normative,
        "registration_no": doc.registration_no,
        "validity": doc.validity,
        "disclosure": doc.disclosure,
    }


def interpretation_summary(interp: Interpretation) -> dict[str, Any]:
    return {
        "slug": interp.slug,
        "url": url_for("public.interpretation", slug=interp.slug, _external=True),
        "title": interp.title,
        "form": interp.form,
        "published_on": iso_date(interp.published_at) or None,
    }


@bp.get("/documents")
def documents() -> Any:
    query = library.LibraryQuery.from_args(request.args)
    result = library.browse(session, query)
    return jsonify(
        total=result.total,
        page=result.page,
        pages=result.pages,
        ignored=query.ignored,
        facets={
            name: [{"value": v, "label": label, "count": n} for v, label, n in values]
            for name, values in result.facets.items()
        },
        documents=[document_summary(d) for d in result.documents],
    )


@bp.get("/documents/<slug>")
def document(slug: str) -> Any:
    doc = library.public_document(session, slug)
    if doc is None:
        abort(404)
    links = library.document_links(session, doc)
    return jsonify(
        **document_summary(doc),
        source=doc.source,
        body_html=doc.body_html,
        measures=[
            {"no": m.no, "text": m.text, "lead": m.lead, "units": m.units, "status": m.status}
            for m in doc.measures
        ],
        interpretations=[interpretation_summary(i) for i in doc.interpretations if i.status == "published"],
        amended_or_repealed_by=[{"kind": k, "slug": d.slug, "title": d.title} for k, d in links["by"]],
        amends_or_repeals=[{"kind": k, "slug": d.slug, "title": d.title} for k, d in links["of"]],
    )


@bp.get("/interpretations/<slug>")
def interpretation(slug: str) -> Any:
    interp = library.public_interpretation(session, slug)
    if interp is None:
        abort(404)
    return jsonify(
        **interpretation_summary(interp),
        document=interp.document.slug,
        interpreter=interp.interpreter,
        agency=interp.agency.name if interp.agency else None,
        body_html=interp.body_html,
        qa=[{"question": item.question, "answer_html": item.answer_html} for item in interp.items],
    )


@bp.errorhandler(HTTPException)
def _json_error(exc: HTTPException) -> Any:
    messages = {
        404: "未找到该条目。",
        400: "请求参数有误。",
        405: "不支持该请求方式。",
        429: "请求过于频繁。",
    }
    return jsonify(error=exc.code, message=messages.get(exc.code or 500, "请求未能完成。")), exc.code

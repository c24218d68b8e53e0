"""Public pages of the policy library: home, library, document, interpretation."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from portal.db import session
from portal.services import library

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    return render_template(
        "home.html",
        documents=library.latest_documents(session),
        interpretations=library.latest_interpretations(session),
    )


@bp.get("/policies/")
def policies() -> str:
    query = library.LibraryQuery.from_args(request.args)
    return render_template("policies/index.html", query=query, result=library.browse(session, query))


@bp.get("/policies/<slug>/")
def document(slug: str) -> str:
    doc = library.public_document(session, slug)
    if doc is None:
        abort(404)
    interpretations = [i for i in doc.interpretations if i.status == "published"]
    return render_template(
        "policies/document.html", doc=doc, interpretations=interpretations,
        links=library.document_links(session, doc),
    )


@bp.get("/interpretations/<slug>/")
def interpretation(slug: str) -> str:
    interp = library.public_interpretation(session, slug)
    if interp is None:
        abort(404)
    return render_template("policies/interpretation.html", interp=interp, doc=interp.document)

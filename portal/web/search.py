"""The site search page, and 文号 lookup that goes straight to the document."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response

from portal.db import session
from portal.services import search

bp = Blueprint("search", __name__)


@bp.get("/search")
def index() -> str | Response:
    query = search.SearchQuery.from_args(session, request.args)
    if query.text and not query.filters:
        doc = search.exact_doc_number(session, query.text)
        if doc is not None:
            return redirect(f"/policies/{doc.slug}/")
    return render_template(
        "search/index.html", query=query, result=search.run(session, query), facet_labels=search.FACET_LABELS
    )

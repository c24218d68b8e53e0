"""What the staff area adds to public pages: the 更新记录 (versions) list, attachment downloads, and
the notice that replaces a withdrawn item (410 Gone with the publisher's public reason)."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from portal.db import session
from portal.models import Attachment, Document, DocumentVersion, Interpretation
from portal.services import library

bp = Blueprint("published", __name__)


def public_versions(obj: Document | Interpretation) -> list[DocumentVersion]:
    """Template helper: the item's 更新记录 (:func:`portal.services.library.public_versions`)."""
    return library.public_versions(session, obj)


def public_attachments(doc: Document) -> list[Attachment]:
    """Template helper: the document's public attachments (the API lists the same)."""
    return library.public_attachments(session, doc)


Item = TypeVar("Item", Document, Interpretation)


def _withdrawn(model: type[Item], slug: str) -> Item | None:
    return session.scalars(select(model).where(model.slug == slug, model.status == "withdrawn")).first()


def withdrawn_notice(model: type[Document] | type[Interpretation], slug: str) -> Any:
    obj: Document | Interpretation | None = (
        _withdrawn(Document, slug) if model is Document else _withdrawn(Interpretation, slug)
    )
    if obj is None and model is Interpretation:
        # A published interpretation goes with its document: when the document is withdrawn, the
        # interpretation's address says so too, with the document's public reason.
        obj = session.scalars(
            select(Interpretation)
            .join(Interpretation.document)
            .where(Interpretation.slug == slug, Document.status == "withdrawn")
        ).first()
        if obj is not None and obj.published_at is not None:
            return render_template("policies/withdrawn.html", obj=obj, document=obj.document), 410
    if obj is None or obj.published_at is None:
        abort(404)
    return render_template("policies/withdrawn.html", obj=obj), 410


@bp.get("/policies/<slug>/files/<int:attachment_id>/<path:filename>")
def attachment(slug: str, attachment_id: int, filename: str) -> Any:
    from portal.web.downloads import send_attachment

    doc = library.public_document(session, slug)
    att = session.get(Attachment, attachment_id)
    if doc is None or att is None or att.document_id != doc.id or not att.public:
        abort(404)
    del filename  # only for a readable URL; the stored name is what is served
    return send_attachment(att)


@bp.record_once
def _globals(state: Any) -> None:
    state.app.jinja_env.globals.update(public_versions=public_versions, public_attachments=public_attachments)

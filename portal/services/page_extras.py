"""Bulk loads of what the document and interpretation templates otherwise fetch one page at a time
(consultations of a document, its public attachments, the 更新记录 versions). The static export renders
hundreds of pages per query with these; the views keep their per-page helpers, and a test checks that
both give the same page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.models import Attachment, DocumentVersion
from portal.models.consultations import Consultation


def _by(rows: Sequence[Any], key: Callable[[Any], int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        out[key(row)].append(row)
    return out


def template_helpers(sess: Session, item_type: str, ids: list[int]) -> dict[str, Callable[[Any], list[Any]]]:
    """Replacements for the template helpers ``public_versions``, ``public_attachments`` and
    ``consultation_links``, answering from three queries for all of ``ids``."""
    versions = _by(
        sess.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.item_type == item_type, DocumentVersion.item_id.in_(ids))
            .order_by(DocumentVersion.number.desc())
        ).all(),
        lambda v: v.item_id,
    )
    helpers: dict[str, Callable[[Any], list[Any]]] = {"public_versions": lambda obj: versions.get(obj.id, [])}
    if item_type == "document":
        files = _by(
            sess.scalars(
                select(Attachment).where(Attachment.document_id.in_(ids)).order_by(Attachment.position)
            ).all(),
            lambda a: a.document_id,
        )
        consultations = sess.scalars(
            select(Consultation)
            .where(
                Consultation.status != "draft",
                or_(Consultation.final_document_id.in_(ids), Consultation.draft_document_id.in_(ids)),
            )
            .order_by(Consultation.opens_on.desc())
        ).all()
        by_doc: dict[int, list[Consultation]] = defaultdict(list)
        for c in consultations:
            for doc_id in {c.final_document_id, c.draft_document_id}:
                if doc_id is not None:
                    by_doc[doc_id].append(c)
        helpers["public_attachments"] = lambda doc: [a for a in files.get(doc.id, []) if a.public]
        helpers["consultation_links"] = lambda doc: by_doc.get(doc.id, [])
    return helpers

"""Duplicate control beyond the 文号: likely duplicates of a document, found at import, save and publish.

A document is a likely duplicate of another when both have the same normalised title and share an issuer,
or when their bodies are near-identical (SimHash within 3 of 64 bits; see ``services.documents``). Staff
see the candidates with links and must confirm explicitly to go on; a confirmation is remembered on the
document (``not_duplicate_of``) and in the audit log, so nobody is asked twice about the same pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from portal.models import BodyFingerprint, Document, DocumentAgency, User
from portal.services.audit import record
from portal.services.documents import NEAR_BITS, bands, body_simhash, from_bands, title_key

SAME_TITLE = "标题相同且发文机关相同"
SAME_BODY = "正文几乎相同"


@dataclass
class Duplicate:
    doc: Document
    reasons: list[str] = field(default_factory=list)


def find(
    sess: Session,
    *,
    title: str,
    body_md: str,
    issuer_ids: list[int] | None,
    doc: Document | None = None,
) -> list[Duplicate]:
    """Likely duplicates of a document with this text, other than ``doc`` itself and the documents staff
    already confirmed are different. ``issuer_ids`` None: compare titles whatever the issuers."""
    found: dict[int, Duplicate] = {}
    key = title_key(title)
    if key:
        stmt = select(Document).where(Document.title_key == key)
        if issuer_ids is not None:
            stmt = stmt.where(
                Document.id.in_(
                    select(DocumentAgency.document_id).where(DocumentAgency.agency_id.in_(issuer_ids or [-1]))
                )
            )
        for other in sess.scalars(stmt):
            found.setdefault(other.id, Duplicate(other)).reasons.append(SAME_TITLE)
    value = body_simhash(body_md)
    if value is not None:
        matches = or_(
            *(and_(BodyFingerprint.band == i, BodyFingerprint.value == v) for i, v in enumerate(bands(value)))
        )
        candidates = select(BodyFingerprint.document_id).where(matches)
        fingerprints: dict[int, dict[int, int]] = {}
        for doc_id, band, band_value in sess.execute(
            select(BodyFingerprint.document_id, BodyFingerprint.band, BodyFingerprint.value).where(
                BodyFingerprint.document_id.in_(candidates)
            )
        ):
            fingerprints.setdefault(doc_id, {})[band] = band_value
        for doc_id, parts in fingerprints.items():
            if bin(from_bands(parts) ^ value).count("1") <= NEAR_BITS:
                near = sess.get_one(Document, doc_id)
                found.setdefault(doc_id, Duplicate(near)).reasons.append(SAME_BODY)
    if doc is not None:
        confirmed = set(doc.not_duplicate_of or [])
        found = {
            i: d
            for i, d in found.items()
            if i != doc.id and i not in confirmed and doc.id not in (d.doc.not_duplicate_of or [])
        }
    return sorted(found.values(), key=lambda d: d.doc.id)


def of_document(sess: Session, doc: Document) -> list[Duplicate]:
    """Likely duplicates of a saved document that nobody has confirmed as different yet."""
    return find(
        sess,
        title=doc.title,
        body_md=doc.body_md,
        issuer_ids=[link.agency_id for link in doc.issuers] or None,
        doc=doc,
    )


def confirm(sess: Session, user: User, doc: Document, duplicates: list[Duplicate], where: str) -> None:
    """Staff confirmed that ``doc`` duplicates none of ``duplicates``: remember it and audit it."""
    if not duplicates:
        return
    ids = [d.doc.id for d in duplicates]
    doc.not_duplicate_of = sorted(set(doc.not_duplicate_of or []) | set(ids))
    record(
        sess,
        user,
        "document.not_duplicate",
        doc,
        after={"documents": [{"id": d.doc.id, "title": d.doc.title, "why": d.reasons} for d in duplicates]},
        note=where,
    )


def message(duplicates: list[Duplicate]) -> str:
    """The headline staff see: the real problem, naming the first candidate."""
    first = duplicates[0]
    more = f"等 {len(duplicates)} 个文件" if len(duplicates) > 1 else ""
    return (
        f"可能与已有文件《{first.doc.title}》{more}重复（{'、'.join(first.reasons)}）。"
        "请核对下列文件；确认不是重复后，勾选“确认不是重复”再提交。"
    )


def check_publish(sess: Session, user: User, doc: Document, *, confirmed: bool) -> None:
    """Refuse to publish a likely duplicate until the publisher confirms; remember the confirmation."""
    from portal.services.publishing import WorkflowError

    found = of_document(sess, doc)
    if not found:
        return
    if not confirmed:
        error = WorkflowError(message(found), code="duplicate")
        error.duplicates = found  # type: ignore[attr-defined]
        raise error
    confirm(sess, user, doc, found, "发布时确认")

"""The subscription outbox: what happened to a public item, written in the transaction of the change.

Publishing (:mod:`portal.services.publishing`: publish, withdraw, validity, the 更新记录 versions) and the
consultation report call these functions; each adds one :class:`SubscriptionEvent` to the caller's session,
so the change and the promise to tell subscribers commit together or not at all (like the search outbox
and the push queue). After the commit the events are matched against the subscriptions at once; whatever
a crash leaves unmatched, the next ``portal push --run`` matches.

An event keeps what its message needs as it was (title, address, agencies, topics, what changed), so that
a later edit does not rewrite an earlier alert.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import Consultation, Document, DocumentVersion, Interpretation
from portal.models.subscriptions import SubscriptionEvent

Item = Document | Interpretation

# The fields of a version snapshot, as a subscriber reads them.
FIELD_LABELS = {
    "title": "标题",
    "index_no": "索引号",
    "doc_number": "文号",
    "written_on": "成文日期",
    "genre": "公文种类",
    "normative": "规范性文件",
    "registration_no": "登记号",
    "disclosure": "公开属性",
    "disclosure_reason": "不公开理由",
    "source": "来源",
    "agencies": "发文机关",
    "topics": "主题分类",
    "measures": "任务分工",
    "body_md": "正文",
    "form": "解读形式",
    "interpreter": "解读人",
    "interpreted_on": "解读日期",
    "media_url": "图解或视频",
    "items": "问答",
}
MAX_CHANGED_LINES = 12  # per field: a message says what changed, the page shows all of it


def _document(item: Item) -> Document:
    return item if isinstance(item, Document) else item.document


def _public(item: Item) -> bool:
    doc = _document(item)
    return doc.disclosure == "active"


def _base(item: Item) -> dict[str, Any]:
    doc = _document(item)
    section = "policies" if isinstance(item, Document) else "interpretations"
    return {
        "title": item.title,
        "path": f"/{section}/{item.slug}/",
        "doc_number": doc.doc_number,
        "document_slug": doc.slug,
        "document_title": doc.title,
        "agencies": sorted({a.slug for a in doc.agencies} | ({doc.owner.slug} if doc.owner else set())),
        "agency_names": [a.name for a in doc.agencies],
        "topics": [t.name for t in doc.topics],
        "category": doc.disclosure_category,
        "validity": doc.validity,
        "year": doc.published_at.year if doc.published_at else None,
    }


def _add(sess: Session, kind: str, item: Item | Consultation, document_id: int | None, payload: dict) -> None:
    item_type = {Document: "document", Interpretation: "interpretation"}.get(type(item), "consultation")
    sess.add(
        SubscriptionEvent(
            kind=kind, item_type=item_type, item_id=item.id, document_id=document_id, payload=payload
        )
    )
    from portal.services.subscriptions import delivery

    delivery.match_after_commit(sess)


def published(sess: Session, item: Item, first: bool) -> None:
    """A document went public (``new``; again after a withdrawal too), or an interpretation of one."""
    if not _public(item):
        return
    if isinstance(item, Interpretation):
        _add(sess, "interpretation", item, item.document_id, _base(item))
    else:
        _add(sess, "new", item, item.id, {**_base(item), "first": first})


def withdrawn(sess: Session, item: Item, reason: str) -> None:
    if not _public(item):
        return
    _add(sess, "withdrawn", item, _document(item).id, {**_base(item), "reason": reason})


def validity_changed(
    sess: Session, doc: Document, validity: str, successor: Document | None, note: str
) -> None:
    """已修订 / 已废止 (with the document that did it) or 已失效."""
    kind = {"amended": "revised", "repealed": "repealed", "expired": "expired"}.get(validity)
    if kind is None or not _public(doc):
        return
    payload = {**_base(doc), "note": note}
    if successor is not None:
        payload["successor"] = {"title": successor.title, "path": f"/policies/{successor.slug}/"}
    _add(sess, kind, doc, doc.id, payload)


def changes(old: DocumentVersion, new: DocumentVersion) -> list[dict[str, Any]]:
    """What changed between two versions, per field: its label and the removed and added lines."""
    from portal.services.publishing import diff_versions

    out = []
    for name, marked in diff_versions(old, new):
        lines = [(mark, text) for mark, text in marked if mark in {"-", "+"} and text.strip()]
        out.append(
            {
                "field": FIELD_LABELS.get(name, name),
                "lines": [f"{mark} {text.strip()}"[:300] for mark, text in lines[:MAX_CHANGED_LINES]],
                "more": max(0, len(lines) - MAX_CHANGED_LINES),
            }
        )
    return out


def amended(sess: Session, item: Item, previous: DocumentVersion, version: DocumentVersion) -> None:
    """A published item was edited: a new entry of its 更新记录, with its note and what changed."""
    if not _public(item):
        return
    payload = {
        **_base(item),
        "version": version.number,
        "note": version.change_note,
        "changes": changes(previous, version),
    }
    _add(sess, "amended", item, _document(item).id, payload)


def report_published(sess: Session, consultation: Consultation) -> None:
    """The feedback report of a consultation (意见采纳情况反馈) is out."""
    agency = consultation.agency
    payload = {
        "title": consultation.title,
        "path": f"/consultations/{consultation.slug}/report/",
        "consultation_slug": consultation.slug,
        "agencies": [agency.slug] if agency else [],
        "agency_names": [agency.name] if agency else [],
        "topics": [],
        "category": "",
    }
    _add(sess, "report", consultation, consultation.final_document_id, payload)

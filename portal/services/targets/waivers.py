"""三同步 waivers: documents that went out without their interpretation, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import year_bounds
from portal.models import Document, PublicationWaiver
from portal.services.targets.populations import Item, _doc_item


@dataclass
class Waiver:
    document: Item
    reason: str
    by: str
    at: datetime


def waivers(sess: Session, year: int) -> list[Waiver]:
    """三同步 waivers recorded for documents first published in ``year``: why they went out alone."""
    start, end = year_bounds(year)
    rows = sess.scalars(
        select(PublicationWaiver)
        .join(Document, Document.id == PublicationWaiver.document_id)
        .where(Document.published_at >= start, Document.published_at < end)
        .order_by(PublicationWaiver.at, PublicationWaiver.id)
    )
    out = []
    for w in rows:
        doc = sess.get_one(Document, w.document_id)
        by = (w.user.display_name or w.user.username) if w.user else ""
        out.append(Waiver(_doc_item(doc), w.reason, by, w.at))
    return out

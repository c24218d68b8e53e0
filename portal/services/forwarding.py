"""Reposted documents (转发): documents that none of the district's own bodies issued, such as a municipal
notice the district office republishes. Their pages, list entries, search lines and feed entries say so,
so that the site never presents another government's document as the district's own (NORMS 21 and the
demo's "documents from other places are marked as such")."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Document


def _belongs_to(agency: Agency | None, site_name: str) -> bool:
    """The agency is the district's (the body named as the site) or one of the bodies under it."""
    seen = set()
    while agency is not None and agency.id not in seen:
        if agency.name == site_name:
            return True
        seen.add(agency.id)
        agency = agency.parent
    return False


def forwarded_from(doc: Document, site_name: str) -> list[Agency]:
    """The issuing bodies of ``doc`` when none of them is the district's; [] for the district's own."""
    agencies = list(doc.agencies)
    if not agencies or any(_belongs_to(a, site_name) for a in agencies):
        return []
    return agencies


def forwarded_ids(sess: Session, document_ids: Iterable[int], site_name: str) -> dict[int, str]:
    """Of these documents, the reposted ones: id -> their issuers' names (one query for the lot)."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    docs = sess.scalars(select(Document).where(Document.id.in_(ids)))
    return {
        d.id: "、".join(a.name for a in issuers) for d in docs if (issuers := forwarded_from(d, site_name))
    }

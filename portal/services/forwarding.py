"""Reposted documents (转发): documents that none of the district's own bodies issued, such as a municipal
notice the district office republishes. Their pages, list entries, search lines and feed entries say so,
so that the site never presents another government's document as the district's own (NORMS 21 and the
demo's "documents from other places are marked as such")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Document, DocumentAgency


def _belongs_to(agency: Any, site_name: str) -> bool:
    """The agency is the district's (the body named as the site) or one of the bodies under it."""
    seen = set()
    while agency is not None and agency.id not in seen:
        if agency.name == site_name:
            return True
        seen.add(agency.id)
        agency = agency.parent
    return False


def forwarded_from(doc: Document, site_name: str) -> list[Agency]:
    """The issuing bodies of ``doc`` when none of them is the district's; [] for the district's own.

    A document loaded for the static export carries the answer already (``reposted_from``, set by
    :func:`portal.services.policies.pages.iter_all_listings`, which loads documents without relationships)."""
    known = getattr(doc, "reposted_from", None)
    if known is not None:
        return list(known)
    return _outside(list(doc.agencies), site_name)


def outside(agencies: list[Any], site_name: str) -> list[Any]:
    """The issuers when none of them is the district's, else [] (agencies or anything with id, name, parent)."""
    return _outside(agencies, site_name)


def _outside(agencies: list[Any], site_name: str) -> list[Any]:
    if not agencies or any(_belongs_to(a, site_name) for a in agencies):
        return []
    return agencies


def forwarded_map(sess: Session, document_ids: Iterable[int], site_name: str) -> dict[int, list[Agency]]:
    """Of these documents, the reposted ones: id -> their issuers (one query for the lot, through the
    issuer rows, so that documents loaded without their relationships need not be loaded again)."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    issuers: dict[int, list[Agency]] = {}
    rows = sess.execute(
        select(DocumentAgency.document_id, Agency)
        .join(Agency, Agency.id == DocumentAgency.agency_id)
        .where(DocumentAgency.document_id.in_(ids))
        .order_by(DocumentAgency.document_id, DocumentAgency.position)
    )
    for doc_id, agency in rows:
        issuers.setdefault(doc_id, []).append(agency)
    return {doc_id: found for doc_id, agencies in issuers.items() if (found := _outside(agencies, site_name))}


def forwarded_ids(sess: Session, document_ids: Iterable[int], site_name: str) -> dict[int, str]:
    """Of these documents, the reposted ones: id -> their issuers' names."""
    return {
        doc_id: "、".join(a.name for a in issuers)
        for doc_id, issuers in forwarded_map(sess, document_ids, site_name).items()
    }


def mark_reposted(sess: Session, docs: list[Document], site_name: str) -> list[Document]:
    """Give each document of a list its ``reposted_from`` (one query for the lot), which the list entry's
    转发 badge reads, so that rendering the list loads nothing more."""
    reposted = forwarded_map(sess, (d.id for d in docs), site_name)
    for doc in docs:
        setattr(doc, "reposted_from", reposted.get(doc.id, []))  # noqa: B010 (not a mapped column)
    return docs

"""Page data of the policy library, every page at a time (the static export, the bulk files): each document's
and interpretation's page from its builder (:mod:`.document_page`, :mod:`.interpretation_page`), a chunk
at a time, and every listing; and the notices of withdrawn items."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only, raiseload

from portal.clock import local_day
from portal.models import (
    Agency,
    Document,
    DocumentAgency,
    Interpretation,
    Topic,
)
from portal.models.documents import document_topic
from portal.services import forwarding
from portal.services.policies import queries
from portal.services.policies.document_page import DocumentPage, document_pages
from portal.services.policies.interpretation_page import InterpretationPage, interpretation_pages
from portal.services.policies.queries import (
    FACETS,
    LibraryPage,
    LibraryQuery,
    public_documents,
    public_interpretations,
)


def iter_document_pages(
    sess: Session, chunk: int = 400, shard: tuple[int, int] = (0, 1)
) -> Iterator[DocumentPage]:
    """Every public document's page (:mod:`.document_page`), a chunk at a time in one query per chunk (the
    static export); with ``shard`` ``(index, count)``, every count-th document from index."""
    index, count = shard
    ids = list(sess.scalars(public_documents().with_only_columns(Document.id).order_by(Document.id)))[
        index::count
    ]
    for start in range(0, len(ids), chunk):
        yield from document_pages(sess, ids[start : start + chunk])


def iter_interpretation_pages(
    sess: Session, chunk: int = 400, shard: tuple[int, int] = (0, 1)
) -> Iterator[InterpretationPage]:
    """Every public interpretation's page (:mod:`.interpretation_page`), a chunk at a time in one query per
    chunk (the static export, the bulk files); with ``shard``, every count-th from index."""
    index, count = shard
    ids = list(
        sess.scalars(
            public_interpretations().with_only_columns(Interpretation.id).order_by(Interpretation.id)
        )
    )[index::count]
    for start in range(0, len(ids), chunk):
        yield from interpretation_pages(sess, ids[start : start + chunk])


def iter_all_listings(
    sess: Session, shard: tuple[int, int] = (0, 1)
) -> Iterator[tuple[LibraryQuery, LibraryPage]]:
    """Every page of the library listing and of each one-facet listing (the static export); with ``shard``
    ``(index, count)``, only the listings of process ``index`` of ``count`` (balanced by documents).

    The views count facets in SQL per request; here that would be six queries per listing, so the export
    loads every public document's facet values once (three queries) and counts in Python. Values keep
    the order of the SQL facets, so the pages come out the same as the views' (a test compares them).
    """
    overall = queries.facet_counts(sess, LibraryQuery())
    docs = list(
        sess.scalars(
            public_documents()
            .order_by(Document.published_at.desc(), Document.id.desc())
            .options(
                load_only(
                    Document.slug,
                    Document.title,
                    Document.doc_number,
                    Document.published_at,
                    Document.genre,
                    Document.validity,
                    Document.normative,
                ),
                raiseload("*"),
            )
        )
    )
    # The list entry marks a reposted document (转发): its issuers, found once for every document.
    from flask import current_app

    reposted = forwarding.forwarded_map(
        sess, (d.id for d in docs), current_app.extensions["settings"].site_name
    )
    for doc in docs:
        setattr(doc, "reposted_from", reposted.get(doc.id, []))  # noqa: B010 (not a mapped column)
    agencies: dict[int, set[str]] = {}
    for doc_id, slug in sess.execute(select(DocumentAgency.document_id, Agency.slug).join(Agency)):
        agencies.setdefault(doc_id, set()).add(slug)
    topics: dict[int, set[str]] = {}
    for doc_id, name in sess.execute(
        select(document_topic.c.document_id, Topic.name).join(Topic, Topic.id == document_topic.c.topic_id)
    ):
        topics.setdefault(doc_id, set()).add(name)

    def values(doc: Document) -> dict[str, set[str]]:
        return {
            "agency": agencies.get(doc.id, set()),
            "year": {str(local_day(doc.published_at).year)} if doc.published_at else set(),
            "genre": {doc.genre} if doc.genre else set(),
            "topic": topics.get(doc.id, set()),
            "validity": {doc.validity},
            "normative": {"1" if doc.normative else "0"},
        }

    keyed = [(doc, values(doc)) for doc in docs]
    sized: list[tuple[str, str, int]] = [("", "", len(docs))]
    sized += [(facet, value, n) for facet in FACETS for value, _label, n in overall.get(facet, [])]
    index, count = shard
    listings = _share_of(sized, index, count)
    for facet, value in listings:
        chosen = [(d, v) for d, v in keyed if not facet or value in v[facet]]
        facets = {}
        for name in FACETS:
            if name == facet:
                facets[name] = overall[name]
                continue
            counts: dict[str, int] = {}
            for _doc, v in chosen:
                for item in v[name]:
                    counts[item] = counts.get(item, 0) + 1
            facets[name] = [(val, label, counts[val]) for val, label, _n in overall[name] if counts.get(val)]
        query = LibraryQuery.from_args({facet: value} if facet else {})
        pages = max(1, -(-len(chosen) // queries.PAGE_SIZE))
        for page in range(1, pages + 1):
            part = [d for d, _v in chosen[(page - 1) * queries.PAGE_SIZE : page * queries.PAGE_SIZE]]
            yield dataclasses.replace(query, page=page), LibraryPage(part, len(chosen), page, pages, facets)
    sess.expunge_all()  # the documents were loaded without their relationships: keep them out of later pages


def _share_of(sized: list[tuple[str, str, int]], index: int, count: int) -> list[tuple[str, str]]:
    """The listings (facet, value) of process ``index``: largest first to the least loaded process, so
    that each one counts facets and renders pages for about the same number of documents."""
    if count == 1:
        return [(facet, value) for facet, value, _n in sized]
    loads = [0] * count
    mine: set[tuple[str, str]] = set()
    for facet, value, n in sorted(sized, key=lambda item: -item[2]):  # stable: ties keep their order
        least = count - 1 - loads[::-1].index(min(loads))  # ties to the last: the first has the rest to do
        loads[least] += n
        if least == index:
            mine.add((facet, value))
    return [(facet, value) for facet, value, _n in sized if (facet, value) in mine]


@dataclasses.dataclass
class Withdrawn:
    """What the notice of a withdrawn item shows (410 Gone with the publisher's public reason):
    the item, and for an interpretation taken down with its document, that document."""

    obj: Document | Interpretation
    document: Document | None = None


def withdrawn_document(sess: Session, slug: str) -> Withdrawn | None:
    """The notice for a document that was public and has been withdrawn; None if there is none (404)."""
    doc = sess.scalars(select(Document).where(Document.slug == slug, Document.status == "withdrawn")).first()
    return Withdrawn(doc) if doc is not None and doc.published_at is not None else None


def withdrawn_interpretation(sess: Session, slug: str) -> Withdrawn | None:
    """The notice for an interpretation that was public and has been withdrawn, or whose document was
    (a published interpretation goes with its document, and says so with the document's reason)."""
    interp = sess.scalars(
        select(Interpretation).where(Interpretation.slug == slug, Interpretation.status == "withdrawn")
    ).first()
    if interp is not None:
        return Withdrawn(interp) if interp.published_at is not None else None
    interp = sess.scalars(
        select(Interpretation)
        .join(Interpretation.document)
        .where(Interpretation.slug == slug, Document.status == "withdrawn")
    ).first()
    if interp is None or interp.published_at is None:
        return None
    return Withdrawn(interp, interp.document)

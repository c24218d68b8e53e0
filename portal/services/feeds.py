"""Atom feeds of published items (all, per agency, per topic), built with feedgen from the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.config import Settings
from portal.models import Agency, Document, DocumentAgency, Interpretation, Topic
from portal.models.documents import document_topic
from portal.services import forwarding
from portal.services.policies.queries import public_documents, public_interpretations, public_topics

FEED_SIZE = 50


def _documents(sess: Session, agency: Agency | None, topic: Topic | None) -> list[Document]:
    stmt = public_documents()
    if agency is not None:
        stmt = stmt.where(
            Document.id.in_(select(DocumentAgency.document_id).where(DocumentAgency.agency_id == agency.id))
        )
    if topic is not None:
        stmt = stmt.where(
            Document.id.in_(select(document_topic.c.document_id).where(document_topic.c.topic_id == topic.id))
        )
    return list(
        sess.scalars(stmt.order_by(Document.published_at.desc(), Document.id.desc()).limit(FEED_SIZE))
    )


def _interpretations(sess: Session, agency: Agency | None, topic: Topic | None) -> list[Interpretation]:
    stmt = public_interpretations().options(selectinload(Interpretation.document))
    if agency is not None:
        stmt = stmt.where(
            Interpretation.document_id.in_(
                select(DocumentAgency.document_id).where(DocumentAgency.agency_id == agency.id)
            )
        )
    if topic is not None:
        stmt = stmt.where(
            Interpretation.document_id.in_(
                select(document_topic.c.document_id).where(document_topic.c.topic_id == topic.id)
            )
        )
    return list(
        sess.scalars(
            stmt.order_by(Interpretation.published_at.desc(), Interpretation.id.desc()).limit(FEED_SIZE)
        )
    )


def build_feed(
    sess: Session,
    settings: Settings,
    *,
    title: str,
    self_path: str,
    agency: Agency | None = None,
    topic: Topic | None = None,
) -> bytes:
    from feedgen.feed import FeedGenerator

    base = settings.base_url.rstrip("/")
    items: list[Document | Interpretation] = [
        *_documents(sess, agency, topic),
        *_interpretations(sess, agency, topic),
    ]
    items.sort(key=lambda i: (i.published_at, i.id))  # feedgen prepends: oldest first gives newest on top
    items = items[-FEED_SIZE:]
    fg = FeedGenerator()
    fg.id(f"{base}{self_path}")
    fg.title(f"{settings.site_name} · {title}")
    fg.author({"name": settings.site_name})
    fg.link(href=f"{base}{self_path}", rel="self")
    fg.link(href=f"{base}/policies/", rel="alternate")
    fg.language("zh-CN")
    fg.updated(items[-1].published_at if items else None)
    if not items:
        # A fixed date, not "now": an empty feed must come out byte-identical each time, or every static
        # re-export would rewrite it and its ETag would change on every request.
        from datetime import UTC, datetime

        fg.updated(datetime(2000, 1, 1, tzinfo=UTC))
    for item in items:
        is_doc = isinstance(item, Document)
        url = f"{base}/{'policies' if is_doc else 'interpretations'}/{item.slug}/"
        entry = fg.add_entry()
        entry.id(url)
        entry.title(item.title if is_doc else f"【解读】{item.title}")
        entry.link(href=url)
        published = item.published_at
        assert published is not None  # a feed lists published items only
        entry.published(published)
        entry.updated(item.updated_at if item.updated_at and item.updated_at > published else published)
        doc = item if isinstance(item, Document) else item.document
        summary = " · ".join(x for x in (doc.doc_number, "、".join(a.name for a in doc.agencies)) if x)
        reposted = forwarding.forwarded_from(doc, settings.site_name)
        if reposted:  # another government's document, reposted here: never presented as the district's
            summary = f"转发（{'、'.join(a.name for a in reposted)}印发）" + (
                f" · {summary}" if summary else ""
            )
            entry.category(term="转发")
        entry.summary(summary or item.title)
        for t in doc.topics:
            entry.category(term=t.name)
    return fg.atom_str(pretty=True)


def agency_of_feed(sess: Session, slug: str) -> Agency | None:
    """The agency of /feeds/agency/<slug>.atom: every agency has its feed, even one without a public item
    yet (the bodies of the district are public, unlike the topics staff type into drafts)."""
    return sess.scalars(select(Agency).where(Agency.slug == slug)).first()


def topic_of_feed(sess: Session, name: str) -> Topic | None:
    """The topic of /feeds/topic/<name>.atom, only if a public document has it: a feed must not confirm
    the name of a draft's topic."""
    return sess.scalars(public_topics().where(Topic.name == name)).first()


def agencies_with_feeds(sess: Session) -> list[Agency]:
    return list(sess.scalars(select(Agency).order_by(Agency.position)))


def topics_with_feeds(sess: Session) -> list[Topic]:
    return list(sess.scalars(public_topics().order_by(Topic.name)))

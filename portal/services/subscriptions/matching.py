"""Events to subscriptions: who is to hear about each change.

Only *active* (confirmed) subscriptions are matched: a pending address never gets an alert. An immediate
subscription gets a message per event (one per address and event, however many of its subscriptions
match); a digest subscription keeps the match for ``portal subscriptions digest``.

A saved search is run again on each new item with the search's own matching rule
(:mod:`portal.search.text`: every word occurs in the item's text, punctuation and case aside), which is
exactly what the index answers for that item, and needs no index that may not have caught up yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import Document, Interpretation
from portal.models.base import utcnow
from portal.models.subscriptions import (
    Subscription,
    SubscriptionEvent,
    SubscriptionMatch,
    SubscriptionMessage,
)
from portal.search.text import Word, flat_text, html_to_text, parse_query

DOCUMENT_KINDS = {"new", "amended", "revised", "repealed", "expired", "withdrawn", "interpretation"}
SEARCH_KINDS = {"new", "interpretation"}  # a saved search is re-run on new items
BATCH = 200


@dataclass
class _Cache:
    """What one matching run computes once: each event's searchable text, each saved search parsed."""

    texts: dict[int, str | None] = field(default_factory=dict)
    searches: dict[str, tuple[dict[str, str], list[Word]]] = field(default_factory=dict)


def _searchable_text(sess: Session, event: SubscriptionEvent) -> str | None:
    item: Document | Interpretation | None = (
        sess.get(Document, event.item_id)
        if event.item_type == "document"
        else sess.get(Interpretation, event.item_id)
    )
    if item is None or item.status != "published":
        return None
    parts = [item.title, html_to_text(item.body_html)]
    if isinstance(item, Document):
        parts += [item.doc_number, item.index_no, *(m.text for m in item.measures)]
    else:
        parts += [f"{q.question}\n{q.answer_md}" for q in item.items]
    return flat_text("\n".join(parts))


def _parsed(
    target: str, parsed: dict[str, tuple[dict[str, str], list[Word]]]
) -> tuple[dict[str, str], list[Word]]:
    """A saved search's filters and words, parsed once per matching run (not once per event)."""
    if target not in parsed:
        args = dict(parse_qsl(target))
        parsed[target] = (args, parse_query(args.get("q", "")))
    return parsed[target]


def search_matches(sess: Session, target: str, event: SubscriptionEvent, cache: _Cache) -> bool:
    if event.kind not in SEARCH_KINDS:
        return False
    args, words = _parsed(target, cache.searches)
    p = event.payload
    if args.get("type") and args["type"] != event.item_type:
        return False
    if args.get("agency") and args["agency"] not in p.get("agencies", []):
        return False
    if args.get("topic") and args["topic"] not in p.get("topics", []):
        return False
    if args.get("validity") and args["validity"] != p.get("validity"):
        return False
    if args.get("year") and str(p.get("year")) != args["year"]:
        return False
    if not words:
        return True
    if event.id not in cache.texts:
        cache.texts[event.id] = _searchable_text(sess, event)
    text = cache.texts[event.id]
    return text is not None and all(w.flat in text for w in words)


def matches(sess: Session, sub: Subscription, event: SubscriptionEvent, cache: _Cache) -> bool:
    p = event.payload
    if sub.kind == "consultation":
        return event.kind == "report" and p.get("consultation_slug") == sub.target
    if sub.kind == "document":
        return event.kind in DOCUMENT_KINDS and p.get("document_slug") == sub.target
    if sub.kind == "all":
        return True
    if sub.kind == "agency":
        return sub.target in p.get("agencies", [])
    if sub.kind == "topic":
        return sub.target in p.get("topics", [])
    if sub.kind == "category":
        return bool(p.get("category")) and p.get("category") == sub.target
    if sub.kind == "search":
        return event.kind != "report" and search_matches(sess, sub.target, event, cache)
    return False


def _claim(sess: Session, limit: int) -> list[SubscriptionEvent]:
    stmt = (
        select(SubscriptionEvent)
        .where(SubscriptionEvent.matched_at.is_(None))
        .order_by(SubscriptionEvent.id)
        .limit(limit)
    )
    if sess.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=SubscriptionEvent)  # workers never match twice
    return list(sess.scalars(stmt))


def match_pending(sess: Session, now: datetime | None = None) -> list[int]:
    """Match every unmatched event and commit; returns the ids of the messages queued for immediate
    subscriptions."""
    now = now or utcnow()
    queued: list[int] = []
    conflicts = 0
    while conflicts < 3:
        events = _claim(sess, BATCH)
        if not events:
            return queued
        active = list(sess.scalars(select(Subscription).where(Subscription.state == "active")))
        cache = _Cache()
        messages: list[SubscriptionMessage] = []
        for event in events:
            told: dict[int, SubscriptionMessage] = {}  # one immediate message per address and event
            for sub in active:
                if not matches(sess, sub, event, cache):
                    continue
                match = SubscriptionMatch(subscription_id=sub.id, event_id=event.id)
                sess.add(match)
                if sub.frequency == "immediate" and sub.subscriber_id not in told:
                    message = SubscriptionMessage(
                        subscriber_id=sub.subscriber_id,
                        subscription_id=sub.id,
                        kind="alert",
                        status="queued",
                        next_attempt_at=now,
                    )
                    messages.append(message)
                    told[sub.subscriber_id] = message
                    match.message = message  # one flush at the commit writes both, in order
                elif sub.frequency == "immediate":
                    # Already told through another subscription: the match is done, no second message.
                    match.message = told[sub.subscriber_id]
            event.matched_at = now
        try:
            sess.commit()
        except IntegrityError:
            sess.rollback()  # another worker matched these first (SQLite has no SKIP LOCKED)
            conflicts += 1
            continue
        queued += [m.id for m in messages]
    return queued

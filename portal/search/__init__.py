"""Site search: one interface, a Whoosh backend (default) and a PostgreSQL backend.

The index is derived data. Services call :func:`refresh_after_commit` with what they published, withdrew
or edited; once the transaction commits, those items are re-read from the database and written to the
index (or removed from it, if they are no longer public). ``portal index --rebuild`` rebuilds everything
and ``portal index --check`` reports drift.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal import db
from portal.search.base import BuildStats, SearchBackend, fingerprint
from portal.search.registry import TYPES, SearchableType, SearchDoc, register_type, type_of
from portal.search.types import register_builtin_types

__all__ = [
    "SearchDoc",
    "SearchableType",
    "register_type",
    "refresh_after_commit",
    "refresh",
    "rebuild",
    "check",
    "get_backend",
    "init_app",
]

log = logging.getLogger(__name__)
LOCK_WAIT = 10.0  # seconds an update waits for the writer lock before deferring to its holder
register_builtin_types()


def make_backend(app: Flask) -> SearchBackend:
    settings = app.extensions["settings"]
    if settings.search_backend == "postgres":
        from portal.search.postgres_backend import PostgresBackend

        return PostgresBackend(app.extensions["engine"])
    from portal.search.whoosh_backend import WhooshBackend

    return WhooshBackend(settings.search_index, cache_mb=settings.search_cache_mb)


def init_app(app: Flask) -> None:
    settings = app.extensions["settings"]
    if settings.search_backend == "postgres" and settings.is_sqlite:
        raise SystemExit(
            "PORTAL_SEARCH_BACKEND=postgres needs PORTAL_DATABASE_URL to be a PostgreSQL database"
        )
    app.extensions["search"] = make_backend(app)


def get_backend(app: Flask | None = None) -> SearchBackend:
    return (app or current_app).extensions["search"]


# -- keeping the index up to date -------------------------------------------------------------------


def _split(keys: Iterable[str]) -> dict[str, set[int]]:
    by_type: dict[str, set[int]] = defaultdict(set)
    for key in keys:
        kind, _, item_id = key.partition(":")
        if kind in TYPES and item_id.isdigit():
            by_type[kind].add(int(item_id))
    return by_type


def _with_dependents(sess: Session, keys: set[str]) -> set[str]:
    out = set(keys)
    for kind, ids in _split(keys).items():
        dependents = TYPES[kind].dependents
        if dependents and ids:
            for other, other_ids in dependents(sess, sorted(ids)):
                out.update(f"{other}:{i}" for i in other_ids)
    return out


def _write(sess: Session, backend: SearchBackend, keys: set[str]) -> None:
    """Re-read ``keys`` from the database and write them; keys no longer public are removed."""
    docs: list[SearchDoc] = []
    for kind, ids in _split(keys).items():
        docs.extend(TYPES[kind].load(sess, sorted(ids)))
    found = {d.key for d in docs}
    backend.update(docs, sorted(keys - found))


def refresh(app: Flask, keys: Iterable[str]) -> bool:
    """Write ``keys`` (and what depends on them) to the index now; False if deferred to the lock holder."""
    backend = get_backend(app)
    wanted = set(keys)
    with Session(app.extensions["engine"]) as sess:
        wanted = _with_dependents(sess, wanted)
        while True:
            with backend.writer_lock(timeout=LOCK_WAIT) as locked:
                if not locked:
                    # A rebuild is running: it writes these once its build is done.
                    backend.defer(wanted)
                    return False
                _write(sess, backend, wanted | backend.pending())
            # A writer that deferred to us while we held the lock must not be left waiting.
            if not getattr(backend, "has_pending", lambda: False)():
                return True
            wanted = set()


def refresh_after_commit(sess: Session, *objects: object, keys: Iterable[str] = ()) -> None:
    """After the current transaction commits, re-index ``objects`` (ORM rows of searchable types).

    Call it from every service that publishes, withdraws, edits or deletes a searchable item. Failing to
    write the index never fails the commit: the item is logged and ``portal index --check`` shows it.
    """
    wanted = set(keys)
    for obj in objects:
        kind = type_of(obj)
        if kind is not None and getattr(obj, "id", None) is not None:
            wanted.add(f"{kind.name}:{obj.id}")
    if not wanted or not has_app_context():
        return
    app = current_app._get_current_object()
    pending: set[str] = sess.info.setdefault("search_refresh", set())
    if not pending:
        db.after_commit(sess, lambda: _refresh_quietly(app, sess.info.pop("search_refresh", set())))
    pending.update(wanted)


def _refresh_quietly(app: Flask, keys: set[str]) -> None:
    try:
        refresh(app, keys)
    except Exception:  # the data is committed; the index catches up at the next rebuild
        log.exception("search index update failed for %d item(s); run `portal index --check`", len(keys))


# -- rebuild and check ------------------------------------------------------------------------------


def all_docs(sess: Session) -> Iterator[SearchDoc]:
    for kind in TYPES.values():
        yield from kind.load(sess, None)


def rebuild(app: Flask) -> BuildStats:
    backend = get_backend(app)
    with Session(app.extensions["engine"]) as sess:

        def catch_up() -> None:
            pending = backend.pending()
            if pending:
                _write(sess, backend, _with_dependents(sess, pending))

        return backend.rebuild(all_docs(sess), before_swap=catch_up)


@dataclass
class Drift:
    missing: list[str] = field(default_factory=list)  # public in the database, absent from the index
    extra: list[str] = field(default_factory=list)  # in the index, not public in the database
    stale: list[str] = field(default_factory=list)  # indexed with different content
    indexed: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def check(app: Flask) -> Drift:
    backend = get_backend(app)
    indexed = backend.fingerprints()
    drift = Drift(indexed=len(indexed))
    seen = set()
    with Session(app.extensions["engine"]) as sess:
        for doc in all_docs(sess):
            seen.add(doc.key)
            if doc.key not in indexed:
                drift.missing.append(doc.key)
            elif indexed[doc.key] != fingerprint(doc):
                drift.stale.append(doc.key)
    drift.extra = sorted(set(indexed) - seen)
    return drift


@event.listens_for(Session, "after_rollback")
def _drop_refresh(sess: Session) -> None:
    if sess.in_nested_transaction():
        return
    sess.info.pop("search_refresh", None)

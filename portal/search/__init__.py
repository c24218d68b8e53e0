"""Site search: one interface, a Whoosh backend (default) and a PostgreSQL backend.

The index is derived data. Services call :func:`refresh_after_commit` with what they published, withdrew
or edited, which writes the index work to an outbox table in the same transaction; once the transaction
commits, those items are re-read from the database and written to the index (or removed from it, if they
are no longer public), and a crash in between heals at the next drain (:mod:`portal.search.outbox`).
``portal index --rebuild`` rebuilds everything and ``portal index --check`` applies the outbox and reports
drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy.orm import Session

from portal.search import outbox
from portal.search.base import BuildStats, SearchBackend, fingerprint
from portal.search.registry import TYPES, SearchableType, SearchDoc, register_type

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
    # Work a crashed process committed but never indexed is applied when an app starts, and looked for
    # now and then by every web worker: it heals without a rebuild, a restart or another commit.
    outbox.drain_quietly(app, wait=1.0)
    app.before_request(lambda: outbox.periodic(app))


def get_backend(app: Flask | None = None) -> SearchBackend:
    return (app or current_app).extensions["search"]


# -- keeping the index up to date -------------------------------------------------------------------


def refresh(app: Flask, keys: Iterable[str]) -> bool:
    """Write ``keys`` (and what depends on them) to the index now, through the outbox; False if the writer
    lock was busy (a rebuild holds it): the keys then wait in the outbox for the next drain."""
    outbox.add(app, keys)
    return outbox.drain(app) is not None


def refresh_after_commit(sess: Session, *objects: object, keys: Iterable[str] = ()) -> None:
    """Index ``objects`` (ORM rows of searchable types) and ``keys`` once the current transaction commits.

    Call it from every service that publishes, withdraws, edits or deletes a searchable item, before the
    commit: the work is written to the outbox in the same transaction, so that it survives a crash after
    the commit, and applied after the commit. Failing to write the index never fails the commit: the rows
    stay in the outbox and the next drain writes them (see :mod:`portal.search.outbox`).
    """
    outbox.note(sess, objects, keys)


# -- rebuild and check ------------------------------------------------------------------------------


def all_docs(sess: Session) -> Iterator[SearchDoc]:
    for kind in TYPES.values():
        yield from kind.load(sess, None)


def rebuild(app: Flask) -> BuildStats:
    backend = get_backend(app)
    with Session(app.extensions["engine"]) as sess:

        def catch_up() -> None:  # changes committed during the build: the rebuild holds the writer lock
            outbox.apply_locked(app, backend)

        stats = backend.rebuild(all_docs(sess), before_swap=catch_up)
    outbox.drain(app)  # backends that do not call before_swap; otherwise a cheap no-op
    return stats


@dataclass
class Drift:
    applied: int = 0  # outbox rows (work a crash left behind) applied before comparing
    missing: list[str] = field(default_factory=list)  # public in the database, absent from the index
    extra: list[str] = field(default_factory=list)  # in the index, not public in the database
    stale: list[str] = field(default_factory=list)  # indexed with different content
    indexed: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def check(app: Flask) -> Drift:
    """Apply the outbox, then compare the index with the database (what a rebuild would write)."""
    backend = get_backend(app)
    applied = outbox.drain(app)
    indexed = backend.fingerprints()
    drift = Drift(indexed=len(indexed), applied=applied or 0)
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

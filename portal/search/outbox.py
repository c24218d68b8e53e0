"""Index work recorded in the transaction of the change, applied after the commit: the search outbox.

A service that publishes, withdraws or edits a searchable item calls
:func:`portal.search.refresh_after_commit`. That only notes the item on the session; just before the
transaction commits (``before_commit``) one ``search_outbox`` row per item is added to it, so the change and
the promise to index it commit together or not at all. After the commit the outbox is *drained*: under the
index's writer lock, its rows are read, their items re-read from the database and written to the index (or
removed from it when no longer public), and then the rows are deleted. A crash anywhere in between (kill -9
right after the commit, a failed index write) leaves the rows behind, and the next drain writes them: after
any later commit, when an app starts (:func:`drain_quietly` from ``init_app``), at most every
``PERIODIC_SECONDS`` in each web worker, and in ``portal index --check`` and ``--rebuild``.

Why this is safe with several writers: a drain reads the outbox and the items only once it holds the writer
lock, so the last drain to write an item read it last; a row committed after a drain's read stays for the next
drain, which its own committer runs. Drains are idempotent (they re-read the database, the only truth).

Test seam: with ``PORTAL_TEST_KILL_AFTER_COMMIT=1`` in its environment a process kills itself with SIGKILL
right after a commit that wrote outbox rows, before it touches the index
(``tests/search/test_outbox.py`` uses it to crash a real ``portal load`` between commit and index update).
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections import defaultdict
from collections.abc import Iterable

from flask import Flask, current_app, has_app_context
from sqlalchemy import delete, event, exists, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal.models.search import SearchOutbox
from portal.search.base import SearchBackend
from portal.search.registry import TYPES, SearchDoc, type_of

log = logging.getLogger(__name__)

LOCK_WAIT = 10.0  # seconds a drain waits for the writer lock (a rebuild) before leaving its rows for later
PERIODIC_SECONDS = 30.0  # how often each web worker looks for rows a crashed process left behind
BATCH = 500  # outbox rows applied per index write
KILL_ENV = "PORTAL_TEST_KILL_AFTER_COMMIT"

_NOTED = "search_outbox_noted"  # sess.info: (objects, {key: operation}) noted during the transaction
_APP = "search_outbox_app"  # sess.info: the app whose index the drain after commit writes
_WRITTEN = "search_outbox_written"  # sess.info: this transaction added outbox rows


# -- recording ---------------------------------------------------------------------------------------


def note(sess: Session, objects: Iterable[object], keys: Iterable[str]) -> None:
    """Remember ``objects`` (ORM rows of searchable types) and ``keys`` ("type:id") for this transaction."""
    noted_objects, noted_keys = sess.info.setdefault(_NOTED, ([], {}))
    for obj in objects:
        if type_of(obj) is not None:
            noted_objects.append(obj)
    for key in keys:
        noted_keys.setdefault(key, "update")
    if has_app_context():
        sess.info[_APP] = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy, typed as the Flask it stands for


def _rows(sess: Session) -> list[SearchOutbox]:
    objects, keys = sess.info.pop(_NOTED, ([], {}))
    if any(getattr(obj, "id", None) is None for obj in objects):
        sess.flush()  # new rows get their ids
    wanted = dict(keys)
    for obj in objects:
        kind = type_of(obj)
        item_id = getattr(obj, "id", None)
        if kind is not None and item_id is not None:
            state = inspect(obj)
            deleted = state.deleted or state.was_deleted
            wanted[f"{kind.name}:{item_id}"] = "delete" if deleted else "update"
    return _make_rows(wanted)


def _make_rows(wanted: dict[str, str]) -> list[SearchOutbox]:
    rows = []
    for key, operation in sorted(wanted.items()):
        kind, _, item_id = key.partition(":")
        if kind in TYPES and item_id.isdigit():
            rows.append(SearchOutbox(item_type=kind, item_id=int(item_id), operation=operation))
    return rows


@event.listens_for(Session, "before_commit")
def _write_outbox(sess: Session) -> None:
    if _NOTED not in sess.info:
        return
    rows = _rows(sess)
    if rows:
        sess.add_all(rows)  # flushed by this commit, in its transaction
        sess.info[_WRITTEN] = True


@event.listens_for(Session, "after_commit")
def _drain_after_commit(sess: Session) -> None:
    if sess.in_nested_transaction():
        return  # a savepoint was released: the rows commit (or not) with the outer transaction
    app = sess.info.pop(_APP, None)
    if not sess.info.pop(_WRITTEN, False):
        return
    if os.environ.get(KILL_ENV) == "1":
        os.kill(os.getpid(), signal.SIGKILL)  # test seam: die between the commit and the index update
    if app is not None:
        drain_quietly(app)


@event.listens_for(Session, "after_rollback")
def _forget(sess: Session) -> None:
    if sess.in_nested_transaction():
        return
    for name in (_NOTED, _APP, _WRITTEN):
        sess.info.pop(name, None)


def add(app: Flask, keys: Iterable[str]) -> None:
    """Commit outbox rows for ``keys`` on their own (work asked for outside a change's transaction), without
    applying them."""
    with Session(app.extensions["engine"]) as sess:
        sess.add_all(_make_rows(dict.fromkeys(keys, "update")))
        sess.commit()


# -- applying ----------------------------------------------------------------------------------------


def split(keys: Iterable[str]) -> dict[str, set[int]]:
    by_type: dict[str, set[int]] = defaultdict(set)
    for key in keys:
        kind, _, item_id = key.partition(":")
        if kind in TYPES and item_id.isdigit():
            by_type[kind].add(int(item_id))
    return by_type


def with_dependents(sess: Session, keys: set[str]) -> set[str]:
    out = set(keys)
    for kind, ids in split(keys).items():
        dependents = TYPES[kind].dependents
        if dependents and ids:
            for other, other_ids in dependents(sess, sorted(ids)):
                out.update(f"{other}:{i}" for i in other_ids)
    return out


def write(sess: Session, backend: SearchBackend, keys: set[str]) -> None:
    """Re-read ``keys`` from the database and write them; keys no longer public are removed."""
    docs: list[SearchDoc] = []
    for kind, ids in split(keys).items():
        docs.extend(TYPES[kind].load(sess, sorted(ids)))
    found = {d.key for d in docs}
    backend.update(docs, sorted(keys - found))


def waiting(app: Flask) -> bool:
    """Whether any index work is owed (one indexed look-up)."""
    with Session(app.extensions["engine"]) as sess:
        return bool(sess.scalar(select(exists().where(SearchOutbox.id.isnot(None)))))


def apply_locked(app: Flask, backend: SearchBackend) -> int:
    """Apply every outbox row; the caller holds the writer lock. Returns the number of rows applied."""
    applied = 0
    with Session(app.extensions["engine"]) as sess:
        while True:
            # Read only now, under the lock: what this drain writes is at least as new as any earlier drain.
            rows = sess.execute(
                select(SearchOutbox.id, SearchOutbox.item_type, SearchOutbox.item_id)
                .order_by(SearchOutbox.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return applied
            keys = {f"{kind}:{item_id}" for _id, kind, item_id in rows}
            write(sess, backend, with_dependents(sess, keys))
            sess.rollback()  # end the read (SQLite keeps its snapshot until then) before deleting
            sess.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r[0] for r in rows])))
            sess.commit()
            applied += len(rows)


def drain(app: Flask, wait: float | None = None) -> int | None:
    """Apply the outbox now; None if the writer lock could not be had (a rebuild holds it: its rows wait)."""
    if not waiting(app):
        return 0
    backend: SearchBackend = app.extensions["search"]
    with backend.writer_lock(timeout=LOCK_WAIT if wait is None else wait) as locked:
        if not locked:
            log.info("search index writer lock busy; outbox rows wait for the next drain")
            return None
        return apply_locked(app, backend)


def drain_quietly(app: Flask, wait: float | None = None) -> int | None:
    """:func:`drain`, for hooks: the data is committed and its rows stay, so an error is logged, not raised."""
    try:
        return drain(app, wait)
    except DBAPIError as exc:  # e.g. a database not migrated yet: nothing can be owed
        log.debug("search outbox not drained: %s", exc)
    except Exception:
        log.exception("search index update failed; the outbox keeps the work for the next drain")
    return None


def periodic(app: Flask) -> None:
    """Drain at most every ``PERIODIC_SECONDS`` per process (a ``before_request`` hook): heals a crash in
    another process without a restart or a later commit, at the cost of one look-up per period."""
    state = app.extensions.setdefault("search_outbox_due", [time.monotonic() + PERIODIC_SECONDS])
    now = time.monotonic()
    if now < state[0]:
        return
    state[0] = now + PERIODIC_SECONDS
    drain_quietly(app, wait=0)

"""A stamp that changes whenever a commit may have changed what the public sees.

Rendered-HTML caches (one per gunicorn worker) and the static export compare against it. The stamp lives
in a small file in the instance folder, so every process on the machine (both workers, the CLI loading
content, a staff action in another worker) sees a change at once, without a database round trip.

Any ORM write bumps it, except writes that only touch tables listed in :data:`NEUTRAL_TABLES` (audit log,
accounts): publishing is rare, so invalidating a little too often costs nothing, while missing an
invalidation would serve a stale page. Writes made outside the ORM session must call :func:`bump`.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from weakref import WeakKeyDictionary

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState, Session

# Tables whose rows never appear on a public page.
NEUTRAL_TABLES: set[str] = {"audit_entry", "user_account"}


class PublicVersion:
    """The stamp of one app, kept in a small file of its instance folder.

    Every request asks for it (the page cache, the agency map, the site frame, Last-Modified), so it is
    read once per change rather than once per call: the file is never written in place (:meth:`bump`
    writes a new file and renames it over the old one), so the same inode always holds the same stamp, and
    one ``stat`` tells whether it is still the file last read. The file last read is kept open, which keeps
    its inode number from being given to the next stamp's file.
    """

    def __init__(self, instance_path: Path) -> None:
        instance_path.mkdir(parents=True, exist_ok=True)
        self.path = instance_path / "public_version"
        self._lock = threading.Lock()
        self._held: _Held | None = None

    def _stat(self) -> tuple[str, float | None]:
        """(stamp, mtime) of the current file: ("", None) before the first bump."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return "", None
        held = self._held
        if held is None or (held.dev, held.ino) != (st.st_dev, st.st_ino):
            held = self._reopen()
            if held is None:
                return "", None
        return held.stamp, st.st_mtime

    def _reopen(self) -> _Held | None:
        with self._lock:
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                return None
            st = os.fstat(fd)
            stamp = os.read(fd, 4096).decode()
            previous, self._held = self._held, _Held(st.st_dev, st.st_ino, stamp, fd)
            if previous is not None:
                os.close(previous.fd)
            return self._held

    def current(self) -> str:
        """The current stamp; empty before the first bump."""
        return self._stat()[0]

    def changed_at(self) -> float | None:
        """When public content last changed (the stamp file's mtime), or None before the first bump."""
        return self._stat()[1]

    def __del__(self) -> None:
        held = getattr(self, "_held", None)
        if held is not None:
            os.close(held.fd)

    def bump(self) -> None:
        """Record that public content may have changed (atomic: readers never see a half-written stamp)."""
        tmp = self.path.with_name(f".public_version.{os.getpid()}.{uuid.uuid4().hex}")
        tmp.write_text(uuid.uuid4().hex)
        os.replace(tmp, self.path)


@dataclass(frozen=True)
class _Held:
    """The stamp file last read, held open by ``fd``."""

    dev: int
    ino: int
    stamp: str
    fd: int


# Session events fire for every session in the process; the stamp to bump is the one of the app whose
# engine the session is bound to, so two apps in one process never bump each other's.
_by_engine: WeakKeyDictionary[Engine, PublicVersion] = WeakKeyDictionary()


def init_app(app: Flask) -> PublicVersion:
    stamp = PublicVersion(app.extensions["settings"].instance_path)
    app.extensions["public_version"] = stamp
    _by_engine[app.extensions["engine"]] = stamp
    return stamp


def of(app: Flask | None = None) -> PublicVersion:
    """The stamp of ``app`` (default: the current app)."""
    return (app or current_app).extensions["public_version"]


def current() -> str:
    """The current app's stamp."""
    return of().current()


def bump() -> None:
    """Record that the current app's public content may have changed (writes made outside the ORM)."""
    of().bump()


def _touches_public(objects: Iterable[object]) -> bool:
    return any(getattr(o, "__tablename__", None) not in NEUTRAL_TABLES for o in objects)


@event.listens_for(Session, "after_flush")
def _note_flush(sess: Session, _context: object) -> None:
    if _touches_public(sess.new) or _touches_public(sess.dirty) or _touches_public(sess.deleted):
        sess.info["public_changed"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_write(state: ORMExecuteState) -> None:
    # Bulk UPDATE/DELETE/INSERT statements bypass the flush.
    if state.is_update or state.is_delete or state.is_insert:
        state.session.info["public_changed"] = True


# No rollback listener on purpose: a savepoint rolled back (one bad content file) must not drop the flag
# set by the other files' flushes; a stray extra bump only costs one cache refill.
@event.listens_for(Session, "after_commit")
def _bump_after_commit(sess: Session) -> None:
    if sess.info.pop("public_changed", False):
        bind = sess.get_bind()
        stamp = _by_engine.get(bind.engine if isinstance(bind, Connection) else bind)
        if stamp is not None:
            stamp.bump()

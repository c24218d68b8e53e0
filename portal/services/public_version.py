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
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

# Tables whose rows never appear on a public page.
NEUTRAL_TABLES: set[str] = {"audit_entry", "user_account"}

_stamp_file: Path | None = None


def configure(instance_path: Path) -> None:
    """Point the stamp at an instance folder (the last app created in a process wins)."""
    global _stamp_file
    instance_path.mkdir(parents=True, exist_ok=True)
    _stamp_file = instance_path / "public_version"


def current() -> str:
    """The current stamp; empty before the first bump."""
    if _stamp_file is None:
        return ""
    try:
        return _stamp_file.read_text()
    except FileNotFoundError:
        return ""


def bump() -> None:
    """Record that public content may have changed (atomic: readers never see a half-written stamp)."""
    if _stamp_file is None:
        return
    tmp = _stamp_file.with_name(f".public_version.{os.getpid()}.{uuid.uuid4().hex}")
    tmp.write_text(uuid.uuid4().hex)
    os.replace(tmp, _stamp_file)


def _touches_public(objects: object) -> bool:
    return any(getattr(o, "__tablename__", None) not in NEUTRAL_TABLES for o in objects)  # type: ignore[union-attr]


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
        bump()

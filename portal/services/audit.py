"""Writing to the audit log. Entries are added to the caller's transaction, so they commit with it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import AuditEntry, User


def record(
    sess: Session,
    actor: User | str,
    action: str,
    obj: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one audit entry; ``actor`` is a user or a system name such as ``"content"`` (portal load) or ``"cli"``."""
    if getattr(obj, "id", 1) is None:
        sess.flush()  # a new object needs its id before the entry can point at it
    if isinstance(actor, User):
        actor_id, actor_name = actor.id, actor.username
    else:
        actor_id, actor_name = None, actor
    entry = AuditEntry(
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=getattr(obj, "id", None),
        object_label=str(
            getattr(obj, "title", None)
            or getattr(obj, "name", None)
            or getattr(obj, "username", None)
            or getattr(obj, "slug", "")
        )[:500],
        before=before,
        after=after,
        note=note,
    )
    sess.add(entry)
    return entry

"""The append-only audit log: who did what, when, with the state before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models.audit_guard import attach as attach_append_only
from portal.models.base import UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(64))  # "cli", "content" (portal load), a username
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. document.publish
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    object_label: Mapped[str] = mapped_column(String(500), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")


# UPDATE and DELETE refused by the database itself (see audit_guard); create_all installs the triggers.
attach_append_only(cast(Table, AuditEntry.__table__))  # a mapped class's table is a Table

"""Reading the audit log: filtered pages for admins, and the CSV export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.clock import LOCAL_TZ
from portal.models import AuditEntry
from portal.services.numbers import parse_int

PAGE_SIZE = 50


@dataclass
class AuditQuery:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> AuditQuery:
        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(args.get(name, "").strip()) if args.get(name, "").strip() else None
            except ValueError:
                return None

        raw_id, raw_page = args.get("object_id", "").strip(), args.get("page", "1").strip()
        return cls(
            actor=args.get("actor", "").strip()[:64],
            action=args.get("action", "").strip()[:64],
            object_type=args.get("object_type", "").strip()[:32],
            object_id=parse_int(raw_id),
            since=day("since"),
            until=day("until"),
            page=parse_int(raw_page, 1, 99999) or 1,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        values = {
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}

    def statement(self) -> Select[AuditEntry]:
        stmt = select(AuditEntry)
        if self.actor:
            stmt = stmt.where(AuditEntry.actor_name == self.actor)
        if self.action:
            stmt = stmt.where(AuditEntry.action.startswith(self.action))
        if self.object_type:
            stmt = stmt.where(AuditEntry.object_type == self.object_type)
        if self.object_id is not None:
            stmt = stmt.where(AuditEntry.object_id == self.object_id)
        if self.since:
            stmt = stmt.where(AuditEntry.at >= datetime.combine(self.since, time(), LOCAL_TZ))
        if self.until:
            stmt = stmt.where(
                AuditEntry.at < datetime.combine(self.until + timedelta(days=1), time(), LOCAL_TZ)
            )
        return stmt


def page(sess: Session, query: AuditQuery) -> tuple[list[AuditEntry], int, int]:
    stmt = query.statement()
    total = sess.scalar(stmt.with_only_columns(func.count(AuditEntry.id))) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    current = min(query.page, pages)
    entries = list(
        sess.scalars(stmt.order_by(AuditEntry.id.desc()).offset((current - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    )
    return entries, current, pages


CSV_COLUMNS = [
    "id",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "note",
]


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ is read as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_rows(sess: Session, query: AuditQuery) -> Iterator[str]:
    """The matching entries as CSV (UTF-8 with BOM, so that Excel reads the Chinese), streamed in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    stmt = query.statement().order_by(AuditEntry.id)
    for entry in sess.scalars(stmt.execution_options(yield_per=500)):
        writer.writerow(
            [
                _cell(str(v))
                for v in (
                    entry.id,
                    entry.at.isoformat(),
                    entry.actor_name,
                    entry.action,
                    entry.object_type,
                    "" if entry.object_id is None else entry.object_id,
                    entry.object_label,
                    ""
                    if entry.before is None
                    else json.dumps(entry.before, ensure_ascii=False, sort_keys=True),
                    ""
                    if entry.after is None
                    else json.dumps(entry.after, ensure_ascii=False, sort_keys=True),
                    entry.note,
                )
            ]
        )
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

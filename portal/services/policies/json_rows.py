"""The lists of a read model as JSON arrays from correlated subqueries, on SQLite and PostgreSQL alike: one
statement then answers for an item and every list its page and its open-data record show, for one item or
hundreds (:mod:`.document_page`, :mod:`.interpretation_page`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, func, literal_column, select, type_coerce
from sqlalchemy.sql.selectable import ScalarSelect


def json_rows(pg: bool, fields: dict[str, Any], source: Any, *where: Any) -> ScalarSelect[Any]:
    """A JSON array of one object per row of ``source`` matching ``where`` (a correlated subquery)."""
    pairs: list[Any] = []
    for key, value in fields.items():
        pairs += [literal_column(f"'{key}'"), value]
    if pg:
        agg: ColumnElement[Any] = func.coalesce(
            func.json_agg(func.json_build_object(*pairs)), literal_column("'[]'::json")
        )
    else:
        agg = func.json_group_array(func.json_object(*pairs))
    return select(type_coerce(agg, JSON)).select_from(source).where(*where).scalar_subquery()


def json_value(pg: bool, column: Any) -> Any:
    """A JSON column inside a JSON object (SQLite stores it as text, which would be quoted)."""
    return column if pg else func.json(column)


def utc(value: str | None) -> datetime | None:
    """A timestamp read from JSON as the models give it (:class:`portal.models.base.UTCDateTime`): aware UTC.
    SQLite writes the naive UTC it stores, PostgreSQL an ISO time with its offset."""
    if not value:
        return None
    found = datetime.fromisoformat(value)
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)

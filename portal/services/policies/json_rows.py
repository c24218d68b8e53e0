"""The lists of a read model as JSON arrays from correlated subqueries, on SQLite and PostgreSQL alike: one
statement then answers for an item and every list its page and its open-data record show, for one item or
hundreds (:mod:`.document_page`, :mod:`.interpretation_page`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Row, bindparam, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect, Select


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


class PreparedLookup:
    """A read model's one statement, built once per backend and lookup (building it costs more than
    running it), with the slug or the ids as parameters. It runs on the session's connection rather than
    through the ORM: it selects columns, not entities, so the ORM's result handling would only add cost."""

    def __init__(self, statement: Callable[[bool], Select[Any]], model: Any) -> None:
        self._statement = statement
        self._model = model
        self._built: dict[tuple[bool, str], Select[Any]] = {}

    def _prepared(self, pg: bool, by: str) -> Select[Any]:
        key = (pg, by)
        if key not in self._built:
            where = (
                self._model.slug == bindparam("slug")
                if by == "slug"
                else self._model.id.in_(bindparam("ids", expanding=True))
            )
            self._built[key] = self._statement(pg).where(where).order_by(self._model.id)
        return self._built[key]

    def by_slug(self, sess: Session, slug: str) -> Sequence[Row[Any]]:
        return self._run(sess, "slug", {"slug": slug})

    def by_ids(self, sess: Session, ids: list[int]) -> Sequence[Row[Any]]:
        return self._run(sess, "ids", {"ids": ids})

    def _run(self, sess: Session, by: str, params: dict[str, Any]) -> Sequence[Row[Any]]:
        conn = sess.connection()
        return conn.execute(self._prepared(conn.dialect.name == "postgresql", by), params).all()

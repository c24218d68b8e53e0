"""Shared column types and helpers for the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from portal.clock import LOCAL_TZ


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, whatever the backend stores.

    SQLite has no time zones and hands back naive values; comparing those with aware ones breaks.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value


class local_year(FunctionElement[int]):  # noqa: N801 - used like func.*
    """``local_year(Document.published_at)``: the year of a UTC timestamp in the district's time zone, for
    grouping by year in SQL. 20:00 UTC on 31 December is already 1 January there, and every page shows
    that local date, so a year taken from the UTC value would put such an item in the wrong year."""

    type = Integer()
    inherit_cache = True
    name = "local_year"


@compiles(local_year)
def _local_year(element: local_year, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL: the column is timestamptz, and the server knows the zone's whole history.
    column = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(YEAR FROM {column} AT TIME ZONE '{LOCAL_TZ.key}') AS INTEGER)"


@compiles(local_year, "sqlite")
def _local_year_sqlite(element: local_year, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite stores naive UTC text and has no zone database: shift by the zone's offset of today, which
    # for Asia/Shanghai has been +8 hours all year since 1992 (no daylight saving).
    offset = LOCAL_TZ.utcoffset(datetime.now(UTC)) or timedelta()
    minutes = int(offset.total_seconds() // 60)
    column = compiler.process(element.clauses, **kw)
    return f"CAST(strftime('%Y', {column}, '{minutes:+d} minutes') AS INTEGER)"


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

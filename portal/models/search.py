"""The PostgreSQL search backend's table (``PORTAL_SEARCH_BACKEND=postgres``); unused on SQLite.

Derived data like the Whoosh folder: ``portal index --rebuild`` refills it from the other tables.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base


class SearchEntry(Base):
    __tablename__ = "search_entry"
    __table_args__ = (Index("ix_search_entry_tsv", "tsv", postgresql_using="gin"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # "document:12"
    type: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500))
    day: Mapped[date | None] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer)
    doc_number: Mapped[str] = mapped_column(String(64), default="")
    validity: Mapped[str] = mapped_column(String(16), default="")
    # Multi-valued facets as "|a|b|": matched with strpos, counted with string_to_array.
    agencies: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[str] = mapped_column(Text, default="")
    fingerprint: Mapped[str] = mapped_column(String(32))
    # Bigram lexemes, weighted by field (title and 文号 A, questions B, body D), without positions: the
    # GIN index finds candidates, and ``head``/``flat`` (the text as units, punctuation dropped) confirm a
    # phrase of three or more characters with LIKE, so that no tsvector limit (16,383 positions, 256 per
    # lexeme) can lose a match. A one- or two-character word is a single lexeme: the tsvector is exact.
    tsv: Mapped[str] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))
    head: Mapped[str] = mapped_column(Text)  # flat title, 文号 and questions: small, ranks without detoasting
    flat: Mapped[str] = mapped_column(Text)

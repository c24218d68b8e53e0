"""The search tables: the outbox of index work (every database), and the PostgreSQL backend's index
(``PORTAL_SEARCH_BACKEND=postgres``; unused on SQLite).

The index tables are derived data like the Whoosh folder: ``portal index --rebuild`` refills them from the
other tables. The outbox is not: it is written in the transaction of the change it describes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base

# The tsv indexes are GIN with its pending list (fastupdate): a write appends to it and moves it into the index in bulk
# (gin_clean_pending_list) before it commits, several times faster than inserting row by row, and no
# query ever scans a pending list left over from a committed write.


class SearchEntry(Base):
    """One searchable item: what a hit shows, its facets, and the bigrams that find it."""

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
    # Multi-valued facets as "|a|b|": filtered with strpos, counted by distinct set (few) and then split.
    agencies: Mapped[str] = mapped_column(Text, default="")  # slugs
    topics: Mapped[str] = mapped_column(Text, default="")
    fingerprint: Mapped[str] = mapped_column(String(32))
    # The four units starting at each position of the text (fewer at its end), once each, without positions
    # or weights: a word of up to four units is the prefix query of its units, answered exactly by the GIN
    # index; a longer one is the AND of its four-unit runs, whose candidates ``head`` or a body chunk confirm
    # by substring (so no tsvector limit, 16,383 positions or 256 per lexeme, can lose a match). Queries
    # never read this column from the row, only the index.
    tsv: Mapped[str] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))
    head: Mapped[str] = mapped_column(Text)  # flat title, 文号 and questions: small, ranks without detoasting


class SearchChunk(Base):
    """A stretch of an item's body as units (punctuation dropped), about 2 KB so that it stays in the row,
    overlapping the next by the longest possible query word less one unit, so that any word lies whole
    inside some chunk: a phrase is confirmed in the few chunks that hold all its four-unit runs instead
    of in the whole toasted body of every candidate item (about 10 times less work)."""

    __tablename__ = "search_chunk"
    __table_args__ = (Index("ix_search_chunk_tsv", "tsv", postgresql_using="gin"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # the item's search_entry key
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    tsv: Mapped[str] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))
    flat: Mapped[str] = mapped_column(Text)


class SearchOutbox(Base):
    """Index work owed for a committed change: written by the same transaction as the change, so that a
    crash between the commit and the index update (kill -9, power loss, a failed index write) leaves the row
    behind, and the next drain (after any commit, at start-up, in ``portal index --check``, or the web
    workers' periodic look) writes the item and deletes the row. See :mod:`portal.search.outbox`."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_type: Mapped[str] = mapped_column(String(32))  # a registered searchable type: "document"
    item_id: Mapped[int] = mapped_column(Integer)
    # "update" (published, edited) or "delete" (the row was deleted). Applying either re-reads the item
    # from the database, which alone says whether it is public now; the operation is for people reading
    # the table.
    operation: Mapped[str] = mapped_column(String(16), default="update")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def key(self) -> str:
        return f"{self.item_type}:{self.item_id}"

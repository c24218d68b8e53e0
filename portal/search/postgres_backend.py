"""The PostgreSQL search backend: two tables shared by every web server.

Each item is a row of ``search_entry`` with what a hit shows, its facets, ``head`` (its title, 文号 and
questions as units) and a tsvector of its *four-unit runs*: the four units starting at each position
of its text (fewer at the end). A word of up to four units is then the prefix query of its units and
the GIN index answers it exactly; a longer word (a phrase) is the AND of its own four-unit runs, which
finds its candidates, and a substring test confirms each one in ``head`` or in ``search_chunk``,
overlapping stretches of the body short enough to stay in the row (the index over their runs picks the
few chunks worth testing). Matching is exact, like the Whoosh backend, and no row's tsvector is ever read:
only the index is.

One statement answers a search: the matches (narrow columns only), the page (ordered on them, its
display columns read for its rows alone) and every facet count, in one pass with grouping sets (the
type counts add up to the total). Relevance is cheap on purpose: a word in ``head`` ranks an item above
one that has it only in the body, then shorter titles, then newer. ts_rank would read every match's
toasted tsvector.

Writers take a transaction-level advisory lock, so there is one writer at a time; a rebuild replaces every
row in one transaction, so readers see the old index until it commits and an interrupted rebuild changes
nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any, cast

from sqlalchemy import MetaData, Table, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import quoted_name

from portal.models.search import SearchChunk, SearchEntry
from portal.search.base import FACETS, BuildStats, Hit, SearchRequest, SearchResult, fingerprint
from portal.search.registry import SearchDoc
from portal.search.text import MAX_QUERY_CHARS, Word, flat_text

LOCK_ID = 0x5EA2C4  # pg_advisory_xact_lock key of the search writers
DRAIN_LOCK_ID = LOCK_ID + 1  # pg_advisory_lock key of the outbox drains (writer_lock)
RUN = 4  # units per lexeme: words up to this long are exact in the index
# The planner costs ``tsv @@ q`` in a sequential scan as one cheap operator per row, but each row's tsvector
# is toasted (tens of KB): for a common word it chose to scan and detoast the whole table (125 ms at 1,000
# documents) over the GIN bitmap (1 ms), which is exact for the words without reading any tsvector. No
# plan here wants a sequential scan. work_mem: the matches of a common word stay in memory.
PLANNER_SETTINGS = "SET LOCAL enable_seqscan = off; SET LOCAL jit = off; SET LOCAL work_mem = '32MB'"
# Writes go to the GIN pending list and are merged into the index in bulk before commit
# (gin_clean_pending_list): several times faster than fastupdate=off, and no reader scans a pending list
# a committed write left behind. lz4 for whatever is toasted: faster than pglz both ways.
# maintenance_work_mem: a GIN index built (or a pending list merged) in fewer, larger passes.
WRITER_SETTINGS = (
    "SET LOCAL default_toast_compression = 'lz4'; SET LOCAL gin_pending_list_limit = '64MB';"
    " SET LOCAL maintenance_work_mem = '256MB'"
)
GIN_INDEXES = ("ix_search_entry_tsv", "ix_search_chunk_tsv")
COLUMNS = (
    "key",
    "type",
    "item_id",
    "title",
    "url",
    "day",
    "year",
    "doc_number",
    "validity",
    "agencies",
    "topics",
    "fingerprint",
    "tsv",
    "head",
)
CHUNK_COLUMNS = ("key", "seq", "tsv", "flat")
CHUNK_OVERLAP = MAX_QUERY_CHARS - 1  # a query word has at most MAX_QUERY_CHARS units: it fits in one chunk
CHUNK_UNITS = 480  # a chunk starts every 480 units and runs 679: about 2 KB of CJK text
BATCH = 500  # items per COPY batch
NEXT = "_next"  # suffix of the tables a rebuild fills before swapping them in
ARRAY_FACETS = ("agency", "topic")
FACET_COLUMNS = {
    "type": "type",
    "year": "year",
    "validity": "validity",
    "agency": "agencies",
    "topic": "topics",
}


def runs(units: str) -> set[str]:
    """The four-unit run starting at each position of ``units`` (a flat text: one character per unit)."""
    return {units[i : i + RUN] for i in range(len(units))}


def _tsvector(lexemes: Iterable[str]) -> str:
    return " ".join(f"'{lex}'" for lex in lexemes)  # units are letters and digits: never a quote


def chunks(flat: str) -> list[str]:
    """The overlapping stretches of a flat body: every run of up to CHUNK_OVERLAP + 1 units is inside one."""
    starts = range(0, max(len(flat) - CHUNK_OVERLAP, 1), CHUNK_UNITS) if flat else ()
    return [flat[start : start + CHUNK_UNITS + CHUNK_OVERLAP] for start in starts]


def _rows(doc: SearchDoc) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The search_entry row of ``doc`` and its search_chunk rows."""
    fields = {f: flat_text(getattr(doc, f)) for f in ("title", "number_text", "questions", "body")}
    lexemes = set().union(*(runs(units) for units in fields.values()))
    head = "\n".join((fields["title"], fields["number_text"], fields["questions"]))
    entry = (
        doc.key,
        doc.type,
        doc.id,
        doc.title,
        doc.url,
        doc.date,
        doc.year,
        doc.doc_number,
        doc.validity,
        _multi(doc.agencies),
        _multi(doc.topics),
        fingerprint(doc),
        _tsvector(lexemes),
        head,
    )
    return entry, [
        (doc.key, seq, _tsvector(runs(chunk)), chunk) for seq, chunk in enumerate(chunks(fields["body"]))
    ]


def _multi(values: list[str]) -> str:
    return "|" + "|".join(v.replace("|", "/") for v in values) + "|" if values else ""


def _tsquery(word: Word) -> str:
    """Exact for a word of up to four units (a prefix); the candidates of a longer one."""
    if len(word.units) <= RUN:
        return f"'{word.flat}':*"
    return " & ".join(
        f"'{run}'" for run in dict.fromkeys(word.flat[i : i + RUN] for i in range(len(word.units) - RUN + 1))
    )


def _facets(counts: list[list[Any]]) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """(total, facets) from the grouping-set rows [type, year, validity, agencies, topics, n], in each of which
    one column is the group (null in the others); a set of agencies or topics counts for each of its values."""
    facets: dict[str, Counter[str]] = {f: Counter() for f in FACETS}
    for kind, year, validity, agencies, topics, n in counts:
        if kind is not None:
            facets["type"][kind] += n
        elif year is not None:
            facets["year"][str(year)] += n
        elif validity:
            facets["validity"][validity] += n
        for name, values in (("agency", agencies), ("topic", topics)):
            for value in values.strip("|").split("|") if values else ():
                facets[name][value] += n
    total = sum(facets["type"].values())  # every item has exactly one type
    return total, {name: sorted(c.items(), key=lambda vc: -vc[1]) for name, c in facets.items()}


class PostgresBackend:
    name = "postgres"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def search(self, request: SearchRequest) -> SearchResult:
        if not request.words:
            return SearchResult(0, [], {f: [] for f in FACETS})
        sql, params = self.statement(request)
        with self.engine.connect() as conn:
            conn.execute(text(PLANNER_SETTINGS))
            page, counts = conn.execute(text(sql), params).one()
        hits = [
            Hit(kind, item_id, title, url, day or "", number)
            for kind, item_id, title, url, day, number in page or []
        ]
        total, facets = _facets(counts or [])
        return SearchResult(total, hits, facets)

    def statement(self, request: SearchRequest) -> tuple[str, dict[str, Any]]:
        """The one statement answering ``request``: the page, and the counts by facet, as JSON."""
        params: dict[str, Any] = {
            "q": " & ".join(f"({_tsquery(w)})" for w in request.words),
            "limit": request.limit,
            "offset": request.offset,
        }
        where = ["tsv @@ CAST(:q AS tsquery)"]
        rank = ["1"]
        for i, word in enumerate(request.words):
            params[f"w{i}"] = word.flat
            in_head = f"strpos(head, :w{i}) > 0"
            rank.append(f"4 * ({in_head})::int")
            if len(word.units) <= RUN:
                continue  # the index is exact
            # A phrase: its runs may lie apart, so find it in the title/文号/questions or in a body chunk.
            where.append(
                f"({in_head} OR key IN (SELECT key FROM search_chunk"
                f" WHERE tsv @@ CAST(:q{i} AS tsquery) AND strpos(flat, :w{i}) > 0))"
            )
            params[f"q{i}"] = _tsquery(word)
        for name, value in request.filters.items():
            column = FACET_COLUMNS[name]
            if name in ARRAY_FACETS:
                params[f"f_{name}"] = _multi([value])
                where.append(f"strpos({column}, :f_{name}) > 0")
            else:
                params[f"f_{name}"] = int(value) if name == "year" else value
                where.append(f"{column} = :f_{name}")
        if request.sort == "date":
            order = "m.day DESC NULLS LAST, m.item_id DESC, m.key"
        else:
            order = "m.rank DESC, m.title_length, m.day DESC NULLS LAST, m.key"
        # m holds only what ordering and counting need; the page's display columns are read for its 20 rows.
        # The counts are one pass (grouping sets); the type counts add up to the total.
        sql = f"""
            WITH m AS (
                SELECT key, item_id, day, length(title) AS title_length, type, year, validity, agencies, topics,
                       {" + ".join(rank)} AS rank
                FROM search_entry WHERE {" AND ".join(where)}
            )
            SELECT (SELECT json_agg(json_build_array(e.type, e.item_id, e.title, e.url, e.day, e.doc_number)
                                    ORDER BY {order.replace("m.", "page.")})
                    FROM (SELECT * FROM m ORDER BY {order} LIMIT :limit OFFSET :offset) AS page
                    JOIN search_entry AS e ON e.key = page.key),
                   (SELECT json_agg(json_build_array(type, year, validity, agencies, topics, n))
                    FROM (SELECT type, year, validity, agencies, topics, count(*) AS n FROM m
                          GROUP BY GROUPING SETS ((type), (year), (validity), (agencies), (topics))) AS counts)
        """
        return sql, params

    # -- writing ------------------------------------------------------------------------------------

    @contextmanager
    def writer_lock(self, timeout: float = 30.0) -> Iterator[bool]:
        """One drain of the outbox at a time, across processes: a session-level advisory lock (released by
        the server if the holder dies). Each write transaction also takes ``LOCK_ID``, which a rebuild holds."""
        with self.engine.connect() as conn:
            deadline = time.monotonic() + timeout
            while not conn.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": DRAIN_LOCK_ID}).scalar():
                conn.rollback()
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
            conn.commit()
            try:
                yield True
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": DRAIN_LOCK_ID})
                conn.commit()

    @staticmethod
    def _lock(conn: Connection) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})

    @staticmethod
    def _copy(conn: Connection, docs: Iterable[SearchDoc], suffix: str = "") -> int:
        """COPY the rows in, a batch at a time: several times faster than INSERT."""
        driver = conn.connection.driver_connection
        assert driver is not None  # a connection in use has its driver's
        cursor = driver.cursor()
        count = 0
        docs = iter(docs)
        while batch := [_rows(doc) for doc in islice(docs, BATCH)]:
            with cursor.copy(f"COPY search_entry{suffix} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for entry, _chunks in batch:
                    copy.write_row(entry)
            with cursor.copy(f"COPY search_chunk{suffix} ({', '.join(CHUNK_COLUMNS)}) FROM STDIN") as copy:
                for _entry, chunk_rows in batch:
                    for row in chunk_rows:
                        copy.write_row(row)
            count += len(batch)
        return count

    def update(self, docs: Iterable[SearchDoc], removed_keys: Iterable[str]) -> None:
        docs = list(docs)
        with self.engine.begin() as conn:
            self._lock(conn)
            conn.execute(text(WRITER_SETTINGS))
            gone = list(removed_keys) + [d.key for d in docs]
            if gone:
                conn.execute(text("DELETE FROM search_entry WHERE key = ANY(:keys)"), {"keys": gone})
                conn.execute(text("DELETE FROM search_chunk WHERE key = ANY(:keys)"), {"keys": gone})
            if docs:
                self._copy(conn, docs)
                for index in GIN_INDEXES:  # merge the pending list now: no reader ever scans it
                    conn.execute(
                        text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"), {"index": index}
                    )

    def rebuild(self, docs: Iterable[SearchDoc], before_swap: Callable[[], None] | None = None) -> BuildStats:
        """Fill fresh copies of the tables, index them in bulk, and swap them in, all in one transaction.

        Readers keep using the old tables until the commit (the swap itself waits for queries running on
        them, milliseconds); building the GIN indexes once over the filled tables is several times faster
        than inserting into them row by row, and leaves them compact.
        """
        started = time.perf_counter()
        tables = [cast(Table, SearchEntry.__table__), cast(Table, SearchChunk.__table__)]
        with self.engine.begin() as conn:
            self._lock(conn)
            conn.execute(text(WRITER_SETTINGS))
            fresh = []
            for table in tables:
                copy = table.to_metadata(MetaData(), name=table.name + NEXT)
                copy.primary_key.name = f"{table.primary_key.name}{NEXT}"  # names are unique per schema
                indexes = list(copy.indexes)  # built once the rows are in
                copy.indexes.clear()
                conn.execute(
                    text(f"DROP TABLE IF EXISTS {copy.name}")
                )  # left by a crash outside a transaction
                copy.create(conn)
                fresh.append((table, copy, indexes))
            count = self._copy(conn, docs, suffix=NEXT)
            for _table, copy, indexes in fresh:
                for index in indexes:
                    index.name = quoted_name(f"{index.name}{NEXT}", None)
                    index.create(conn)
                conn.execute(text(f"ANALYZE {copy.name}"))
            for table, copy, indexes in fresh:
                conn.execute(text(f"DROP TABLE {table.name}"))
                conn.execute(text(f"ALTER TABLE {copy.name} RENAME TO {table.name}"))
                pk = copy.primary_key.name
                conn.execute(
                    text(f"ALTER TABLE {table.name} RENAME CONSTRAINT {pk} TO {table.primary_key.name}")
                )
                for index in indexes:
                    name = str(index.name)
                    conn.execute(text(f"ALTER INDEX {name} RENAME TO {name.removesuffix(NEXT)}"))
        return BuildStats(count, time.perf_counter() - started, self.size_bytes())

    def fingerprints(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(conn.execute(text("SELECT key, fingerprint FROM search_entry")).all())

    def size_bytes(self) -> int:
        with self.engine.connect() as conn:
            sql = "SELECT pg_total_relation_size('search_entry') + pg_total_relation_size('search_chunk')"
            return int(conn.execute(text(sql)).scalar() or 0)

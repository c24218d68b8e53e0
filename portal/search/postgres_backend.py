"""The PostgreSQL search backend: one table shared by every web server.

Each item is a row with a tsvector of its bigram lexemes (GIN-indexed) and ``flat``, its text as units.
A word matches when the tsvector holds all its bigrams (the index finds these candidates) and ``flat``
contains it (LIKE confirms a phrase of three or more characters): exact, like the Whoosh backend.
Relevance is cheap on purpose: a word in the title, 文号 or questions (``head``, a small column) ranks an
item above one that has it only in the body, then newer first. ts_rank would read every matching row's
toasted tsvector, which was most of the time of a common word at 10,000 documents. Facet counts, the total and the page come back in one
statement over a materialised set of matches.

Writers take a transaction-level advisory lock, so there is one writer at a time; a rebuild replaces every
row in one transaction, so readers see the old index until it commits and an interrupted rebuild changes
nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from portal.search.base import FACETS, BuildStats, Hit, SearchRequest, SearchResult, fingerprint
from portal.search.registry import SearchDoc
from portal.search.text import Word, flat_text, index_tokens

ARRAY_COLUMNS = {"agency": "agencies", "topic": "topics"}
LOCK_ID = 0x5EA2C4  # pg_advisory_xact_lock key of the search writers
WEIGHTS = (("title", 1, "A"), ("doc_number", 2, "A"), ("questions", 3, "B"), ("body", 4, "D"))
COLUMNS = ("key", "type", "item_id", "title", "url", "day", "year", "doc_number", "validity", "agencies",
           "topics", "fingerprint", "tsv", "head", "flat")


def tsvector_text(doc: SearchDoc) -> str:
    """The tsvector literal: each lexeme once, at one position per field it occurs in (for its weight)."""
    lexemes: dict[str, list[str]] = {}
    for fieldname, position, weight in WEIGHTS:
        for token in set(index_tokens(getattr(doc, fieldname))):
            lexemes.setdefault(token, []).append(f"{position}{weight}")
    return " ".join(f"'{lex}':{','.join(pos)}" for lex, pos in lexemes.items())


def _multi(values: list[str]) -> str:
    return "|" + "|".join(v.replace("|", "/") for v in values) + "|" if values else ""


def _row(doc: SearchDoc) -> tuple[Any, ...]:
    head = "\n".join(flat_text(getattr(doc, f)) for f in ("title", "doc_number", "questions"))
    return (doc.key, doc.type, doc.id, doc.title, doc.url, doc.date, doc.year, doc.doc_number, doc.validity,
            _multi(doc.agencies), _multi(doc.topics), fingerprint(doc), tsvector_text(doc), head,
            flat_text(doc.body))


def _tsquery(word: Word) -> str:
    if len(word.units) == 1:
        return f"'{word.prefix}':*"
    return " & ".join(f"'{b}'" for b in dict.fromkeys(word.bigrams))


class PostgresBackend:
    name = "postgres"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def search(self, request: SearchRequest) -> SearchResult:
        if not request.words:
            return SearchResult(0, [], {f: [] for f in FACETS})
        params: dict[str, Any] = {
            "q": " & ".join(f"({_tsquery(w)})" for w in request.words),
            "limit": request.limit, "offset": request.offset,
        }
        where = ["tsv @@ CAST(:q AS tsquery)"]
        rank = ["1"]
        for i, word in enumerate(request.words):
            params[f"like{i}"] = f"%{word.flat}%"
            in_head = f"head LIKE :like{i}"
            rank.append(f"4 * ({in_head})::int")
            if len(word.units) > 2:  # a phrase: confirm it (the lexemes alone may lie apart)
                where.append(f"({in_head} OR flat LIKE :like{i})")
        for name, value in request.filters.items():
            params[f"f_{name}"] = int(value) if name == "year" else value
            if name in ARRAY_COLUMNS:
                params[f"f_{name}"] = f"|{value}|"
                where.append(f"strpos({ARRAY_COLUMNS[name]}, :f_{name}) > 0")
            else:
                where.append(f"{name} = :f_{name}")
        order = "day DESC NULLS LAST, item_id DESC" if request.sort == "date" else "rank DESC, length(title), day DESC NULLS LAST"
        sql = f"""
            WITH m AS MATERIALIZED (
                SELECT key, type, item_id, title, url, day, year, doc_number, validity, agencies, topics,
                       {' + '.join(rank)} AS rank
                FROM search_entry WHERE {' AND '.join(where)}
            ), page AS (
                SELECT * FROM m ORDER BY {order}, key LIMIT :limit OFFSET :offset
            )
            SELECT (SELECT count(*) FROM m),
                   (SELECT json_agg(json_build_array(type, item_id, title, url, day, doc_number)
                                    ORDER BY {order.replace('rank', 'page.rank')}, key) FROM page),
                   (SELECT json_agg(json_build_array(f, v, n)) FROM (
                        SELECT 'type' AS f, type AS v, count(*) AS n FROM m GROUP BY type
                        UNION ALL SELECT 'year', year::text, count(*) FROM m WHERE year IS NOT NULL GROUP BY year
                        UNION ALL SELECT 'validity', validity, count(*) FROM m WHERE validity <> '' GROUP BY validity
                        UNION ALL SELECT 'agency', a, count(*) FROM m, unnest(string_to_array(trim(agencies, '|'), '|')) AS a
                            WHERE a <> '' GROUP BY a
                        UNION ALL SELECT 'topic', t, count(*) FROM m, unnest(string_to_array(trim(topics, '|'), '|')) AS t
                            WHERE t <> '' GROUP BY t
                   ) AS counts)
        """
        with self.engine.connect() as conn:
            total, page, counts = conn.execute(text(sql), params).one()
        hits = [Hit(kind, item_id, title, url, day or "", number) for kind, item_id, title, url, day, number in page or []]
        facets: dict[str, list[tuple[str, int]]] = {f: [] for f in FACETS}
        for name, value, count in counts or []:
            facets[name].append((value, count))
        for values in facets.values():
            values.sort(key=lambda vc: -vc[1])
        return SearchResult(total, hits, facets)

    # -- writing ------------------------------------------------------------------------------------

    @contextmanager
    def writer_lock(self, timeout: float = 30.0) -> Iterator[bool]:
        yield True  # each write transaction takes the advisory lock itself

    @staticmethod
    def _lock(conn: Connection) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})

    @staticmethod
    def _copy(conn: Connection, docs: Iterable[SearchDoc], table: str = "search_entry") -> int:
        """COPY rows in: several times faster than INSERT for a rebuild."""
        cursor = conn.connection.driver_connection.cursor()
        count = 0
        with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for doc in docs:
                copy.write_row(_row(doc))
                count += 1
        return count

    def update(self, docs: Iterable[SearchDoc], removed_keys: Iterable[str]) -> None:
        docs = list(docs)
        with self.engine.begin() as conn:
            self._lock(conn)
            gone = list(removed_keys) + [d.key for d in docs]
            if gone:
                conn.execute(text("DELETE FROM search_entry WHERE key = ANY(:keys)"), {"keys": gone})
            if docs:
                self._copy(conn, docs)

    def rebuild(self, docs: Iterable[SearchDoc], before_swap: Callable[[], None] | None = None) -> BuildStats:
        started = time.perf_counter()
        with self.engine.begin() as conn:
            self._lock(conn)
            conn.execute(text("DELETE FROM search_entry"))
            count = self._copy(conn, docs)
        with self.engine.begin() as conn:
            conn.execute(text("ANALYZE search_entry"))
        return BuildStats(count, time.perf_counter() - started, self.size_bytes())

    def fingerprints(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(conn.execute(text("SELECT key, fingerprint FROM search_entry")).all())

    def defer(self, keys: Iterable[str]) -> None:  # never needed: writers wait for the advisory lock
        raise NotImplementedError

    def pending(self) -> set[str]:
        return set()

    def size_bytes(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT pg_total_relation_size('search_entry')")).scalar() or 0)

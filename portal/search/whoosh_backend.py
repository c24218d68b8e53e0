"""The default search backend: a Whoosh index in a folder, engineered for speed.

- Bigram tokens with positions (see :mod:`portal.search.text`); positions are stored as a raw uint32
  array, which decodes in C, instead of Whoosh's pickled varint deltas.
- Lean stored fields: one small tuple per item (what a result line shows); bodies stay in the database.
- Facet counts and filters come from numpy arrays built once per index generation from a column, so
  counting never walks the index; a search costs one pass over its own matches.
- One cached searcher per process, reopened only when the index changes.
- Layout: ``<root>/current`` is a symlink to ``gen-<n>``. A rebuild writes a fresh ``gen-<n+1>`` with the
  bulk segment writer (:mod:`portal.search.whoosh_build`) and swaps the link atomically; readers keep the
  old generation until their next search; an interrupted build leaves ``current`` untouched.
  ``<root>/write.lock`` (flock) admits one writer at a time; updates that cannot wait for a rebuild stay in
  the database's outbox (:mod:`portal.search.outbox`) until the next drain.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, NUMERIC, STORED, FieldType, Schema
from whoosh.formats import Positions
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE, pack_uint, unpack_uint

from portal.search.base import (
    FACETS,
    BuildStats,
    Hit,
    SearchRequest,
    SearchResult,
    facet_values,
    fingerprint,
)
from portal.search.registry import SearchDoc
from portal.search.text import index_tokens
from portal.search.whoosh_build import BATCH_CHARS, BATCH_DOCS, build_segments, commit_segments
from portal.search.whoosh_match import IndexPostings, LRUCache
from portal.search.whoosh_mmap import install as read_segments_in_place

read_segments_in_place()  # one shared page cache instead of a copy of the index in every process

UNIT_SEP, VALUE_SEP = "\x1f", "\x1e"
# Field weights: a match in the title or the 文号 counts far more than one in the body.
BOOSTS = {"title": 8.0, "number": 8.0, "questions": 6.0, "body": 1.0}


MB = 1024 * 1024
CACHE_FLOOR = 256 * MB


def auto_cache_bytes(index_bytes: int, memory_bytes: int | None = None) -> int:
    """The default postings cache of each process: twice the index on disk (decoded positions are int64,
    twice the stored uint32, and compressed on disk), at least 256 MB, at most an eighth of the machine's
    memory (two workers then take at most a quarter). At 50,000 documents a fixed 256 MB held a fifth of
    what the queries read, and every search read postings again (p95 236 ms)."""
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(CACHE_FLOOR, min(2 * index_bytes, memory_bytes // 8))


class ArrayPositions(Positions):
    """Positions as a little uint32 array: about 3x faster to decode than the pickled default."""

    def encode(self, poslist: list[int]) -> bytes:
        return pack_uint(len(poslist)) + array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        positions = array("I")
        positions.frombytes(valuestring[_INT_SIZE:])
        return positions.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return unpack_uint(valuestring[:_INT_SIZE])[0]

    def combine(self, vs: Iterable[bytes]) -> bytes:
        merged: set[int] = set()
        for v in vs:
            merged.update(self.decode_positions(v))
        return self.encode(sorted(merged))


class LeanCodec(W3Codec):
    """Whoosh's codec without per-block field-length statistics.

    Those statistics only feed block-quality skipping, which search turns off (every match must be
    counted for the facets), and collecting them costs a column lookup per posting: a fifth of the build.
    """

    length_stats = False


class BigramField(FieldType):
    """Indexes text as bigram tokens with positions, without going through Whoosh's analyzer chain."""

    indexed = True
    scorable = True
    stored = False
    unique = False
    vector = None
    spelling = False
    sortable_typecode = None
    column_type = None
    analyzer = None

    def __init__(self, field_boost: float = 1.0) -> None:
        self.format = ArrayPositions(field_boost=field_boost)

    def index(self, value: str, **_kwargs: object):  # noqa: ANN201
        positions: defaultdict[str, list[int]] = defaultdict(list)
        for pos, token in enumerate(index_tokens(value)):
            positions[token].append(pos)
        encode = self.format.encode
        boost = self.format.field_boost
        for token, poslist in positions.items():
            yield token.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist)

    def self_parsing(self) -> bool:
        return False

    def has_morph(self) -> bool:
        return False

    def separate_spelling(self) -> bool:
        return False


def make_schema() -> Schema:
    return Schema(
        key=ID(unique=True),
        title=BigramField(BOOSTS["title"]),
        number=BigramField(BOOSTS["number"]),
        questions=BigramField(BOOSTS["questions"]),
        body=BigramField(BOOSTS["body"]),
        date=NUMERIC(int, bits=32, sortable=True, signed=False),
        facets=COLUMN(VarBytesColumn()),
        show=STORED(),
    )


def _fields(doc: SearchDoc) -> dict[str, object]:
    values = facet_values(doc)
    return {
        "key": doc.key,
        "title": doc.title,
        "number": doc.number_text,
        "questions": doc.questions,
        "body": doc.body,
        "date": doc.date.toordinal() if doc.date else 0,
        "facets": UNIT_SEP.join(VALUE_SEP.join(values[f]) for f in FACETS).encode("utf-8"),
        "show": (
            doc.type,
            doc.id,
            doc.title,
            doc.url,
            doc.date.isoformat() if doc.date else "",
            doc.doc_number,
            fingerprint(doc),
        ),
    }


class FacetTable:
    """Each facet's value codes per document number, for counting and filtering with numpy."""

    def __init__(self, reader) -> None:  # noqa: ANN001
        self.size = reader.doc_count_all()
        self.vocab: dict[str, list[str]] = {f: [] for f in FACETS}
        codes: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        docs: dict[str, list[int]] = {f: [] for f in FACETS}
        values: dict[str, list[int]] = {f: [] for f in FACETS}
        if reader.has_column("facets"):
            for docnum, raw in enumerate(reader.column_reader("facets")):
                if not raw:
                    continue
                for name, part in zip(FACETS, raw.decode("utf-8").split(UNIT_SEP), strict=True):
                    if not part:
                        continue
                    table = codes[name]
                    for value in part.split(VALUE_SEP):
                        code = table.get(value)
                        if code is None:
                            code = table[value] = len(table)
                            self.vocab[name].append(value)
                        docs[name].append(docnum)
                        values[name].append(code)
        self.codes = codes
        self.dates = np.zeros(self.size, dtype=np.int32)
        if reader.has_column("date"):
            self.dates[:] = np.fromiter(reader.column_reader("date"), dtype=np.int64, count=self.size)
        self.docs = {f: np.asarray(docs[f], dtype=np.int32) for f in FACETS}
        self.values = {f: np.asarray(values[f], dtype=np.int32) for f in FACETS}

    def mask(self, name: str, value: str) -> np.ndarray:
        """Whether each document number carries ``value`` for facet ``name``."""
        out = np.zeros(self.size, dtype=bool)
        code = self.codes[name].get(value)
        if code is not None:
            out[self.docs[name][self.values[name] == code]] = True
        return out

    def counts(self, matched: np.ndarray) -> dict[str, list[tuple[str, int]]]:
        mask = np.zeros(self.size, dtype=bool)
        mask[matched] = True
        out: dict[str, list[tuple[str, int]]] = {}
        for name in FACETS:
            selected = self.values[name][mask[self.docs[name]]]
            counts = np.bincount(selected, minlength=len(self.vocab[name]))
            nonzero = np.flatnonzero(counts)
            order = nonzero[np.argsort(-counts[nonzero], kind="stable")]
            out[name] = [(self.vocab[name][i], int(counts[i])) for i in order]
        return out


@dataclass(frozen=True)
class _View:
    """What one search reads, taken together so that a concurrent reopen cannot mix generations."""

    searcher: Searcher
    facets: FacetTable
    postings: IndexPostings


class WhooshBackend:
    name = "whoosh"

    def __init__(
        self,
        root: Path,
        procs: int | None = None,
        cache_mb: int = 0,
        batch_docs: int = BATCH_DOCS,
        batch_chars: int = BATCH_CHARS,
    ) -> None:
        self.root = Path(root)
        self.procs = procs if procs is not None else min(2, os.cpu_count() or 1)
        self.batch_docs, self.batch_chars = batch_docs, batch_chars  # the most per segment of a rebuild
        self._guard = threading.RLock()
        self._target: str | None = None
        self._ix: Any = None  # whoosh.index.FileIndex (Whoosh has no type information)
        self._view: _View | None = None
        # Postings read from segments, kept across searchers: segments are immutable. 0 sizes the cache
        # from the index each time a new generation is opened (auto_cache_bytes).
        self._auto_cache = cache_mb <= 0
        self._cache = LRUCache(cache_mb * MB if cache_mb > 0 else CACHE_FLOOR)

    # -- reading ------------------------------------------------------------------------------------

    @property
    def _current(self) -> Path:
        return self.root / "current"

    def _generation(self) -> str | None:
        try:
            return os.readlink(self._current)
        except OSError:
            return None

    def _open_view(self) -> _View | None:
        """The cached searcher with its facet table, reopened after a swap and refreshed after an update."""
        with self._guard:
            target = self._generation()
            if target is None:
                self.close()
                return None
            if target != self._target or self._view is None:
                self.close()
                self._ix = whoosh_index.open_dir(str(self.root / target))
                self._target = target
                if self._auto_cache:
                    self._cache.budget = auto_cache_bytes(self.size_bytes())
                self._view = self._make_view()
            elif self._ix.latest_generation() != self._view.searcher.reader().generation():
                # A fresh searcher, not Searcher.refresh(): that keeps the old reader of a segment whose
                # deletions changed, and so would still show a replaced document.
                self._view.searcher.close()
                self._view = self._make_view()
            return self._view

    def _make_view(self) -> _View:
        searcher = self._ix.searcher()
        reader = searcher.reader()
        return _View(searcher, FacetTable(reader), IndexPostings(reader, self._cache, BOOSTS))

    def close(self) -> None:
        with self._guard:
            if self._view is not None:
                self._view.searcher.close()
            self._ix = self._view = self._target = None

    def search(self, request: SearchRequest) -> SearchResult:
        view = self._open_view()
        if view is None or not request.words:
            return SearchResult(0, [], {f: [] for f in FACETS})
        facets = view.facets
        matches, score = view.postings.match(request.words)
        for name, value in request.filters.items():
            matches &= facets.mask(name, value)
        matched = np.flatnonzero(matches)
        wanted = request.offset + request.limit
        candidates = matched
        if request.sort == "date":
            keys: tuple[np.ndarray, ...] = (
                -candidates,
                -facets.dates[candidates],
            )  # newest first, then the later indexed
        else:
            if len(candidates) > 2 * wanted:
                # Only the requested pages need sorting: those scoring at least the wanted-th best (ties
                # included, so that every page cuts the same total order).
                scores = score[candidates]
                cut = len(scores) - wanted
                candidates = candidates[scores >= np.partition(scores, cut)[cut]]
            keys = (-candidates, -facets.dates[candidates], -score[candidates])
        page = candidates[np.lexsort(keys)][request.offset : wanted].tolist()
        hits = []
        for docnum in page:
            kind, item_id, title, url, day, number, _fp = view.searcher.stored_fields(docnum)["show"]
            hits.append(Hit(kind, item_id, title, url, day, number))
        return SearchResult(len(matched), hits, facets.counts(matched))

    # -- writing ------------------------------------------------------------------------------------

    @contextmanager
    def writer_lock(self, timeout: float = 30.0) -> Iterator[bool]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a+") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.05)
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _writable(self):  # noqa: ANN202
        target = self._generation()
        if target is None:
            target = self._new_generation_dir().name
            whoosh_index.create_in(str(self.root / target), make_schema())
            self._point_current_at(target)
        return whoosh_index.open_dir(str(self.root / target))

    def update(self, docs: Iterable[SearchDoc], removed_keys: Iterable[str]) -> None:
        ix = self._writable()
        writer = ix.writer(timeout=30.0, codec=LeanCodec())
        try:
            for key in removed_keys:
                writer.delete_by_term("key", key)
            for doc in docs:
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        ix.close()

    def rebuild(self, docs: Iterable[SearchDoc], before_swap: Callable[[], None] | None = None) -> BuildStats:
        started = time.perf_counter()
        with self.writer_lock(timeout=600) as locked:
            if not locked:
                raise RuntimeError(
                    f"another process holds the search index writer lock ({self.root}/write.lock)"
                )
            self._remove_stale_generations()
            gen = self._new_generation_dir()
            schema = make_schema()
            whoosh_index.create_in(str(gen), schema).close()
            try:
                segments, count = build_segments(
                    gen,
                    LeanCodec(),
                    frozenset(BOOSTS),
                    map(_fields, docs),
                    self.procs,
                    self.batch_docs,
                    self.batch_chars,
                )
                commit_segments(gen, schema, segments)
            except BaseException:
                shutil.rmtree(gen, ignore_errors=True)
                raise
            previous = self._generation()
            self._point_current_at(gen.name)  # later updates (before_swap's) write to the new index
            if before_swap is not None:
                try:
                    before_swap()
                except BaseException:
                    if previous:
                        self._point_current_at(previous)
                    raise
        return BuildStats(count, time.perf_counter() - started, self.size_bytes())

    def _new_generation_dir(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        gen = self.root / f"gen-{time.time_ns()}"
        gen.mkdir()
        return gen

    def _point_current_at(self, name: str) -> None:
        tmp = self.root / f"current.{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(name, tmp)
        os.replace(tmp, self._current)  # atomic: readers see the old or the new index, never neither

    def _remove_stale_generations(self) -> None:
        """Keep the current generation and the newest older one (a reader may still be finishing)."""
        current = self._generation()
        older = sorted((p for p in self.root.glob("gen-*") if p.name != current), key=lambda p: p.name)
        for path in older[:-1]:
            shutil.rmtree(path, ignore_errors=True)

    # -- drift -----------------------------------------------------------------------------------

    def fingerprints(self) -> dict[str, str]:
        view = self._open_view()
        if view is None:
            return {}
        return {
            f"{show[0]}:{show[1]}": show[6]
            for show in (fields["show"] for fields in view.searcher.all_stored_fields())
        }

    def size_bytes(self) -> int:
        target = self._generation()
        if target is None:
            return 0
        return sum(p.stat().st_size for p in (self.root / target).iterdir() if p.is_file())

"""Matching and scoring over a Whoosh index with numpy, instead of Whoosh's matcher tree.

Why not Whoosh's own queries: its phrase matcher decodes and compares positions document by document in
Python, and exact totals and facet counts make it visit every match, so a common word costs 50-250 ms at
10,000 documents (the profile is in the README). Here a term's postings are read once, block by block, into
numpy arrays, and all the per-document work is vectorised:

- a term's *occurrences* are one sorted int64 array of ``docnum << 32 | position``; a phrase of bigrams
  b0..bk is the intersection of ``occ(bi) - i`` (binary search of the shorter array in the longer);
- a word's score per field is a BM25 term weight over its phrase frequency and the field length, summed
  over the fields with their boosts; scores and matches are dense arrays over the index's document numbers,
  so AND across words, filters and deleted documents are element-wise operations.

Segments are immutable, so what is read from one is cached (LRU, bounded in bytes) under the segment's
id: an incremental update adds a segment and leaves the cache of the others valid. Reading is the cost
(Whoosh pickles each block of postings: about 2-3 µs a posting); once cached, a term costs microseconds.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from portal.search.text import Word

T = TypeVar("T")

K1, B = 1.2, 0.75
_EMPTY_I64 = np.empty(0, dtype=np.int64)
_BYTE_TO_LENGTH = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)


class LRUCache:
    """Arrays by key, dropping the least recently used once their total size passes ``budget`` bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._items: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, load: Callable[[], T]) -> T:
        # A key's value was made by a load for that same key, so it is that load's type.
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return cast(T, item[0])
        value = load()
        nbytes = _nbytes(value)
        with self._lock:
            if key not in self._items and nbytes <= self.budget:
                self._items[key] = (value, nbytes)
                self.size += nbytes
                while self.size > self.budget:
                    _key, (_value, dropped) = self._items.popitem(last=False)
                    self.size -= dropped
        return value


def _nbytes(value: object) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes + 100
    if isinstance(value, tuple):
        return sum(_nbytes(v) for v in value)
    return 100


def _blocks(seg, field: str, term: bytes):  # noqa: ANN001, ANN202
    """(ids, weights, values) per stored block of a term's postings in one segment.

    ``values()`` decodes the block's values (positions) only when called, before the next block is read.
    """
    try:
        matcher = seg._terms.matcher(field, term, seg.schema[field].format)
    except (TermNotFound, KeyError):
        return
    if isinstance(matcher, W3LeafMatcher):

        def values() -> Sequence[bytes]:
            matcher._read_values()
            return matcher._values

        while matcher.is_active():
            # The block's own arrays, decoded once per block rather than once per posting.
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids, matcher._weights, values
            matcher._next_block()
    else:  # postings of a rare term are inlined in the term index
        ids, weights, inlined = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            inlined.append(matcher.value())
            matcher.next()
        yield ids, weights, lambda: inlined


class SegmentPostings:
    """What search reads from one immutable segment, through the shared cache."""

    def __init__(self, seg, base: int, cache: LRUCache) -> None:  # noqa: ANN001
        self.seg = seg
        self.base = base
        self.cache = cache
        self.id = seg.segment().segment_id()

    def frequencies(self, field: str, term: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(local docnums, term frequency) of ``term``: no positions are decoded."""
        return self.cache.get((self.id, "f", field, term), lambda: self._read_frequencies(field, term))

    def _read_frequencies(self, field: str, term: bytes) -> tuple[np.ndarray, np.ndarray]:
        ids, counts = [], []
        boost = self.seg.schema[field].format.field_boost
        for block_ids, weights, _values in _blocks(self.seg, field, term):
            ids.append(np.asarray(block_ids, dtype=np.int32))
            counts.append(np.asarray(weights, dtype=np.float32) / boost)
        if not ids:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        return np.concatenate(ids), np.concatenate(counts)

    def occurrences(self, field: str, term: bytes) -> np.ndarray:
        """Sorted ``local docnum << 32 | position`` of every occurrence of ``term``."""
        return self.cache.get((self.id, "o", field, term), lambda: self._read_occurrences(field, term))

    def _read_occurrences(self, field: str, term: bytes) -> np.ndarray:
        parts = []
        for block_ids, _weights, block_values in _blocks(self.seg, field, term):
            values = block_values()
            # Each value is a uint32 count, then that many uint32 positions (ArrayPositions): the values are
            # joined whole and the counts dropped by index, without slicing each value in Python (a
            # quarter of a first search's time at 50,000 documents went into those per-value steps).
            sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // _INT_SIZE
            words = np.frombuffer(b"".join(values), dtype=np.uint32)
            keep = np.ones(len(words), dtype=bool)
            keep[np.cumsum(sizes) - sizes] = False
            positions = words[keep]
            counts = sizes - 1
            docs = np.repeat(np.asarray(block_ids, dtype=np.int64), counts)
            parts.append((docs << 32) | positions.astype(np.int64))
        return np.concatenate(parts) if parts else _EMPTY_I64

    def prefix_frequencies(self, field: str, prefix: str) -> tuple[np.ndarray, np.ndarray]:
        """(local docnums, summed frequency) of every term starting with ``prefix`` (a one-unit word)."""

        def load() -> tuple[np.ndarray, np.ndarray]:
            size = self.seg.doc_count_all()
            freq = np.zeros(size, dtype=np.float32)
            for term in self.seg.expand_prefix(field, prefix):
                ids, counts = self._read_frequencies(
                    field, term if isinstance(term, bytes) else term.encode()
                )
                freq[ids] += counts
            docs = np.flatnonzero(freq).astype(np.int32)
            return docs, freq[docs]

        return self.cache.get((self.id, "p", field, prefix), load)

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length in ``field`` (Whoosh keeps it to one byte, approximate when long)."""

        def load() -> np.ndarray:
            perdoc, name, size = self.seg._perdoc, f"_{field}_len", self.seg.doc_count_all()
            if not perdoc.has_column(name):
                return np.zeros(size, dtype=np.float32)
            raw = np.fromiter(perdoc.column_reader(name, LENGTHS_COLUMN), dtype=np.uint8, count=size)
            return _BYTE_TO_LENGTH[raw]

        return self.cache.get((self.id, "l", field), load)


def phrase_frequencies(occurrences: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, count) of the places where occurrences[0], occurrences[1], ... follow one another."""
    shifted = sorted((occ - i for i, occ in enumerate(occurrences)), key=len)
    starts = shifted[0]
    for other in shifted[1:]:
        if not len(starts) or not len(other):
            starts = _EMPTY_I64
            break
        index = np.searchsorted(other, starts)
        index[index == len(other)] = len(other) - 1
        starts = starts[other[index] == starts]
    return group_counts(starts >> 32)


def group_counts(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(..., return_counts=True) for an already sorted array, in one linear pass."""
    if not len(sorted_values):
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
    edges = np.flatnonzero(np.diff(sorted_values)) + 1
    starts = np.concatenate(([0], edges))
    counts = np.diff(np.concatenate((starts, [len(sorted_values)])))
    return sorted_values[starts].astype(np.int32), counts.astype(np.float32)


class IndexPostings:
    """Dense per-document matching and scoring over every segment of one searcher's reader."""

    def __init__(self, reader, cache: LRUCache, boosts: dict[str, float]) -> None:  # noqa: ANN001
        leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
        # An index without segments (nothing public yet) reads as one empty reader without a segment.
        self.segments = [
            SegmentPostings(seg, base, cache) for seg, base in leaves if seg.segment() is not None
        ]
        self.size = reader.doc_count_all()
        self.boosts = boosts
        self.live = np.ones(self.size, dtype=bool)
        for segment in self.segments:
            if segment.seg.has_deletions():
                deleted = np.fromiter(segment.seg.deleted_docs_set, dtype=np.int64)
                self.live[deleted + segment.base] = False
        self.live_count = int(self.live.sum())
        self.average_length = {}
        for field in boosts:
            total = sum(segment.seg.field_length(field) for segment in self.segments)
            self.average_length[field] = max(total / max(self.size, 1), 1.0)

    def _field_frequencies(self, field: str, word: Word) -> np.ndarray:
        """Dense frequency of ``word`` in ``field`` per document number."""
        freq = np.zeros(self.size, dtype=np.float32)
        bigrams = [b.encode("utf-8") for b in word.bigrams]
        for segment in self.segments:
            if len(word.units) == 1:
                docs, counts = segment.prefix_frequencies(field, word.prefix)
            elif len(bigrams) == 1:
                docs, counts = segment.frequencies(field, bigrams[0])
            else:
                occurrences = []
                for bigram in bigrams:
                    occ = segment.occurrences(field, bigram)
                    if not len(occ):
                        break
                    occurrences.append(occ)
                else:
                    docs, counts = phrase_frequencies(occurrences)
                    freq[docs.astype(np.int64) + segment.base] = counts
                continue
            freq[docs.astype(np.int64) + segment.base] = counts
        return freq

    def _lengths(self, field: str) -> np.ndarray:
        if len(self.segments) == 1:
            return self.segments[0].lengths(field)
        return np.concatenate([segment.lengths(field) for segment in self.segments])

    def word(self, word: Word) -> tuple[np.ndarray, np.ndarray]:
        """(matches, score): a bool and a float array over every document number, for one word."""
        score = np.zeros(self.size, dtype=np.float32)
        matches = np.zeros(self.size, dtype=bool)
        for field, boost in self.boosts.items():
            tf = self._field_frequencies(field, word)
            hit = tf > 0
            if not hit.any():
                continue
            matches |= hit
            norm = K1 * (1 - B + B * self._lengths(field)[hit] / self.average_length[field])
            score[hit] += boost * tf[hit] * (K1 + 1) / (tf[hit] + norm)
        matches &= self.live
        df = int(np.count_nonzero(matches))
        score *= math.log(1 + (self.live_count - df + 0.5) / (df + 0.5))
        return matches, score

    def match(self, words: Sequence[Word]) -> tuple[np.ndarray, np.ndarray]:
        """(matches, score) of documents holding every word, scores summed."""
        matches, score = self.word(words[0])
        for word in words[1:]:
            more, extra = self.word(word)
            matches &= more
            score += extra
        return matches, score

"""A fast full rebuild of the Whoosh index: whole batches of documents written term by term as segments.

Why this exists: Whoosh's own writer costs ~14 µs of pure Python per posting. Every posting (an item has
about 1,800: one per distinct bigram per field) goes through its SortingPool (pickled to temporary runs,
sorted, heap-merged back) and then through ``W3PostingsWriter.add_posting`` one at a time. No maintained
library writes Whoosh segments any faster, and the index format (and every reader of it) must stay as it is.

So a rebuild here tokenises a batch of documents at once with numpy: every unit of a field becomes a uint64
key (its code point, and the next unit's in the low half: 0 for the last unit alone), one stable sort puts
the tokens term-major (code-point order is UTF-8 byte order, which is Whoosh's term order), and the postings
of each term are encoded block by block exactly as ``W3PostingsWriter`` encodes them, into the files of an
ordinary ``W3FieldWriter``. Stored fields, columns and field lengths go through Whoosh's own per-document
writer. The result is a normal Whoosh segment, the same bytes Whoosh writes for the same documents (the
tests compare them), which searchers and incremental updates read and write as before.

Each batch of documents (``BATCH_CHARS`` characters of text at most: bounded memory) becomes one segment,
built by ``procs`` worker processes in parallel; the caller commits one table of contents listing them all,
in input order.
"""

from __future__ import annotations

import multiprocessing
import pickle
import re
import sys
import zlib
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo
from whoosh.fields import FieldType, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import _DEF_INDEX_NAME, TOC, clean_files
from whoosh.system import emptybytes, pack_ushort
from whoosh.util.numeric import length_to_byte

from portal.search.text import normalize

# A batch (one segment) ends at BATCH_CHARS characters of text or BATCH_DOCS documents. Memory per worker
# peaks at about 32 bytes per character of its batch: ~380 MB at 12 M characters (3,500 items of the
# benchmark corpus). Fewer, bigger segments search faster: 200 warm queries on the 10,000-document benchmark
# index cost 0.23 s of CPU on 1 segment, 0.25 s on 4 and 0.33 s on 12.
BATCH_CHARS = 12_000_000
BATCH_DOCS = 5_000
MIN_SPLIT_DOCS = (
    200  # a build that fits in one batch is split between the workers if it has this many per worker
)
BLOCK = 128  # postings per block: W3Codec's default blocklimit
Fields = dict[str, Any]  # one document, as ``Writer.add_document`` takes it

# The complement of ``text._UNIT``: deleting these leaves exactly the units, one character each. Whether a
# character is a unit does not change when it is normalised, so the units are cut first and normalised
# afterwards, as code points, through this table (``normalize`` maps characters one to one, all in the BMP).
_NOT_UNIT = re.compile(r"[\W_]+")
_NORMALIZED = np.frombuffer(
    normalize("".join(map(chr, range(0x10000)))).encode("utf-32-le", "surrogatepass"), dtype="<u4"
).astype(np.uint32)
_NATIVE_LITTLE = sys.byteorder == "little"


def _flat_units(text: str) -> str:
    """The units of ``text``, not yet normalised (see ``_code_points``)."""
    return _NOT_UNIT.sub("", text)


def _code_points(flat: str) -> np.ndarray:
    """The normalised code points of units cut by ``_flat_units``."""
    cps = np.frombuffer(flat.encode("utf-32-le"), dtype="<u4").astype(np.uint32)
    bmp = cps < 0x10000
    cps[bmp] = _NORMALIZED[cps[bmp]]
    return cps


# -- one field of one batch: term-major postings -------------------------------------------------------


class _BigramPostings:
    """The postings of one bigram field over a batch, grouped by term, in Whoosh's order.

    ``terms[t]`` is the t-th term's bytes; its postings are ``starts[t]:starts[t + 1]`` of ``docs`` (document
    number), ``freqs``, and of the values: ``raw[voffsets[p]:voffsets[p] + 4 * (freqs[p] + 1)]`` is posting
    p's ``ArrayPositions`` value (big-endian count, then the positions as native uint32).
    """

    def __init__(self, flats: Sequence[str]) -> None:
        # Memory matters here (a batch has millions of tokens): about 32 bytes per token at the peak.
        lengths = np.fromiter(map(len, flats), dtype=np.int64, count=len(flats))
        total = int(lengths.sum())
        ends = np.cumsum(lengths)
        last = ends[lengths > 0] - 1
        cps = _code_points("".join(flats))
        keys = cps.astype(np.uint64)
        keys <<= np.uint64(32)
        keys[:-1] |= cps[1:]
        keys[last] = cps[last].astype(np.uint64) << np.uint64(32)  # the last unit of a text stands alone
        del cps
        order = np.argsort(keys, kind="stable")  # stable: by document, then position, within a term
        keys = keys[order]
        tokdocs = np.repeat(np.arange(len(flats), dtype=np.int32), lengths)[order]
        positions = np.arange(total, dtype=np.uint32)
        positions -= np.repeat((ends - lengths).astype(np.uint32), lengths)
        positions = positions[order]
        del order

        new_posting = np.ones(total, dtype=bool)
        new_posting[1:] = (keys[1:] != keys[:-1]) | (tokdocs[1:] != tokdocs[:-1])
        pstarts = np.flatnonzero(new_posting)
        del new_posting
        npost = len(pstarts)
        self.freqs = np.diff(np.append(pstarts, total))
        self.docs = tokdocs[pstarts]
        pkeys = keys[pstarts]
        del keys, tokdocs
        tstarts = np.flatnonzero(np.append(True, pkeys[1:] != pkeys[:-1]))
        self.starts = np.append(tstarts, npost)
        self.terms = [_term_bytes(k) for k in pkeys[tstarts].tolist()]
        del pkeys
        # Document numbers as each block of postings stores them: the first, then differences.
        self.deltas = self.docs.copy()
        self.deltas[1:] -= self.docs[:-1]
        within = np.arange(npost) - np.repeat(tstarts, np.diff(self.starts))
        firsts = within % BLOCK == 0
        self.deltas[firsts] = self.docs[firsts]
        del within, firsts

        # Values: each posting's count word followed by its positions, all in one buffer.
        count_slots = pstarts + np.arange(npost)
        del pstarts
        is_count = np.zeros(total + npost, dtype=bool)
        is_count[count_slots] = True
        words = np.empty(total + npost, dtype=np.uint32)
        words[~is_count] = positions
        del is_count, positions
        counts = self.freqs.astype(np.uint32)
        words[count_slots] = counts.byteswap() if _NATIVE_LITTLE else counts
        self.voffsets = 4 * count_slots
        self.raw = words.tobytes()


def _term_bytes(key: int) -> bytes:
    second = key & 0xFFFFFFFF
    return ((chr(key >> 32) + chr(second)) if second else chr(key >> 32)).encode("utf-8")


# -- writing a segment ---------------------------------------------------------------------------------


class BulkFieldWriter(W3FieldWriter):
    """``W3FieldWriter`` that also takes a whole term's postings at once and encodes its blocks directly.

    The bytes are those of ``W3PostingsWriter`` + ``W3TermInfo`` for the same postings (with
    ``inlinelimit=1`` nothing is ever inlined, and without length statistics every length byte is 0).
    """

    def write_bigram_field(self, fieldname: str, fieldobj: FieldType, postings: _BigramPostings) -> None:
        self.start_field(fieldname, fieldobj)
        codec = self._codec
        blocklimit, comp = BLOCK, codec._compression
        boost = fieldobj.format.field_boost
        postfile, tindex_add = self._postfile, self._tindex.add
        prefix = pack_ushort(self._fieldid)
        dumps, compress, raw = pickle.dumps, zlib.compress, postings.raw
        nolength = length_to_byte(None)
        zerolength = length_to_byte(0)
        starts = postings.starts.tolist()
        # The weights as Whoosh keeps them (float32 in the block, the sum and maxima as doubles): freq * boost
        # is exact in float32 for any realistic frequency, so one list serves both.
        weights = (postings.freqs * boost).astype(np.float32)
        docs, freqs, voffsets = postings.docs, postings.freqs, postings.voffsets
        for t, btext in enumerate(postings.terms):
            a, b = starts[t], starts[t + 1]
            ids = docs[a:b].tolist()
            deltas = postings.deltas[a:b].tolist()
            ws = weights[a:b].tolist()
            vstart = voffsets[a:b].tolist()
            vend = (voffsets[a:b] + 4 * (freqs[a:b] + 1)).tolist()
            n = b - a
            offset = postfile.tell()
            postfile.write(WHOOSH3_HEADER_MAGIC)
            maxweight = 0
            for s in range(0, n, blocklimit):
                e = min(s + blocklimit, n)
                block_ws = ws[s:e]
                first = block_ws[0]
                if block_ws.count(first) == len(block_ws):
                    mini_ws = None if first == 1.0 else first
                else:
                    mini_ws = tuple(block_ws)
                values = tuple([raw[x:y] for x, y in zip(vstart[s:e], vend[s:e], strict=True)])
                data = compress(dumps((tuple(deltas[s:e]), mini_ws, values), 2), comp)
                block_max = max(block_ws)
                maxweight = max(maxweight, block_max)
                info = dumps((e - s, ids[e - 1], block_max, comp, nolength, zerolength), 2)
                size = len(info) + len(data)
                postfile.write_int(-size if e == n else size)
                postfile.write(info)
                postfile.write(data)
            terminfo = W3TermInfo(
                weight=float(sum(ws)), df=n, maxlength=0, maxweight=maxweight, minid=ids[0], maxid=ids[-1]
            )
            terminfo.set_extent(offset, postfile.tell() - offset)
            tindex_add(prefix + btext, terminfo.to_bytes())
        self.finish_field()

    def write_field(
        self, fieldname: str, fieldobj: FieldType, postings: dict[bytes, list[tuple[int, float, bytes]]]
    ) -> None:
        """Any other field (key, date: a few terms per document) through Whoosh's own postings writer."""
        self.start_field(fieldname, fieldobj)
        for btext in sorted(postings):
            self.start_term(btext)
            for docnum, weight, vbytes in postings[btext]:
                self.add(docnum, weight, vbytes or emptybytes, 0)
            self.finish_term()
        self.finish_field()


_schemas: dict[str, Schema] = {}


def _schema_of(folder: str) -> Schema:
    if folder not in _schemas:
        _schemas[folder] = TOC.read(FileStorage(folder), _DEF_INDEX_NAME).schema
    return _schemas[folder]


def write_segment(
    folder: str, codec: W3Codec, bigram_fields: frozenset[str], docs: Sequence[Fields]
) -> Segment:
    """Write ``docs`` as one new segment of the index in ``folder`` (not yet listed in its TOC)."""
    if codec._inlinelimit > 1 or codec._blocklimit != BLOCK or getattr(codec, "length_stats", True):
        raise NotImplementedError("the bulk writer encodes postings without inlining or length statistics")
    storage = FileStorage(folder)
    schema = _schema_of(folder)
    segment = codec.new_segment(storage, _DEF_INDEX_NAME)
    perdoc = codec.per_document_writer(storage, segment)
    flats: dict[str, list[str]] = {name: [""] * len(docs) for name in bigram_fields}
    others: dict[str, dict[bytes, list]] = defaultdict(lambda: defaultdict(list))
    # What ``SegmentWriter.add_document`` does per document, postings aside.
    for docnum, fields in enumerate(docs):
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if name in flats:
                flats[name][docnum] = flat = _flat_units(value)
                length = len(flat)  # one token per unit
            elif field.indexed:
                for tbytes, freq, weight, vbytes in field.index(value):
                    if field.scorable:
                        length += freq
                    others[name][tbytes].append(
                        (docnum, weight * 1.0, vbytes)
                    )  # * the field boost, as Whoosh
            perdoc.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
    perdoc.close()

    fieldwriter = BulkFieldWriter(codec, storage, segment)
    for name in sorted(set(flats) | set(others)):
        if name in flats:
            if any(flats[name]):  # like Whoosh, a field without postings is not written at all
                fieldwriter.write_bigram_field(name, schema[name], _BigramPostings(flats.pop(name)))
        else:
            fieldwriter.write_field(name, schema[name], others[name])
    fieldwriter.close()
    segment.set_doc_count(len(docs))
    if segment.should_assemble():
        segment.create_compound_file(storage)
    return segment


# -- the whole build -----------------------------------------------------------------------------------


def _batches(
    docs: Iterable[Fields], bigram_fields: frozenset[str], max_docs: int, max_chars: int
) -> Iterator[list[Fields]]:
    batch: list[Fields] = []
    chars = 0
    for fields in docs:
        batch.append(fields)
        chars += sum(len(fields.get(name) or "") for name in bigram_fields)
        if len(batch) >= max_docs or chars >= max_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def build_segments(
    folder: Path,
    codec: W3Codec,
    bigram_fields: frozenset[str],
    docs: Iterable[Fields],
    procs: int = 2,
    batch_docs: int = BATCH_DOCS,
    batch_chars: int = BATCH_CHARS,
) -> tuple[list[Segment], int]:
    """Write ``docs`` as segments of the (new, empty) index in ``folder``: (segments in input order, count).

    A batch closes at ``batch_docs`` documents or ``batch_chars`` characters of text, whichever comes first.
    Up to ``procs`` batches are built at once in worker processes and as many more wait in the queue, so
    memory stays bounded however many documents there are. A small build stays in process.
    """
    folder_s = str(folder)
    FileStorage(folder_s).temp_storage(f"{_DEF_INDEX_NAME}.tmp")  # shared by the workers: create it once
    batches = _batches(docs, bigram_fields, batch_docs, batch_chars)
    head = list(islice(batches, 2))
    if len(head) == 1 and procs > 1 and len(head[0]) >= procs * MIN_SPLIT_DOCS:
        # Everything fits in one batch: still worth both cores.
        whole = head[0]
        size = -(-len(whole) // procs)
        head = [whole[i : i + size] for i in range(0, len(whole), size)]
    batches = chain(head, batches)
    segments: list[Segment] = []
    count = 0
    if len(head) < 2 or procs <= 1:
        for batch in batches:
            segments.append(write_segment(folder_s, codec, bigram_fields, batch))
            count += len(batch)
        return segments, count

    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    pending: deque[Future] = deque()
    with ProcessPoolExecutor(max_workers=procs, mp_context=context) as pool:
        try:
            for batch in batches:
                if len(pending) >= 2 * procs:
                    segments.append(pending.popleft().result())
                pending.append(pool.submit(write_segment, folder_s, codec, bigram_fields, batch))
                count += len(batch)
            while pending:
                segments.append(pending.popleft().result())
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return segments, count


def commit_segments(folder: Path, schema: Schema, segments: list[Segment]) -> None:
    """List ``segments`` in a new table of contents of the index in ``folder``: they become searchable."""
    storage = FileStorage(str(folder))
    generation = TOC.read(storage, _DEF_INDEX_NAME).generation + 1
    TOC(schema, segments, generation).write(storage, _DEF_INDEX_NAME)
    clean_files(storage, _DEF_INDEX_NAME, generation, segments)
    storage.temp_storage(f"{_DEF_INDEX_NAME}.tmp").destroy()

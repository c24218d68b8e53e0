"""The bulk rebuild writes the index Whoosh's own writer writes, and keeps the rebuild's guarantees."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from portal.search import whoosh_build
from portal.search.base import SearchRequest
from portal.search.registry import SearchDoc
from portal.search.text import parse_query, units
from portal.search.whoosh_backend import WhooshBackend
from tests.conftest import SEEDS

QUERIES = [
    "政务公开",
    "形式主义",
    "基层减负",
    "问责",
    "2020",
    "西政发〔2020〕4号",
    "公",
    "减负 考核",
    "一网通办",
    "ABC",
    "ｗｅｂ",
    "预公开",
    "工作规则",
    "不存在的词语",
]


def seed_docs() -> list[SearchDoc]:
    """Items cut from the seed texts, with every kind of field: empty ones, Latin, full-width, Q&A."""
    docs = []
    for n, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        paragraphs = [p.strip() for p in path.read_text("utf-8").splitlines() if p.strip()]
        for k in range(0, len(paragraphs), 6):
            part = paragraphs[k : k + 6]
            i = len(docs)
            docs.append(
                SearchDoc(
                    type="interpretation" if i % 5 == 4 else "document",
                    id=i + 1,
                    title=part[0][:60],
                    url=f"/policies/p{i}/",
                    date=date(2018 + i % 6, 1 + i % 12, 1 + i % 28) if i % 7 else None,
                    doc_number=f"西政发〔{2018 + i % 5}〕{i}号" if i % 3 else "",
                    body="\n".join(part[1:]) + (" ABC web ｗｅｂ 𠀀𠀁" if i % 4 == 0 else ""),
                    questions="什么是重大行政决策预公开？如何清理僵尸留言板？" if i % 5 == 4 else "",
                    agencies=["xicheng-gov"] if n % 2 else ["xicheng-gov", "beijing-party-office"],
                    topics=["政务公开"] if i % 2 else [],
                    validity="有效" if i % 3 else "",
                )
            )
    return docs


def whoosh_written(root: Path, docs: list[SearchDoc]) -> WhooshBackend:
    """The same documents through Whoosh's own writer (which ``update`` still uses)."""
    backend = WhooshBackend(root)
    backend.update(docs, [])
    return backend


def segment_files(backend: WhooshBackend) -> list[dict[str, bytes]]:
    ix = whoosh_index.open_dir(str(backend.root / "current"))
    out = []
    for segment in ix._segments():
        files = segment.open_compound_file(FileStorage(str(backend.root / "current")))
        contents = {}
        for name in files.list():
            with files.open_file(name) as f:
                contents[name.replace(segment.segment_id(), "")] = f.read()
        out.append(contents)
    ix.close()
    return out


def index_contents(backend: WhooshBackend) -> dict[str, object]:
    """Everything a reader sees: postings with their values, lengths, stored fields, columns."""
    ix = whoosh_index.open_dir(str(backend.root / "current"))
    with ix.reader() as reader:
        size = reader.doc_count_all()
        fields = ["title", "number", "questions", "body"]
        contents = {
            "docs": size,
            "postings": list(reader.iter_postings()),
            "field_lengths": {f: reader.field_length(f) for f in fields},
            # 0 and None both mean "empty": a segment where no document has the field has no length column.
            "doc_lengths": [[reader.doc_field_length(n, f) or 0 for f in fields] for n in range(size)],
            "stored": list(reader.all_stored_fields()),
            "facets": list(reader.column_reader("facets")),
            "dates": list(reader.column_reader("date")),
        }
    ix.close()
    return contents


def results(backend: WhooshBackend) -> list[object]:
    out = []
    for query in QUERIES:
        for sort in ("relevance", "date"):
            result = backend.search(SearchRequest(parse_query(query), sort=sort, limit=100))
            out.append((query, sort, result.total, result.hits, result.facets))
    return out


def found(backend: WhooshBackend) -> list[object]:
    """What each query finds; the order of equal scores and equal facet counts follows document numbers."""
    return [
        (query, total, sorted((h.type, h.id) for h in hits), {f: sorted(c) for f, c in facets.items()})
        for query, _sort, total, hits, facets in results(backend)
    ]


def test_units_are_cut_and_normalised_as_the_text_module_does():
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    expected = np.frombuffer("".join(units(everything)).encode("utf-32-le"), dtype="<u4")
    assert np.array_equal(whoosh_build._code_points(whoosh_build._flat_units(everything)), expected)


def test_one_batch_is_byte_for_byte_the_segment_whoosh_writes(tmp_path):
    docs = seed_docs()
    bulk = WhooshBackend(tmp_path / "bulk", procs=1)
    assert bulk.rebuild(iter(docs)).documents == len(docs)
    reference = whoosh_written(tmp_path / "whoosh", docs)
    ours, theirs = segment_files(bulk), segment_files(reference)
    assert len(ours) == len(theirs) == 1
    assert sorted(ours[0]) == sorted(theirs[0])
    for name in theirs[0]:
        assert ours[0][name] == theirs[0][name], name


def test_parallel_segments_hold_and_find_exactly_what_whoosh_wrote(tmp_path):
    docs = seed_docs()
    bulk = WhooshBackend(tmp_path / "bulk", procs=2, batch_docs=7)
    bulk.rebuild(iter(docs))
    reference = whoosh_written(tmp_path / "whoosh", docs)
    assert len(segment_files(bulk)) == -(-len(docs) // 7)  # one segment per batch: bounded memory
    assert index_contents(bulk) == index_contents(reference)
    assert results(bulk) == results(reference)
    assert results(bulk)[0][2] > 0


def test_batches_close_at_the_character_budget_and_a_small_build_uses_both_workers(tmp_path, monkeypatch):
    docs = seed_docs()
    reference = index_contents(whoosh_written(tmp_path / "whoosh", docs))
    chars = sum(len(d.title) + len(d.doc_number) + len(d.questions) + len(d.body) for d in docs)
    by_chars = WhooshBackend(tmp_path / "chars", procs=2, batch_chars=chars // 3 + 1)
    by_chars.rebuild(iter(docs))
    assert 3 <= len(segment_files(by_chars)) <= 4
    assert index_contents(by_chars) == reference
    monkeypatch.setattr(whoosh_build, "MIN_SPLIT_DOCS", 10)
    split = WhooshBackend(tmp_path / "split", procs=2)
    split.rebuild(iter(docs))
    assert len(segment_files(split)) == 2
    assert index_contents(split) == reference


def test_updates_after_a_bulk_rebuild_write_and_merge_as_before(tmp_path):
    docs = seed_docs()
    bulk = WhooshBackend(tmp_path / "bulk", procs=2, batch_docs=5)
    bulk.rebuild(iter(docs))
    reference = whoosh_written(tmp_path / "whoosh", docs)
    edited = SearchDoc(**{**vars(docs[3]), "title": "改过的标题"})
    for backend in (bulk, reference):
        backend.update([edited], [docs[0].key])  # Whoosh merges the small segments as it goes
        assert backend.search(SearchRequest(parse_query("改过的标题"))).total == 1
    assert len(bulk.fingerprints()) == len(docs) - 1
    assert found(bulk) == found(reference)


def test_an_interrupted_parallel_rebuild_leaves_the_previous_index_serving(tmp_path):
    docs = seed_docs()
    backend = WhooshBackend(tmp_path / "ix", procs=2, batch_docs=4)
    backend.rebuild(iter(docs[:10]))
    before = results(backend)
    current = backend._generation()

    def failing():  # noqa: ANN202
        for n, doc in enumerate(docs):
            if n == 21:  # several batches are already being written by the workers
                raise KeyboardInterrupt
            yield doc

    with pytest.raises(KeyboardInterrupt):
        backend.rebuild(failing())
    assert backend._generation() == current
    assert sorted(p.name for p in (tmp_path / "ix").glob("gen-*")) == [current]
    assert results(backend) == before
    backend.rebuild(iter(docs))  # and the next rebuild works
    assert len(backend.fingerprints()) == len(docs)


def test_an_empty_rebuild_gives_an_empty_index(tmp_path):
    backend = WhooshBackend(tmp_path / "ix")
    assert backend.rebuild(iter([])).documents == 0
    ix = whoosh_index.open_dir(str(backend.root / "current"))
    assert ix.doc_count_all() == 0 and ix._segments() == []
    ix.close()
    # Searching it finds nothing (a portal with nothing published yet), without an error.
    result = backend.search(SearchRequest(parse_query("政务公开 公")))
    assert (result.total, result.hits) == (0, [])

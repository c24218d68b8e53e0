"""The Whoosh backend reads and writes Whoosh's on-disk format with some of its private names
(``portal/search/whoosh_match.py``, ``whoosh_build.py``): they are not an API and may change in any
release. The dependency is pinned to the version the code was written for; this test fails loudly, listing
every private name that is missing or whose signature changed, before a version bump can corrupt an index
or misread one. ``test_whoosh_build.py`` checks the bytes the bulk writer produces against Whoosh's own."""

from __future__ import annotations

import inspect
import re
import tomllib
from datetime import date
from importlib.metadata import version
from pathlib import Path

import whoosh.codec.whoosh3 as w3
import whoosh.index
import whoosh.system
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3LeafMatcher
from whoosh.reading import SegmentReader

from portal.search.registry import SearchDoc
from portal.search.whoosh_backend import WhooshBackend

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

# Private module constants: name -> the value the format code relies on.
CONSTANTS = {
    (whoosh.system, "_INT_SIZE"): 4,
    (whoosh.index, "_DEF_INDEX_NAME"): "MAIN",
}
# Private methods (and the public ones of internal classes the bulk writer drives) -> their signature.
METHODS = {
    (W3LeafMatcher, "_read_ids"): "(self)",
    (W3LeafMatcher, "_read_weights"): "(self)",
    (W3LeafMatcher, "_read_values"): "(self)",
    (W3LeafMatcher, "_next_block"): "(self)",
    (W3FieldWriter, "__init__"): "(self, codec, storage, segment)",
    (W3FieldWriter, "start_field"): "(self, fieldname, fieldobj)",
    (W3FieldWriter, "start_term"): "(self, btext)",
    (W3FieldWriter, "add"): "(self, docnum, weight, vbytes, length)",
    (W3FieldWriter, "finish_term"): "(self)",
    (W3FieldWriter, "finish_field"): "(self)",
    (W3Codec, "__init__"): "(self, blocklimit=128, compression=3, inlinelimit=1)",
    (SegmentReader, "__init__"): "(self, storage, schema, segment, generation=None, codec=None)",
    (w3, "_lenfield"): "(fieldname)",
}
# Private attributes of live objects: (what, attribute).
CODEC_ATTRS = ("_compression", "_inlinelimit", "_blocklimit")
FIELD_WRITER_ATTRS = ("_codec", "_postfile", "_tindex", "_fieldid")
READER_ATTRS = ("_terms", "_perdoc")
MATCHER_ATTRS = ("_ids", "_weights", "_values")  # filled by the _read_* methods


def pinned_version() -> str:
    deps = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]["dependencies"]
    (spec,) = [d for d in deps if d.lower().startswith("whoosh-reloaded")]
    m = re.fullmatch(r"whoosh-reloaded==([\w.]+)", spec.replace(" ", ""), re.IGNORECASE)
    assert m, (
        f"whoosh-reloaded must be pinned exactly (==), not {spec!r}: the backend uses its private format code"
    )
    return m[1]


def test_whoosh_is_pinned_to_the_installed_version():
    assert version("whoosh-reloaded") == pinned_version()


def test_every_private_whoosh_name_the_backend_relies_on_is_there_unchanged(tmp_path):
    problems: list[str] = []
    for (owner, name), expected in CONSTANTS.items():
        if not hasattr(owner, name):
            problems.append(f"{owner.__name__}.{name} is missing")
        elif getattr(owner, name) != expected:
            problems.append(f"{owner.__name__}.{name} is {getattr(owner, name)!r}, expected {expected!r}")
    for (owner, name), expected in METHODS.items():
        func = getattr(owner, name, None)
        if func is None:
            problems.append(f"{owner.__name__}.{name} is missing")
        elif str(inspect.signature(func)) != expected:
            problems.append(f"{owner.__name__}.{name}{inspect.signature(func)} changed, expected {expected}")
    if getattr(w3, "_lenfield", None) and w3._lenfield("body") != "_body_len":
        problems.append("whoosh.codec.whoosh3._lenfield no longer names length columns _<field>_len")

    codec = W3Codec()
    problems += [f"W3Codec().{a} is missing" for a in CODEC_ATTRS if not hasattr(codec, a)]

    # A real index, read the way whoosh_match.py reads it.
    backend = WhooshBackend(tmp_path / "index", procs=1)
    docs = [
        SearchDoc("document", i, f"政务公开要点{i}", f"/p/{i}/", date(2020, 1, 1), body="政务公开" * 3)
        for i in range(1, 4)
    ]
    backend.update(docs, [])
    ix = whoosh.index.open_dir(str(tmp_path / "index" / backend._generation()))
    with ix.reader() as reader:
        seg = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
        problems += [f"SegmentReader.{a} is missing" for a in READER_ATTRS if not hasattr(seg, a)]
        if hasattr(seg, "_terms"):
            matcher = seg._terms.matcher("body", "政务".encode(), seg.schema["body"].format)
            if not isinstance(matcher, W3LeafMatcher):
                problems.append(
                    f"a term in three documents is read by {type(matcher).__name__}, not W3LeafMatcher"
                )
            else:
                for method in ("_read_ids", "_read_weights", "_read_values"):
                    getattr(matcher, method, lambda: None)()
                problems += [
                    f"W3LeafMatcher.{a} is missing" for a in MATCHER_ATTRS if not hasattr(matcher, a)
                ]
                if hasattr(matcher, "_ids") and list(matcher._ids) != [0, 1, 2]:
                    problems.append(f"W3LeafMatcher._ids holds {list(matcher._ids)!r}, not document numbers")
        if hasattr(seg, "_perdoc") and not seg._perdoc.has_column("_body_len"):
            problems.append("the per-document writer no longer stores the _body_len length column")

    storage = ix.storage
    writer = W3FieldWriter(codec, storage, codec.new_segment(storage, "MAIN"))
    problems += [f"W3FieldWriter.{a} is missing" for a in FIELD_WRITER_ATTRS if not hasattr(writer, a)]
    writer.close()
    ix.close()
    backend.close()

    assert not problems, (
        "Whoosh's private names changed; fix whoosh_match.py/whoosh_build.py before upgrading:\n"
        + "\n".join(problems)
    )


def test_compound_segments_are_read_in_place_through_their_memory_map(tmp_path):
    """whoosh_mmap.py replaces whoosh.filedb.compound.BufferFile, which Whoosh's CompoundStorage.open_file
    builds over a memoryview of the segment's map (and which copied it into a BytesIO)."""
    import whoosh.filedb.compound as compound

    from portal.search.base import SearchRequest
    from portal.search.text import parse_query
    from portal.search.whoosh_mmap import MappedBufferFile

    source = inspect.getsource(compound.CompoundStorage.open_file)
    assert "BufferFile(buf, name=name)" in source, "CompoundStorage.open_file no longer builds a BufferFile"
    assert compound.BufferFile is MappedBufferFile

    backend = WhooshBackend(tmp_path / "index", procs=1)
    docs = [
        SearchDoc("document", i, f"政务公开要点{i}", f"/p/{i}/", date(2020, 1, 1), body="政务公开" * 300)
        for i in range(1, 10)
    ]
    backend.rebuild(iter(docs))
    gen = tmp_path / "index" / backend._generation()
    assert list(gen.glob("*.seg")), "the bulk build no longer writes compound segments"
    result = backend.search(SearchRequest(parse_query("公开要点3")))
    assert result.total == 1 and result.hits[0].id == 3
    ix = whoosh.index.open_dir(str(gen))
    with ix.reader() as reader:
        seg = reader.leaf_readers()[0][0] if hasattr(reader, "leaf_readers") else reader
        assert isinstance(seg._terms._postfile, MappedBufferFile)  # the postings, read in place
    ix.close()
    backend.close()

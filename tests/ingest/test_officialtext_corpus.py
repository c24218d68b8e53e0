"""Field accuracy of the importer on a labelled corpus of real published texts it was not built from.

tests/fixtures/importer/texts/ holds the texts (copies of public web pages, chrome and all),
files/ the same texts as GBK/GB18030 text, .docx and PDF files (build.py), expected.yml the labels.
Run with ``-s`` to see the table; the figure is quoted in README.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from portal.ingest.officialtext import extract
from portal.ingest.qatext import parse_interpretation
from portal.ingest.sourcefile import read_source_bytes

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "importer"
EXPECTED: dict[str, dict] = yaml.safe_load((CORPUS / "expected.yml").read_text("utf-8"))
THRESHOLD = 0.95
_WIDTH = str.maketrans({"（": "(", "）": ")", "〈": "《", "〉": "》", "［": "[", "］": "]"})


def files() -> list[tuple[str, Path]]:
    texts = [(key, CORPUS / "texts" / f"{key}.txt") for key in EXPECTED]
    copies = [(path.name.split(".")[0], path) for path in sorted((CORPUS / "files").iterdir())]
    return texts + copies


def same(a: object, b: object) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return "".join(a.split()).translate(_WIDTH) == "".join(b.split()).translate(_WIDTH)
    return a == b


def score(key: str, path: Path) -> dict[str, list[bool]]:
    """Per field, whether each labelled value was read right."""
    want = EXPECTED[key]
    text = read_source_bytes(path.read_bytes(), path.name)
    got: dict[str, list[bool]] = defaultdict(list)
    if want["kind"] in ("qa", "text"):
        interp = parse_interpretation(text)
        got["kind"].append(interp.form == want["kind"])
        if "qa_count" in want:
            got["qa_count"].append(len(interp.items) == want["qa_count"])
            first = interp.items[0].question if interp.items else ""
            got["first_question"].append(same(first, want["first_question"]))
        if "policy" in want:
            got["policy"].append(same(interp.policy, want["policy"]))
        if "interpreted_on" in want:
            got["interpreted_on"].append(interp.interpreted_on == want["interpreted_on"])
        return got
    doc = extract(text)
    got["title"].append(same(doc.title, want["title"]))
    if "notice_title" in want:
        got["notice_title"].append(same(doc.notice_title, want["notice_title"]))
    got["doc_number"].append(same(doc.doc_number, want["doc_number"]))
    got["agencies"].append(doc.agencies == want["agencies"])
    written = want["written_on"]
    got["written_on"].append(doc.written_on == (written if isinstance(written, datetime.date) else None))
    measures = doc.measures
    got["measure_count"].append(len(measures) == len(want["measures"]))
    for n in range(max(len(measures), len(want["measures"]))):
        wanted = want["measures"][n] if n < len(want["measures"]) else None
        found = measures[n]["units"] if n < len(measures) else None
        got["units"].append(wanted is not None and found == wanted)
    return got


def test_corpus_is_big_and_varied_enough():
    assert len(EXPECTED) >= 30
    issuers = {tuple(v.get("agencies") or []) for v in EXPECTED.values()} - {()}
    assert len(issuers) >= 15
    kinds = {v["kind"] for v in EXPECTED.values()}
    assert kinds == {"policy", "qa", "text"}
    suffixes = {path.suffix for _, path in files()}
    assert {".txt", ".docx", ".pdf"} <= suffixes


def test_field_accuracy_on_the_corpus():
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    held_out = {1: [0, 0], 2: [0, 0]}
    misses: list[str] = []
    for key, path in files():
        for field, results in score(key, path).items():
            totals[field][0] += sum(results)
            totals[field][1] += len(results)
            if round_ := EXPECTED[key].get("heldout"):
                held_out[int(round_)][0] += sum(results)
                held_out[int(round_)][1] += len(results)
            if not all(results):
                misses.append(f"{path.relative_to(CORPUS)}: {field}")
    right = sum(r for r, _ in totals.values())
    total = sum(t for _, t in totals.values())
    print(f"\n{'field':<16}{'right':>7}{'of':>6}{'accuracy':>10}")
    for field, (r, t) in totals.items():
        print(f"{field:<16}{r:>7}{t:>6}{r / t:>10.1%}")
    print(f"{'overall':<16}{right:>7}{total:>6}{right / total:>10.1%}")
    for round_, (r, t) in held_out.items():
        print(f"{f'held-out {round_}':<16}{r:>7}{t:>6}{r / t:>10.1%}")
    print("misses:", *misses, sep="\n  ")
    assert right / total >= THRESHOLD, misses


@pytest.mark.parametrize("key", ["ls-tasks"])
def test_a_task_table_in_a_docx_reads_as_measures(key):
    from_docx = extract(read_source_bytes((CORPUS / "files" / f"{key}.docx").read_bytes()))
    from_text = extract((CORPUS / "texts" / f"{key}.txt").read_text("utf-8"))
    assert [m["units"] for m in from_docx.measures] == [m["units"] for m in from_text.measures]
    assert [m["lead"] for m in from_docx.measures if "lead" in m] == [
        ["区发改局"],
        ["区工信局"],
        ["区发改局"],
        ["区商务局"],
        ["区财政局"],
        ["区发改局"],
    ]

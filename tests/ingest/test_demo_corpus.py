"""The demo corpus in content/: four of the five seeds, reviewed, three of them with Q&A interpretations.

The fifth (003, a 2022 plan of 西咸新区 in Shaanxi) is another place's document: it stays in
content/sources/ as an importer test case and is not part of a Xicheng district's demo site."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from portal.models import Document, Interpretation
from portal.services.loader import load_content

CONTENT = Path(__file__).resolve().parents[2] / "content"

SEED_DOCUMENTS = {
    "2020-measures-4": ("西政发〔2020〕4号", 36),
    "2019-measures-13": ("京办发〔2019〕13号", 0),
    "2018-rules-4": ("西政发〔2018〕4号", 0),
    "2020-key-points": ("", 42),
}


def test_demo_corpus_loads_without_errors(sess):
    report = load_content(sess, CONTENT)
    assert report.ok, report.errors
    docs = {d.slug: d for d in sess.scalars(select(Document))}
    for slug, (doc_number, measures) in SEED_DOCUMENTS.items():
        assert docs[slug].doc_number == doc_number
        assert len(docs[slug].measures) == measures
        assert docs[slug].is_public
        assert docs[slug].index_no and docs[slug].topics and docs[slug].genre
    interpreted = {i.document.slug for i in sess.scalars(select(Interpretation))}
    assert len(interpreted) >= 3
    assert set(SEED_DOCUMENTS) - interpreted  # the demo also shows documents without an interpretation
    for interp in sess.scalars(select(Interpretation)):
        assert 5 <= len(interp.items) <= 10
    again = load_content(sess, CONTENT)
    assert again.ok and not again.created and not again.updated


def test_demo_pages(client, sess):
    assert load_content(sess, CONTENT).ok
    for doc in sess.scalars(select(Document)):
        page = client.get(f"/policies/{doc.slug}/")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f"<h1>{doc.title}</h1>" in html
        assert html.count('<tr id="measure-') == len(doc.measures)
    rules = client.get("/policies/2018-rules-4/").get_data(as_text=True)
    assert "第六章 推进政务公开" in rules and "ICP" not in rules
    for interp in sess.scalars(select(Interpretation)):
        page = client.get(f"/interpretations/{interp.slug}/")
        assert page.status_code == 200
        assert f"/policies/{interp.document.slug}/" in page.get_data(as_text=True)


def test_corpus_bodies_and_measures_are_the_importers_output(seeds):
    """Review filled metadata only: body and measures are exactly what `portal import` makes of each seed."""
    from portal.ingest.officialtext import extract
    from portal.services.loader import read_source

    by_seed = dict(zip(["000", "001", "002", "004"], SEED_DOCUMENTS, strict=True))
    for key, slug in by_seed.items():
        doc = extract(seeds[key].read_text("utf-8"))
        src = read_source(CONTENT / "policies" / f"{slug}.md")
        assert doc.slug() == slug
        assert src.body.lstrip("\n") == doc.body
        assert src.meta["measures"] == doc.measures
        assert src.meta["title"] == doc.title

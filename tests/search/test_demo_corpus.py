"""The shipped demo content: its gazette issues show, and search finds every literal occurrence in it."""

from __future__ import annotations

from tests.demo_snapshot import load_demo
from tests.search.test_search import found_keys, texts

QUERIES = [
    "预公开",
    "政务新媒体",
    "僵尸留言板",
    "问责",
    "一网通办",
    "政务公开",
    "基层减负",
    "西政发〔2020〕4号",
]


def test_demo_gazette_issue_lists_its_documents(client, sess):
    report = load_demo(sess)
    assert report.ok, report.errors
    html = client.get("/gazette/").get_data(as_text=True)
    assert "/gazette/2020/6/" in html and "/gazette/2018/3/" in html
    issue = client.get("/gazette/2020/6/").get_data(as_text=True)
    assert "/policies/2020-measures-4/" in issue and "/policies/2020-key-points/" in issue
    assert "/gazette/2020/6/" in client.get("/policies/2020-measures-4/").get_data(as_text=True)


def test_search_finds_every_literal_occurrence_in_the_demo_corpus(app, sess):
    load_demo(sess)
    everything = texts(app)
    for query in QUERIES:
        literal = {k for k, t in everything.items() if query in t}
        assert literal, query
        assert literal <= found_keys(app, query), query

"""Listing pages link every page near the current one, the first and the last; a page has one address."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from portal.services.policies import queries
from tests.demo_snapshot import load_demo


@pytest.fixture
def four_pages(sess, monkeypatch):  # noqa: ANN001, ANN201
    """The demo documents, one per page: at least four pages (the demo grows; the last page is counted)."""
    from sqlalchemy import func, select

    from portal.models import Document

    monkeypatch.setattr(queries, "PAGE_SIZE", 1)
    assert load_demo(sess).ok
    pages = sess.scalar(
        select(func.count(Document.id)).where(Document.status == "published", Document.disclosure == "active")
    )
    assert pages >= 4
    return pages


def _nav(html: str) -> str:
    match = re.search(r'<nav class="pagination" aria-label="分页">(.*?)</nav>', html, re.S)
    assert match, "no page links"
    return re.sub(r"\s+", " ", match.group(1))


def test_page_links_and_one_address_per_page(client, four_pages):
    nav = _nav(client.get("/policies/page/2/").get_data(as_text=True))
    assert '<a href="/policies/">首页</a>' in nav
    assert '<a rel="prev" href="/policies/">上一页</a>' in nav
    last = four_pages
    assert '<a href="/policies/">1</a>' in nav and '<a href="/policies/page/4/">4</a>' in nav
    assert '<span class="current" aria-current="page">2</span>' in nav
    assert '<a rel="next" href="/policies/page/3/">下一页</a>' in nav
    assert f'<a href="/policies/page/{last}/">末页</a>' in nav
    first = _nav(client.get("/policies/").get_data(as_text=True))
    assert (
        "首页" not in first
        and "上一页" not in first
        and f'<a href="/policies/page/{last}/">末页</a>' in first
    )

    # ?page=N and /page/N/ are one page, at one address.
    by_path = client.get("/policies/page/2/")
    assert by_path.status_code == 200
    by_query = client.get("/policies/?page=2")
    assert by_query.status_code == 301 and by_query.headers["Location"] == "/policies/page/2/"
    followed = client.get("/policies/?page=2", follow_redirects=True)
    assert followed.get_data(as_text=True) == by_path.get_data(as_text=True)
    first = client.get("/policies/page/1/")
    assert first.status_code == 301 and first.headers["Location"] == "/policies/"
    facet = client.get("/policies/?topic=作风建设&page=2")
    assert facet.status_code == 301
    assert facet.headers["Location"] == f"/policies/topic/{quote('作风建设')}/page/2/"
    # Two filters have no static page: the query string stays the address.
    both = client.get("/policies/?topic=作风建设&year=2020&page=1")
    assert both.status_code == 200


def test_search_results_have_page_numbers_too(client, sess, monkeypatch):
    from portal.services import search

    monkeypatch.setattr(search, "PAGE_SIZE", 1)
    assert load_demo(sess).ok
    nav = _nav(client.get("/search?q=政务公开&page=2").get_data(as_text=True))
    assert '<span class="current" aria-current="page">2</span>' in nav
    assert "首页" in nav and "末页" in nav
    assert re.search(r'<a href="/search\?q=[^"]+">1</a>', nav), nav
    assert re.search(r'<a href="/search\?q=[^"]+&amp;page=3">3</a>', nav), nav

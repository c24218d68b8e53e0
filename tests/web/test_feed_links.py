"""Every feed is linked, visibly, from the page whose items it carries; consultations, gazette issues and
meetings have feeds of their own."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest

from tests.demo_snapshot import load_demo

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def demo(sess):  # noqa: ANN001, ANN201
    assert load_demo(sess).ok


def _visible_feed_link(html: str) -> str:
    part = html.split('<p class="feed-link">', 1)
    assert len(part) == 2, "no visible feed link"
    return part[1].split('href="', 1)[1].split('"', 1)[0]


PAGES_AND_FEEDS = [
    ("/", "/feeds/all.atom"),
    ("/policies/", "/feeds/all.atom"),
    ("/policies/agency/xicheng-gov/", "/feeds/agency/xicheng-gov.atom"),
    (f"/policies/topic/{quote('政务公开')}/", f"/feeds/topic/{quote('政务公开')}.atom"),
    ("/consultations/", "/feeds/consultations.atom"),
    ("/gazette/", "/feeds/gazette.atom"),
    ("/meetings/", "/feeds/meetings.atom"),
]


def test_each_page_links_its_feed_and_area_feeds_carry_their_items(client, demo):
    # One test, one demo load: the pages and feeds only read.
    for page, feed in PAGES_AND_FEEDS:
        html = client.get(page).get_data(as_text=True)
        assert _visible_feed_link(html) == feed, page
        alternate = (
            rf'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="{re.escape(feed)}">'
        )
        assert re.search(alternate, html), f"{page}: no <link rel=alternate> to {feed}"
        response = client.get(feed)
        assert response.status_code == 200 and response.mimetype == "application/atom+xml", feed
        assert ET.fromstring(response.data).find(f"{ATOM}entry") is not None, f"{feed} has no entries"
    gazette = ET.fromstring(client.get("/feeds/gazette.atom").data)
    links = [e.find(f"{ATOM}link").get("href") for e in gazette.iter(f"{ATOM}entry")]
    assert any(link.endswith("/gazette/2020/6/") for link in links), links
    meetings = ET.fromstring(client.get("/feeds/meetings.atom").data)
    titles = [e.findtext(f"{ATOM}title") for e in meetings.iter(f"{ATOM}entry")]
    assert "区政府常务会议（2020年第12次）" in titles
    consultations = ET.fromstring(client.get("/feeds/consultations.atom").data)
    assert any("征求意见稿" in (e.findtext(f"{ATOM}title") or "") for e in consultations.iter(f"{ATOM}entry"))
    # Same records, same bytes: a static re-export does not rewrite an unchanged feed.
    assert client.get("/feeds/meetings.atom").data == client.get("/feeds/meetings.atom").data
    # A listing with two filters has no feed of its own: it offers none.
    html = client.get(f"/policies/?topic={quote('政务公开')}&year=2020").get_data(as_text=True)
    assert '<p class="feed-link">' not in html

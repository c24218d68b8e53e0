"""The demo site presents a Xicheng district: another body's document is marked as forwarded (转发), and
another region's document is not on it at all."""

from __future__ import annotations

from sqlalchemy import select

from portal import search
from portal.models import Document
from portal.services.forwarding import forwarded_from
from tests.demo_snapshot import load_demo


def test_a_municipal_document_is_forwarded_and_another_regions_is_left_out(client, sess):
    assert load_demo(sess).ok
    html = client.get("/policies/2019-measures-13/").get_data(as_text=True)
    assert '<p class="banner banner-forwarded" role="note">转发：本文件由中共北京市委办公厅印发' in html
    for own in ("/policies/2020-measures-4/", "/policies/2020-key-points/", "/policies/2018-rules-4/"):
        assert "banner-forwarded" not in client.get(own).get_data(as_text=True), own
    # Another region's document is not part of the demo at all.
    titles = sess.scalars(select(Document.title)).all()
    assert titles and not any("西咸新区" in t for t in titles)
    for page in ("/", "/policies/", "/gazette/", "/meetings/", "/consultations/"):
        assert "西咸新区" not in client.get(page).get_data(as_text=True), page


def test_reposted_documents_are_marked_in_lists_search_and_feeds(app, client, sess):
    assert load_demo(sess).ok
    search.rebuild(app)
    badge = '<span class="badge badge-forwarded" title="转发：中共北京市委办公厅印发">转发</span>'
    listing = client.get("/policies/?q=&sort=date_asc").get_data(as_text=True)
    item = listing[listing.index("关于解决形式主义突出问题为基层减负的若干措施") - 400 :]
    assert badge in item[:500]
    assert listing.count("badge-forwarded") == sum(
        1
        for d in sess.scalars(select(Document).where(Document.status == "published"))
        if forwarded_from(d, "北京市西城区人民政府")
    )
    found = client.get("/search?q=为基层减负").get_data(as_text=True)
    assert badge in found
    own = client.get("/search?q=2020年政务公开工作要点").get_data(as_text=True)
    assert (
        "search-hit" in own and "badge-forwarded" not in own.split("search-results", 1)[1].split("</ol>")[0]
    )
    feed = client.get("/feeds/all.atom").get_data(as_text=True)
    entry = feed[feed.index("为基层减负的若干措施") :].split("</entry>")[0]
    assert "转发（中共北京市委办公厅印发）" in entry and 'term="转发"' in entry

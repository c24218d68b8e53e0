"""The demo site presents a Xicheng district: another body's document is marked as forwarded (转发), and
another region's document is not on it at all."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Document
from portal.services.loader import load_content
from tests.conftest import CONTENT


def test_a_municipal_document_is_forwarded_and_another_regions_is_left_out(client, sess):
    assert load_content(sess, CONTENT).ok
    html = client.get("/policies/2019-measures-13/").get_data(as_text=True)
    assert '<p class="banner banner-forwarded" role="note">转发：本文件由中共北京市委办公厅印发' in html
    for own in ("/policies/2020-measures-4/", "/policies/2020-key-points/", "/policies/2018-rules-4/"):
        assert "banner-forwarded" not in client.get(own).get_data(as_text=True), own
    # Another region's document is not part of the demo at all.
    titles = sess.scalars(select(Document.title)).all()
    assert titles and not any("西咸新区" in t for t in titles)
    for page in ("/", "/policies/", "/gazette/", "/meetings/", "/consultations/"):
        assert "西咸新区" not in client.get(page).get_data(as_text=True), page

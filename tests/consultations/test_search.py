"""Consultations are found by the site search, and a newly created one is indexed when it is committed."""

from __future__ import annotations

from urllib.parse import quote

from portal import search
from portal.search.base import SearchRequest
from portal.search.text import parse_query
from portal.services.loader import load_content
from tests.consultations.helpers import make_consultation
from tests.consultations.test_content import CONTENT


def _found(app, query: str) -> set[str]:  # noqa: ANN001
    result = search.get_backend(app).search(SearchRequest(parse_query(query), limit=100))
    return {f"{h.type}:{h.id}" for h in result.hits}


def test_demo_consultations_are_searchable(app, client, sess):
    assert load_content(sess, CONTENT).ok
    search.rebuild(app)
    html = client.get("/search?q=" + quote("依申请公开办理规定")).get_data(as_text=True)
    assert "/consultations/yishenqing-gongkai-guiding/" in html


def test_a_new_consultation_is_indexed_after_commit(app, sess):
    c = make_consultation(sess, draft_md="第一条 加装电梯补贴办法。")
    assert f"consultation:{c.id}" in _found(app, "加装电梯补贴")

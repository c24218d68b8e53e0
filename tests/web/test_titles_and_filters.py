"""Book-title marks around titles are never doubled; the facet lists sit behind a 筛选 disclosure."""

from __future__ import annotations

from portal.services.loader import load_content
from portal.web.templating import book_title
from tests.demo_snapshot import load_demo
from tests.ingest.test_content_loader import GOOD, QA, make_content


def test_book_title_marks_are_added_once():
    assert book_title("北京市西城区人民政府工作规则") == "《北京市西城区人民政府工作规则》"
    assert book_title("《北京市西城区人民政府工作规则》") == "《北京市西城区人民政府工作规则》"
    # A title that quotes another title inside keeps its own marks around the whole.
    assert book_title("关于印发《若干措施》的通知") == "《关于印发《若干措施》的通知》"
    assert book_title("《规则》和《办法》") == "《规则》和《办法》"


def test_a_title_in_book_title_marks_is_not_wrapped_again(client, sess, tmp_path):
    marked = GOOD.replace("title: 西城区2020年政务公开工作要点", "title: 《西城区2020年政务公开工作要点》")
    assert marked != GOOD
    load_content(sess, make_content(tmp_path, good=marked, good_qa=QA))
    html = client.get("/interpretations/good/").get_data(as_text=True)
    assert "《《" not in html and "》》" not in html
    assert "《西城区2020年政务公开工作要点》" in html


def test_library_and_search_facets_are_behind_a_filter_disclosure(client, sess):
    assert load_demo(sess).ok
    for path in ("/policies/", "/policies/year/2020/", "/search?q=政务公开"):
        html = client.get(path).get_data(as_text=True)
        aside = html.split('<aside class="facets"', 1)[1].split("</aside>", 1)[0]
        assert '<details class="filters">' in aside and "<summary>筛选" in aside, path
    html = client.get("/policies/year/2020/").get_data(as_text=True)
    assert "<summary>筛选（已选 1 项）</summary>" in html

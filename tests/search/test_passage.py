"""The passage a result line quotes: around the first match, spaces collapsed, every match marked."""

from __future__ import annotations

from urllib.parse import quote

from portal.search.text import parse_query
from portal.services.loader import load_content
from portal.services.search import SNIPPET_CHARS, passage
from tests.ingest.test_content_loader import GOOD, make_content


def test_a_match_deep_in_a_long_text_is_quoted_with_its_context():
    text = "开头。\n\n" + "无关的段落。" * 400 + "\n  推进  政务公开\n标准化  规范化。" + "后文。" * 400
    quoted = str(passage(text, parse_query("政务公开")))
    assert quoted.startswith("…") and quoted.endswith("…")
    assert "推进 <mark>政务公开</mark> 标准化 规范化" in quoted
    assert len(quoted.replace("<mark>", "").replace("</mark>", "")) <= SNIPPET_CHARS + 2


def test_a_short_text_is_quoted_whole_and_without_a_match_from_its_start():
    assert (
        str(passage("第一条  为了推进\n政务公开。", parse_query("推进")))
        == "第一条 为了<mark>推进</mark> 政务公开。"
    )
    assert str(passage("只有这一句。", parse_query("公开"))) == "只有这一句。"


def test_the_page_quotes_an_edited_text_at_once_and_never_a_withdrawn_one(client, sess, tmp_path):
    root = make_content(tmp_path, good=GOOD.replace("正文", "第一版正文讲基层减负。"))
    load_content(sess, root)
    url = "/search?q=" + quote("基层减负")
    assert "第一版正文讲<mark>基层减负</mark>" in client.get(url).get_data(as_text=True)
    (root / "policies" / "good.md").write_text(GOOD.replace("正文", "第二版正文也讲基层减负。"), "utf-8")
    load_content(sess, root)
    html = client.get(url).get_data(as_text=True)
    assert "第二版正文也讲<mark>基层减负</mark>" in html and "第一版" not in html
    (root / "policies" / "good.md").write_text(
        GOOD.replace("topics:", "status: withdrawn\nwithdrawn_reason: 已被新文件替代\ntopics:"), "utf-8"
    )
    load_content(sess, root)
    assert "第二版" not in client.get(url).get_data(as_text=True)

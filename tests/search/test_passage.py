"""The passage a result line quotes: around the first match, spaces collapsed, every match marked."""

from __future__ import annotations

from portal.search.text import parse_query
from portal.services.search import SNIPPET_CHARS, passage


def test_a_match_deep_in_a_long_text_is_quoted_with_its_context():
    text = "开头。\n\n" + "无关的段落。" * 400 + "\n  推进  政务公开\n标准化  规范化。" + "后文。" * 400
    quoted = str(passage(text, parse_query("政务公开")))
    assert quoted.startswith("…") and quoted.endswith("…")
    assert "推进 <mark>政务公开</mark> 标准化 规范化" in quoted
    assert len(quoted.replace("<mark>", "").replace("</mark>", "")) <= SNIPPET_CHARS + 2


def test_a_short_text_is_quoted_whole_and_without_a_match_from_its_start():
    assert str(passage("第一条  为了推进\n政务公开。", parse_query("推进"))) == "第一条 为了<mark>推进</mark> 政务公开。"
    assert str(passage("只有这一句。", parse_query("公开"))) == "只有这一句。"

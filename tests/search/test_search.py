"""Site search as a citizen uses it, on every backend: exact recall, 文号 lookup, facets, robust input."""

from __future__ import annotations

import re
from urllib.parse import quote

from portal import search
from portal.search.base import SearchRequest
from portal.search.text import flat_text, parse_query
from portal.services.loader import load_content
from tests.ingest.test_content_loader import GOOD, make_content

RECALL_QUERIES = [
    "预公开",
    "政务新媒体",
    "僵尸留言板",
    "问责",
    "一网通办",
    "政务公开",
    "形式主义",
    "基层减负",
    "考核",
    "督查检查",
    "区政府",
    "常务会议",
    "2020",
    "12345",
    "文",
    "转作风、强创新",
]


def found_keys(app, query: str, **filters: str) -> set[str]:
    result = search.get_backend(app).search(SearchRequest(parse_query(query), filters=filters, limit=1000))
    assert result.total == len(result.hits)
    return {f"{h.type}:{h.id}" for h in result.hits}


def texts(app) -> dict[str, str]:
    from sqlalchemy.orm import Session

    with Session(app.extensions["engine"]) as sess:
        return {d.key: "\n".join([d.title, d.doc_number, d.questions, d.body]) for d in search.all_docs(sess)}


def test_every_literal_occurrence_is_found_and_nothing_else(app, corpus):
    everything = texts(app)
    for query in RECALL_QUERIES:
        literal = {k for k, t in everything.items() if query in t}
        # Punctuation and spaces between characters are ignored, as in the index: 转作风强创新 = 转作风、强创新.
        ignoring_punctuation = {
            k
            for k, t in everything.items()
            if flat_text(query) in "\n".join(flat_text(line) for line in t.split("\n"))
        }
        found = found_keys(app, query)
        assert literal, f"the corpus should contain {query}"
        assert literal <= found, f"{query}: missed {literal - found}"
        assert found <= ignoring_punctuation, f"{query}: over-matched {found - ignoring_punctuation}"


def test_search_page_highlights_the_passage_and_weighs_titles_and_questions(client, corpus):
    html = client.get("/search?q=" + quote("僵尸留言板")).get_data(as_text=True)
    assert "<mark>僵尸留言板</mark>" in html
    # The interpretation asks about it in a question: weighted above the work plan's body text.
    assert html.index("/interpretations/open-gov-2020-qa/") < html.index("/policies/open-gov-2020/")
    html = client.get("/search?q=" + quote("政务公开工作要点")).get_data(as_text=True)
    first = re.search(r'class="hit-title">.*?href="([^"]+)"', html, re.S)[1]
    assert first == "/policies/open-gov-2020/"  # the title match first


def test_two_words_must_both_match(app, corpus):
    both = found_keys(app, "基层减负 西咸新区")
    assert {k.split(":")[0] for k in both} == {"document"}
    assert both == found_keys(app, "基层减负") & found_keys(app, "西咸新区")


DOC_NUMBER_FORMS = [
    "西政发〔2020〕4号",
    "西政发[2020]4号",
    "西政发(2020)4号",
    "西政发（2020）4号",
    "西政发【2020】4号",
    "西政发 〔2020〕 4 号",
    " 西政发[2020] 4号 ",
    "西政发〔２０２０〕４号",
]


def test_doc_number_in_any_bracket_form_goes_straight_to_the_document(client, corpus):
    for typed in DOC_NUMBER_FORMS:
        response = client.get("/search?q=" + quote(typed))
        assert response.status_code == 302, typed
        assert response.headers["Location"].endswith("/policies/measures-2020/")


def test_partial_doc_number_lists_the_matches(client, corpus):
    html = client.get("/search?q=" + quote("西政发 2020")).get_data(as_text=True)
    section = html.split("文号匹配的文件", 1)[1].split("</section>", 1)[0]
    assert "/policies/measures-2020/" in section and "/policies/work-rules/" not in section
    html = client.get("/search?q=" + quote("西政发〔2018〕")).get_data(as_text=True)
    assert "/policies/work-rules/" in html.split("文号匹配的文件", 1)[1].split("</section>", 1)[0]
    # An unknown number is an ordinary search that finds nothing, not an error.
    assert client.get("/search?q=" + quote("西政发〔2020〕99号")).status_code == 200


ODD_INPUT = [
    "",
    "   ",
    "!!!",
    "。。。，、",
    "政" * 5000,
    'title:"x" AND (OR',
    "*",
    "?*",
    "\\",
    "%_%",
    "a b c d e f g h i j k",
    "<script>alert(1)</script>",
    "'; DROP TABLE document; --",
    "\u200b\u3000",
    "𠀀𠀁",
    '政务 -公开 +""',
    "):(",
]


def test_any_input_gets_a_page_never_a_500(client, corpus):
    for typed in ODD_INPUT:
        response = client.get("/search", query_string={"q": typed})
        assert response.status_code == 200, typed
        assert "<script>alert" not in response.get_data(as_text=True)


def test_unknown_facet_values_and_pages_are_ignored_with_a_message(client, corpus):
    response = client.get(
        "/search",
        query_string={
            "q": "政务",
            "type": "nope",
            "agency": "nobody",
            "year": "abc",
            "validity": "zz",
            "topic": "无此主题",
            "page": "-3",
            "sort": "sideways",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "已忽略无法识别的筛选条件" in html and "nobody" in html
    assert client.get("/search", query_string={"q": "政务", "page": "400"}).status_code == 200


def test_facets_count_and_filter(app, client, corpus):
    html = client.get("/search?q=" + quote("基层减负")).get_data(as_text=True)
    assert "政策文件（" in html and "中共北京市委办公厅（1）" in html
    assert found_keys(app, "基层减负", agency="beijing-party-office") == {
        k for k in found_keys(app, "基层减负") if k in found_keys(app, "京办发")
    }
    filtered = client.get("/search?q=" + quote("基层减负") + "&year=2022").get_data(as_text=True)
    assert "/policies/xixian-2022/" in filtered and "/policies/burden-2019/" not in filtered
    by_type = client.get("/search?q=" + quote("政务公开") + "&type=gazette").get_data(as_text=True)
    assert "/gazette/2020/5/" in by_type and "/policies/" not in by_type.split('class="search-results"')[1]
    by_topic = found_keys(app, "政务", topic="政务公开")
    assert by_topic and all(k in found_keys(app, "政务") for k in by_topic)
    assert found_keys(app, "工作规则", validity="valid")


def test_sort_by_date_and_pagination(app, client, sess, tmp_path):
    files = {
        f"doc{i:02d}": GOOD.replace("published_on: 2020-04-24", f"published_on: 2020-03-{i + 1:02d}").replace(
            "西政办发[2020]5号", f"西政办发[2020]{i + 10}号"
        )
        for i in range(25)
    }
    load_content(sess, make_content(tmp_path, **files))
    first = client.get("/search?q=" + quote("政务公开") + "&sort=date").get_data(as_text=True)
    assert "找到 25 条结果" in first and "第 1 / 2 页" in first
    dates = re.findall(r'<time datetime="([\d-]+)">', first.split('class="search-results"')[1])
    assert dates == sorted(dates, reverse=True) and dates[0] == "2020-03-25"
    second = client.get("/search?q=" + quote("政务公开") + "&sort=date&page=2").get_data(as_text=True)
    links = set(re.findall(r'href="(/policies/doc\d+/)"', first + second))
    assert len(links) == 25


def test_withdrawing_or_editing_a_document_updates_the_index(app, client, sess, tmp_path):
    root = make_content(tmp_path, good=GOOD)
    load_content(sess, root)
    assert found_keys(app, "政务公开工作要点")
    (root / "policies" / "good.md").write_text(
        GOOD.replace("西城区2020年政务公开工作要点", "西城区一网通办要点"), "utf-8"
    )
    load_content(sess, root)
    assert found_keys(app, "一网通办要点") and not found_keys(app, "政务公开工作要点")
    (root / "policies" / "good.md").write_text(
        GOOD.replace("topics:", "status: withdrawn\nwithdrawn_reason: 已被新文件替代\ntopics:"), "utf-8"
    )
    load_content(sess, root)
    assert not found_keys(app, "政务公开")
    assert search.check(app).ok


def test_published_consultations_are_searchable_through_the_registration_api(app, client, sess, corpus):
    from datetime import date

    from portal.models import Agency, Consultation
    from portal.search import refresh_after_commit

    agency = sess.query(Agency).filter_by(slug="xicheng-gov").one()
    draft = Consultation(
        slug="parking",
        title="关于停车管理的征求意见稿",
        agency_id=agency.id,
        draft_md="第一条 为规范居住区停车秩序，制定本办法。",
        opens_on=date(2024, 3, 1),
        closes_on=date(2024, 4, 1),
        status="draft",
    )
    sess.add(draft)
    sess.flush()
    refresh_after_commit(sess, draft)
    sess.commit()
    assert not found_keys(app, "停车管理")  # drafts stay out
    draft.status = "published"
    refresh_after_commit(sess, draft)
    sess.commit()
    assert found_keys(app, "停车管理") == {f"consultation:{draft.id}"}
    html = client.get("/search?q=" + quote("停车管理")).get_data(as_text=True)
    assert "/consultations/parking/" in html and "意见征集（1）" in html


def test_a_phrase_is_found_wherever_it_lies_in_a_long_body_up_to_the_longest_query(app, corpus):
    """Backends may cut a body into pieces (the PostgreSQL one confirms phrases in overlapping chunks): a
    phrase straddling any cut, as long as the longest query word, must still be found."""
    from sqlalchemy.orm import Session

    from portal.search.text import MAX_QUERY_CHARS

    with Session(app.extensions["engine"]) as s:
        doc = max(search.all_docs(s), key=lambda d: len(flat_text(d.body)))
    units = flat_text(doc.body)
    assert len(units) > 3 * MAX_QUERY_CHARS
    for length in (5, 37, MAX_QUERY_CHARS):
        for start in range(0, len(units) - length, 89):
            phrase = units[start : start + length]
            assert doc.key in found_keys(app, phrase), (start, length)


def test_latin_letters_and_digits_match_in_any_width_and_case(app, client, sess, tmp_path):
    body = GOOD.replace("西城区2020年政务公开工作要点", "西城区ＧＤＰ核算与Ｗｉｆｉ覆盖要点２０２０")
    load_content(sess, make_content(tmp_path, good=body))
    for query in ("gdp核算", "GDP核算", "ＧＤＰ核算", "wifi覆盖", "ＷＩＦＩ", "要点2020"):
        assert found_keys(app, query), query
    html = client.get("/search?q=" + quote("gdp")).get_data(as_text=True)
    assert "<mark>ＧＤＰ</mark>" in html

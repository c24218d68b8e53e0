"""Public pages of the policy library, as a citizen sees them."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Document
from portal.services.loader import load_content
from tests.ingest.test_content_loader import GOOD, QA, make_content

XSS = GOOD.replace(
    "正文",
    '<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n[点我](javascript:alert(2))\n\n'
    '<a href="#" onclick="steal()">a</a><iframe src="https://evil.example"></iframe>'
    '<p style="background:url(javascript:alert(3))">styled</p>',
)


def test_document_page_shows_metadata_measures_and_interpretation(client, sess, tmp_path):
    load_content(sess, make_content(tmp_path, good=GOOD, good_qa=QA))
    page = client.get("/policies/good/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (
        "索引号",
        "发文机关",
        "西政办发[2020]5号",
        "2020年4月20日",
        "2020年4月24日",
        "主动公开",
        "市规划自然资源委西城分局",
        'id="user-content-一总体要求"',  # heading ids carry a prefix (DOM clobbering)
        "/interpretations/good/",
    ):
        assert text in html
    assert '<meta name="ArticleTitle" content="西城区2020年政务公开工作要点">' in html
    interp = client.get("/interpretations/good/").get_data(as_text=True)
    assert "问：问题二？" in interp and "/policies/good/" in interp


def test_script_and_event_handler_payloads_never_reach_the_page(client, sess, tmp_path):
    load_content(sess, make_content(tmp_path, good=XSS))
    html = client.get("/policies/good/").get_data(as_text=True)
    body = html.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    for payload in ("<script", "onerror", "onclick", "javascript:", "<iframe", "style=", "alert("):
        assert payload not in body, payload


def test_only_published_active_documents_are_public(client, sess, tmp_path):
    load_content(
        sess,
        make_content(
            tmp_path,
            good=GOOD,
            draft=GOOD.replace("topics:", "status: draft\ntopics:"),
            secret=GOOD.replace(
                "topics:", "disclosure: 依申请公开\ndisclosure_reason: 涉及个人信息\ntopics:"
            ),
        ),
    )
    assert len(sess.scalars(select(Document)).all()) == 3
    assert client.get("/policies/draft/").status_code == 404
    assert client.get("/policies/secret/").status_code == 404
    listing = client.get("/policies/").get_data(as_text=True)
    assert (
        "/policies/good/" in listing
        and "/policies/draft/" not in listing
        and "/policies/secret/" not in listing
    )


def test_library_facets_count_and_filter(client, sess, tmp_path):
    load_content(
        sess,
        make_content(
            tmp_path,
            good=GOOD,
            old=GOOD.replace("2020-04-24", "2019-03-01").replace("agency: 区政府办", "agency: 西城区政府"),
        ),
    )
    html = client.get("/policies/").get_data(as_text=True)
    assert "2020年（1）" in html and "2019年（1）" in html
    filtered = client.get("/policies/?year=2019").get_data(as_text=True)
    assert "/policies/old/" in filtered and "/policies/good/" not in filtered


def test_unknown_facet_values_are_ignored_with_a_message(client, sess, tmp_path):
    load_content(sess, make_content(tmp_path, good=GOOD))
    page = client.get("/policies/?year=abc&validity=zzz&page=-3")
    assert page.status_code == 200
    assert "已忽略无法识别的筛选条件" in page.get_data(as_text=True)


def test_missing_page_is_a_chinese_404(client):
    page = client.get("/policies/no-such-document/")
    assert page.status_code == 404
    assert "页面不存在" in page.get_data(as_text=True) and 'lang="zh-CN"' in page.get_data(as_text=True)

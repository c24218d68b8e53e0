"""Markdown is sanitized once, when saved: only http, https, mailto and relative links survive, checked
on the sanitized output as a browser reads it; every id of the content is prefixed (no DOM clobbering)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from portal.ingest.markdown import ID_PREFIX, render_markdown
from portal.services.loader import load_content
from tests.ingest.test_content_loader import GOOD, make_content


def _attributes(html: str, name: str) -> list[str]:
    """Every value of attribute ``name`` in ``html``, parsed as a browser would (entities decoded)."""
    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(value or "" for key, value in attrs if key == name)

    Parser().feed(html)
    return found


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:Ṕ1)",  # bleach drops the non-ASCII letter before its own scheme check
        "[x](javascript:Ṕ=1,alert(document.domain))",
        "[x](data:1)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
        "[x](JaVaScRiPt:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](Ṕ:1)",
        "[x](file:///etc/passwd)",
        '<a href="&#x20;javascript:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="java&#x0A;script:alert(1)">x</a>',
        '<a href="javascript&#58;alert(1)">x</a>',
        '<img src="jaVascript:alert(1)">',
    ],
)
def test_links_other_than_http_https_mailto_and_relative_are_removed(source: str) -> None:
    html = render_markdown(source)
    assert _attributes(html, "href") == [] and _attributes(html, "src") == [], html


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("[政策](https://www.gov.cn/zhengce/)", "https://www.gov.cn/zhengce/"),
        ("[旧站](http://www.bjxch.gov.cn/)", "http://www.bjxch.gov.cn/"),
        ("[来信](mailto:zwgk@bjxch.gov.cn)", "mailto:zwgk@bjxch.gov.cn"),
        ("[文件](/policies/good/)", "/policies/good/"),
        ("[附件](files/a.pdf)", "files/a.pdf"),
        ("[查询](?year=2020)", "?year=2020"),
        ("[同站](//www.gov.cn/)", "//www.gov.cn/"),
        ("[第二条](#measures)", "#measures"),  # not an id of the content: left alone
    ],
)
def test_http_https_mailto_and_relative_links_are_kept(source: str, url: str) -> None:
    assert _attributes(render_markdown(source), "href") == [url]


def test_ids_are_prefixed_and_links_to_them_follow() -> None:
    html = render_markdown(
        '## 一、总体要求\n\n[见上](#一总体要求)\n\n<p id="getElementById">x</p><a id="measures">y</a>'
        '<img src="/a.png" name="cookie" alt="i">'
    )
    assert _attributes(html, "id") == [
        f"{ID_PREFIX}一总体要求",
        f"{ID_PREFIX}getElementById",
        f"{ID_PREFIX}measures",
    ]
    assert _attributes(html, "href") == [f"#{ID_PREFIX}一总体要求"]
    assert _attributes(html, "name") == []


def test_document_page_carries_no_script_link(client, sess, tmp_path) -> None:
    body = "[点我](javascript:Ṕ=1,alert(1))\n\n[数据](data:1)\n\n[正常](https://www.gov.cn/)\n\n## 目标"
    load_content(sess, make_content(tmp_path, good=GOOD.replace("正文", body)))
    page = client.get("/policies/good/").get_data(as_text=True)
    content = page.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    assert _attributes(content, "href") == ["https://www.gov.cn/"]
    assert _attributes(content, "id") == [f"{ID_PREFIX}一总体要求", f"{ID_PREFIX}目标"]

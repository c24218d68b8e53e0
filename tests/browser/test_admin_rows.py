"""The staff forms' "add a row" buttons (static/js/admin-rows.js) in Chromium: more Q&A pairs and more
joint issuers without a round trip, all saved by one submit."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, live_server: str, username: str) -> None:  # noqa: ANN001
    page.goto(live_server + "/admin/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/admin/(?!login)"))


def test_qa_pairs_and_issuers_are_added_in_the_page(page_at, live_server, demo, sess):
    from portal.models import Document, Interpretation

    doc = sess.query(Document).filter_by(slug="2020-key-points").one()
    page = page_at(375)
    _sign_in(page, live_server, "editor")
    page.goto(f"{live_server}/admin/interpretations/new?document={doc.id}")
    assert page.locator(".qa-row").count() == 2
    for _ in range(2):
        page.get_by_role("button", name="添加一组问答").click()
    assert page.locator(".qa-row").count() == 4
    page.get_by_label("标题").first.fill("浏览器测试解读")
    for n in range(1, 5):
        page.locator(f"#qa-q-{n}").fill(f"第{n}个问题？")
        page.locator(f"#qa-a-{n}").fill(f"第{n}个回答。")
    assert page.locator("#qa-pos-4").input_value() == "4" and page.get_by_text("第 4 组 · 排序").count() == 1
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/admin/interpretations/\d+$"))
    sess.expire_all()
    interp = sess.query(Interpretation).filter_by(title="浏览器测试解读").one()
    assert [q.question for q in interp.items] == [f"第{n}个问题？" for n in range(1, 5)]

    page.goto(f"{live_server}/admin/documents/new")
    rows = page.locator(".issuers [data-row]")
    before = rows.count()
    page.get_by_role("button", name="添加联合发文机关").click()
    assert rows.count() == before + 1
    assert page.locator(f"#f-issuer-{before + 1}").input_value() == ""

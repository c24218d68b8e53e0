"""Whole visits in Chromium: a citizen reading, commenting and finding the comment by its receipt, and the
staff taking a document from draft to the public page and the feed."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PASSWORD, artifact

pytestmark = pytest.mark.browser
KEY_POINTS = "西城区2020年政务公开工作要点"


def test_citizen_reads_a_policy_and_comments_on_a_consultation(page_at, live_server, app):
    page = page_at(375)
    page.goto(live_server + "/")
    assert page.locator("h1").count() == 1
    search_box = page.get_by_role("search").get_by_role("searchbox")
    search_box.fill("政务公开工作要点")
    search_box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert page.get_by_role("link", name=KEY_POINTS).count() >= 1
    page.screenshot(path=str(artifact("scenarios", "citizen-search.png")), full_page=True)
    page.get_by_role("link", name=KEY_POINTS).first.click()
    page.wait_for_url(re.compile(r"/policies/[^/]+/$"))
    policy_url = page.url
    assert page.locator("h1").inner_text() == KEY_POINTS

    page.get_by_role("navigation", name="政策解读").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/interpretations/[^/]+/$"))
    assert page.get_by_text("问：").count() > 0
    page.go_back()
    page.wait_for_url(policy_url)
    assert page.locator("h1").inner_text() == KEY_POINTS

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="意见征集").click()
    page.get_by_role("link", name="西城区街巷停车管理办法（征求意见稿）").first.click()
    page.get_by_label("意见内容").fill("建议在学校周边增设临时停车位，方便接送学生。")
    page.get_by_label("同意在本网站公开我的意见").check()
    page.get_by_role("button", name="提交意见").click()
    page.wait_for_url(re.compile(r"/consultations/receipt/(#.*)?$"))
    code = page.locator(".receipt-code").inner_text().strip()
    assert code
    page.screenshot(path=str(artifact("scenarios", "citizen-receipt.png")), full_page=True)

    page.get_by_role("link", name="查询").first.click()
    page.get_by_label("回执码").fill(code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"/consultations/receipt/(#.*)?$"))
    assert code not in page.url and page.locator(".receipt-code").inner_text().strip() == code
    assert "建议在学校周边增设临时停车位" in page.locator(".comment-body").inner_text()


def _sign_in(page, live_server: str, user) -> None:  # noqa: ANN001
    page.goto(live_server + "/admin/login")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    if user.totp_secret:
        import pyotp

        page.wait_for_url(re.compile(r"/admin/login/totp"))
        page.get_by_label("身份验证器应用中显示的 6 位数字").fill(pyotp.TOTP(user.totp_secret).now())
        page.get_by_role("button", name="验证").click()
    page.wait_for_url(re.compile(r"/admin/(?!login)"))


def _sign_out(page) -> None:  # noqa: ANN001
    page.get_by_role("button", name="退出").click()


def test_staff_take_a_document_from_draft_to_the_public_page_and_feed(page_at, live_server, demo):
    title = "西城区2021年政务公开工作要点（浏览器测试）"
    page = page_at(1280)
    _sign_in(page, live_server, demo.staff.editor)
    page.goto(live_server + "/admin/documents/new")
    page.get_by_label("标题").fill(title)
    page.get_by_label("网址标识").fill("browser-2021-key-points")
    page.get_by_label("文号").fill("西政办发〔2021〕3号")
    page.get_by_label("第 1 署名机关").fill(demo.office.name)
    page.get_by_label("主题分类").fill("政务公开")
    page.get_by_label("公开类别").select_option("xxgkzd")
    page.get_by_label("正文（Markdown）").fill("## 一、总体要求\n\n坚持以公开为常态、不公开为例外。\n")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="提交审核").click()
    edit_url = page.url
    _sign_out(page)

    _sign_in(page, live_server, demo.staff.reviewer)
    page.goto(edit_url)
    page.get_by_role("button", name="审核通过").click()
    _sign_out(page)

    _sign_in(page, live_server, demo.staff.publisher)
    page.goto(edit_url)
    page.get_by_role("link", name="发布…").click()
    page.get_by_role("button", name="确认发布").click()
    page.screenshot(path=str(artifact("scenarios", "staff-published.png")), full_page=True)
    _sign_out(page)

    visitor = page_at(375)
    response = visitor.goto(live_server + "/policies/browser-2021-key-points/")
    assert response.status == 200 and visitor.locator("h1").inner_text() == title
    visitor.goto(live_server + "/")
    assert visitor.get_by_role("link", name=title).count() == 1
    feed = visitor.request.get(live_server + "/feeds/all.atom")
    assert feed.ok and title in feed.text() and "/policies/browser-2021-key-points/" in feed.text()

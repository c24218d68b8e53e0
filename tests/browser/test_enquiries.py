"""政务咨询 in Chromium: a citizen writes and follows the message on a phone, staff answer and publish it,
and an error is reported from a page's footer."""

from __future__ import annotations

import re

import pyotp
import pytest

from tests.browser.conftest import artifact
from tests.browser.test_scenarios import _sign_in, _sign_out

pytestmark = pytest.mark.browser


def test_citizen_writes_and_follows_the_message_at_375_px(page_at, live_server):
    page = page_at(375)
    page.goto(live_server + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="政务咨询").click()
    page.get_by_role("link", name="我要留言").click()
    page.get_by_label("写给（必填）").select_option(label="北京市西城区教育委员会")
    page.get_by_label("标题（必填）").fill("小学入学材料")
    page.get_by_label("留言内容（必填）").fill("请问小学入学需要准备哪些材料？")
    page.get_by_role("button", name="提交留言").click()
    page.get_by_role("heading", name="留言已提交").wait_for()
    code, password = (t.strip() for t in page.locator(".receipt-code").all_inner_texts()[:2])
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    page.screenshot(path=str(artifact("scenarios", "enquiry-receipt-375.png")), full_page=True)
    page.get_by_role("link", name="查询办理情况").click()
    page.get_by_label("登记号").fill(code)
    page.get_by_label("查询密码").fill(password)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="留言办理情况").wait_for()
    assert "待受理" in page.content() and code not in page.url
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375


def test_staff_answer_and_publish_and_the_board_shows_it(page_at, live_server, demo, make_user, sess):
    editor = make_user("jw-editor", ["editor"], agency=demo.office)
    reviewer = make_user("jw-reviewer", ["reviewer"], agency=demo.office)
    publisher = make_user("jw-publisher", ["publisher"], agency=demo.office)
    for user in (reviewer, publisher):
        user.totp_secret = pyotp.random_base32()
    sess.commit()
    citizen = page_at(1280)
    citizen.goto(live_server + "/enquiries/write")
    citizen.get_by_label("写给（必填）").select_option(str(demo.office.id))
    citizen.get_by_label("标题（必填）").fill("政务公开专栏在哪里")
    citizen.get_by_label("留言内容（必填）").fill("请问在哪里查看政府信息公开年报？")
    citizen.get_by_label("同意公开我的留言内容（不含姓名和联系方式）").check()
    citizen.get_by_role("button", name="提交留言").click()
    citizen.get_by_role("heading", name="留言已提交").wait_for()

    page = page_at(1280)
    _sign_in(page, live_server, editor)
    page.goto(live_server + "/admin/enquiries/?state=received")
    page.get_by_role("link", name="政务公开专栏在哪里").first.click()
    page.get_by_role("button", name="受理", exact=True).click()
    page.locator("#draft-reply").fill("您好！年报在本网站政府信息公开专栏“年报”栏目。")
    page.locator("#draft-publish_question").check()
    page.get_by_role("button", name="保存答复").click()
    message_url = page.url
    _sign_out(page)
    _sign_in(page, live_server, reviewer)
    page.goto(message_url)
    page.get_by_role("button", name="审核通过并答复").click()
    _sign_out(page)
    _sign_in(page, live_server, publisher)
    page.goto(message_url)
    page.get_by_role("button", name="公开", exact=True).click()
    assert page.get_by_text("答复已公开。").count() == 1

    visitor = page_at(375)
    visitor.goto(live_server + "/enquiries/")
    visitor.get_by_role("link", name="政务公开专栏在哪里").click()
    visitor.wait_for_url(re.compile(r"/enquiries/\d+/$"))
    assert "年报" in visitor.content() and "答复时间" in visitor.content()
    visitor.screenshot(path=str(artifact("scenarios", "enquiry-published-375.png")), full_page=True)


def test_an_error_is_reported_from_a_pages_footer(page_at, live_server):
    page = page_at(375)
    page.goto(live_server + "/policies/")
    page.get_by_role("link", name="我为政府网站找错").click()
    page.get_by_role("heading", name="我为政府网站找错").wait_for()
    assert page.get_by_label("出错的页面地址").input_value() == "/policies/"
    page.get_by_label("错误描述（必填）").fill("第二页的日期显示有误。")
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_role("heading", name="留言已提交").wait_for()

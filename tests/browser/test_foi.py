"""依申请公开 in Chromium: a citizen applies and follows the request on a phone; staff answer one."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import artifact
from tests.browser.test_scenarios import _sign_in, _sign_out
from tests.foi.conftest import RESIDENT_ID

pytestmark = pytest.mark.browser


def _no_horizontal_scroll(page) -> None:  # noqa: ANN001
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


def test_citizen_applies_and_follows_the_request_at_375_px(page_at, live_server):
    page = page_at(375)
    page.goto(live_server + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="依申请公开").click()
    page.get_by_role("link", name="在线提交申请").click()
    _no_horizontal_scroll(page)
    page.get_by_label("受理机关").select_option(label="北京市西城区人民政府办公室")
    page.get_by_label("姓名或组织名称").fill("张三")
    page.get_by_label("证件号码").fill(RESIDENT_ID[:-1] + "9")  # a wrong check digit first
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label("电子邮箱").fill("zhangsan@example.com")
    page.get_by_label("所需政府信息的描述").fill("西城区2020年老旧小区综合整治项目的资金安排。")
    page.get_by_role("button", name="提交申请").click()
    assert page.get_by_text("居民身份证号码不正确").count() >= 1
    assert (
        page.get_by_label("所需政府信息的描述").input_value()
        == "西城区2020年老旧小区综合整治项目的资金安排。"
    )
    page.get_by_label("证件号码").fill(RESIDENT_ID)
    page.get_by_role("button", name="提交申请").click()
    page.get_by_role("heading", name="申请已提交").wait_for()
    codes = page.locator(".receipt-code").all_inner_texts()
    code, password = codes[0].strip(), codes[1].strip()
    _no_horizontal_scroll(page)
    page.screenshot(path=str(artifact("scenarios", "foi-receipt-375.png")), full_page=True)

    page.get_by_role("link", name="查询办理进度").click()
    page.get_by_label("登记号").fill(code)
    page.get_by_label("查询密码").fill(password)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="申请办理进度").wait_for()
    assert "待登记确认" in page.content() and "老旧小区" in page.content()
    assert code not in page.url and password not in page.url
    _no_horizontal_scroll(page)
    page.screenshot(path=str(artifact("scenarios", "foi-status-375.png")), full_page=True)


def test_staff_draft_and_a_second_person_issues_the_reply(page_at, live_server, demo, make_user, sess):
    import pyotp

    officer = make_user("foi-officer", ["foi_officer"], agency=demo.office)
    head = make_user("foi-head", ["foi_head"], agency=demo.office)
    head.totp_secret = pyotp.random_base32()  # heads approve reply letters: second factor required
    sess.commit()
    page = page_at(1280)
    _sign_in(page, live_server, officer)
    page.goto(live_server + "/admin/foi/?state=open")
    page.locator("table.data a").first.click()
    page.wait_for_url(re.compile(r"/admin/foi/\d+/$"))
    request_url = page.url
    page.locator("#draft-outcome").select_option("disclosed")
    page.get_by_role("button", name="保存答复草稿").click()
    assert page.get_by_text("答复已起草，待负责人审核。").count() == 1
    assert page.get_by_role("button", name="审核通过并出具").count() == 0  # not the drafter's to issue
    _sign_out(page)

    _sign_in(page, live_server, head)
    page.goto(request_url)
    page.get_by_role("button", name="审核通过并出具").click()
    assert page.get_by_text("答复已出具。").count() == 1
    page.get_by_role("link", name="打印答复告知书").click()
    page.get_by_role("heading", name=re.compile("政府信息公开申请答复告知书")).wait_for()
    assert "行政复议" in page.content()
    page.screenshot(path=str(artifact("scenarios", "foi-letter.png")), full_page=True)

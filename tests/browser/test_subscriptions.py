"""邮件订阅 in Chromium at 375 px: subscribe from a document page, confirm from the mail, manage, unsubscribe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import artifact
from tests.subscriptions.conftest import inbox, link  # noqa: F401  (a real SMTP server on loopback)

pytestmark = pytest.mark.browser

AXE_SERIOUS = """async () => (await axe.run(document, {resultTypes: ['violations']}))
    .violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)"""


def _fits(page) -> None:  # noqa: ANN001
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375


def test_citizen_subscribes_to_a_document_confirms_and_unsubscribes_at_375_px(
    inbox,  # noqa: F811
    page_at,
    live_server,
    axe_source,  # noqa: F811
):
    page = page_at(375, bypass_csp=True)  # the audit script is injected inline
    page.goto(live_server + "/policies/2020-key-points/")
    page.get_by_role("link", name="邮件订阅本文件的修订、废止和新解读").click()
    page.get_by_role("heading", name="邮件订阅").wait_for()
    _fits(page)
    page.add_script_tag(content=axe_source)
    assert page.evaluate(AXE_SERIOUS) == []
    page.get_by_label("电子邮箱（不公开，仅用于发送订阅邮件）（必填）").fill("citizen@example.com")
    page.get_by_label("每周摘要").check()
    page.get_by_role("button", name="订阅").click()
    page.get_by_role("heading", name="请查收邮件").wait_for()
    _fits(page)
    (confirmation,) = inbox
    assert confirmation["To"] == "citizen@example.com"

    page.goto(live_server + link(confirmation, "confirm"))
    page.get_by_role("button", name="确认订阅").click()
    page.get_by_role("heading", name="订阅成功").wait_for()
    _fits(page)
    page.screenshot(path=str(artifact("scenarios", "subscription-confirmed-375.png")), full_page=True)
    page.get_by_role("link", name="订阅管理页面").click()
    page.get_by_role("heading", name="管理订阅").wait_for()
    _fits(page)
    page.add_script_tag(content=axe_source)
    assert page.evaluate(AXE_SERIOUS) == []
    assert "每周摘要" in page.content() and "已生效" in page.content()
    page.get_by_role("button", name="退订“").first.click()
    page.get_by_role("heading", name="已退订").wait_for()
    _fits(page)

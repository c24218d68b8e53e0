"""The comment form in Chromium: the back button never files a comment twice, a long text is counted as it
is typed and never cut, and the receipt shows when the comment was received."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.models import Comment, Consultation
from tests.browser.conftest import artifact
from tests.browser.test_pages import OVERFLOW_JS

pytestmark = pytest.mark.browser
FORM = "/consultations/parking/"
RECEIPT = re.compile(r"/consultations/receipt/(#.*)?$")


def _count(sess) -> int:  # noqa: ANN001
    """Comments on the open consultation (the demo content has comments of its own elsewhere)."""
    sess.expire_all()
    return sess.scalar(
        select(func.count(Comment.id)).join(Comment.consultation).where(Consultation.slug == "parking")
    )


def _submit(page, text: str) -> str:  # noqa: ANN001
    page.get_by_label("意见内容").fill(text)
    page.get_by_role("button", name="提交意见").click()
    page.wait_for_url(RECEIPT)
    return page.locator(".receipt-code").inner_text().strip()


def test_back_button_and_submit_again_returns_the_first_receipt(page_at, live_server, sess):
    page = page_at(375)
    page.goto(live_server + FORM)
    text = "建议在学校周边增设临时停车位，早晚高峰限时停放。"
    first = _submit(page, text)
    assert _count(sess) == 1

    # Back: whether the browser shows the page from its cache (the form as it was) or fetches it again
    # (a new form), submitting the same text again files nothing new.
    page.go_back()
    page.wait_for_url(re.compile(re.escape(FORM)))
    field = page.get_by_label("意见内容")
    if field.input_value() != text:
        field.fill(text)
    page.get_by_role("button", name="提交意见").click()
    page.wait_for_url(RECEIPT)
    assert page.locator(".receipt-code").inner_text().strip() == first

    # The page fetched anew for certain (no back-forward cache can hold it): still the first receipt.
    page.goto(live_server + FORM)
    assert _submit(page, "  " + text + "\n") == first
    assert _count(sess) == 1

    # Another text is another comment, with its own receipt.
    page.goto(live_server + FORM)
    assert _submit(page, "另一条意见：建议公布车位数量。") != first
    assert _count(sess) == 2


def test_receipt_shows_date_and_time_and_fits_375_px(page_at, live_server, sess):
    page = page_at(375)
    page.goto(live_server + FORM)
    _submit(page, "收到时间应显示到分钟。")
    received = page.locator("time").first.inner_text()
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}（北京时间）", received), received
    result = page.evaluate(OVERFLOW_JS)
    assert result["scrollWidth"] <= result["width"] and not result["out"], result
    page.screenshot(path=str(artifact("comments", "receipt-375.png")), full_page=True)


def test_a_pasted_long_text_is_counted_live_and_refused_whole(page_at, live_server, sess):
    page = page_at(1280)
    page.goto(live_server + FORM)
    counter = page.locator("#f-body-count")
    field = page.get_by_label("意见内容")
    field.fill("意见" * 10)
    assert "已输入20字" in counter.inner_text()
    long_text = "长" * 5500
    field.fill(long_text)  # as a paste: no maxlength cuts it
    assert field.input_value() == long_text
    assert "超出500字" in counter.inner_text()
    page.screenshot(path=str(artifact("comments", "over-long.png")), full_page=False)
    page.get_by_role("button", name="提交意见").click()
    page.wait_for_load_state()
    assert "意见内容不能超过5000字" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_label("意见内容").input_value() == long_text  # kept whole, ready to shorten
    assert _count(sess) == 0

"""Per-address rate limits on the comment form, configurable (PORTAL_COMMENT_RATE_LIMIT)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import Comment
from tests.consultations.helpers import comment_form, make_consultation


@pytest.fixture
def app_overrides(app_overrides, request):  # noqa: ANN001, ANN201
    app_overrides["comment_rate_limit"] = getattr(request, "param", "3 per minute")
    return app_overrides


def test_rate_limit_per_address_answers_429_in_chinese(client, sess):
    make_consultation(sess)
    codes = [
        client.post("/consultations/parking/comments", data=comment_form(client)).status_code
        for _ in range(4)
    ]
    assert codes == [303, 303, 303, 429]
    last = client.post("/consultations/parking/comments", data=comment_form(client))
    assert last.status_code == 429 and "请求过于频繁" in last.get_data(as_text=True)
    assert sess.scalar(select(func.count(Comment.id))) == 3


@pytest.mark.parametrize("app_overrides", ["off"], indirect=True)
def test_rate_limit_can_be_switched_off_for_benchmarks(client, sess):
    make_consultation(sess)
    codes = {
        client.post("/consultations/parking/comments", data=comment_form(client)).status_code
        for _ in range(8)
    }
    assert codes == {303}

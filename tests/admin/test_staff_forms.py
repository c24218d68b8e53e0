"""The staff forms read through WTForms: what a refused form shows again, and checkboxes that take a
deliberate step only when ticked."""

from __future__ import annotations

import re

from portal.services import publishing
from portal.services.publishing import PublishRequest
from tests.conftest import csrf_token_for


def _post(client, url, data):  # noqa: ANN001, ANN202
    return client.post(url, data={**data, "csrf_token": csrf_token_for(client)})


def test_a_withdrawal_needs_the_box_ticked_not_just_sent(client, sess, staff, login_as, make_draft):
    doc = make_draft(title="撤回确认测试文件")
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest(waiver_reason="测试"))
    sess.commit()
    login_as(staff.publisher)
    url = f"/admin/documents/{doc.id}/withdraw"
    for odd in ("0", "", "no"):
        refused = _post(client, url, {"reason": "内容调整", "confirm": odd})
        assert refused.status_code == 400 and "确认撤回" in refused.get_data(as_text=True)
    assert _post(client, url, {"reason": "内容调整", "confirm": "1"}).status_code == 302
    sess.refresh(doc)
    assert doc.status == "withdrawn"


def test_a_refused_user_form_shows_what_was_typed(client, staff, agencies, login_as):
    login_as(staff.admin)
    refused = _post(
        client,
        "/admin/users/new",
        {"username": "zhao", "display_name": "赵六", "roles": "reviewer", "active": "1", "password": "x"},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "必须归属一个部门" in page
    assert 'value="zhao"' in page and 'value="赵六"' in page
    assert re.search(r'<input checked id="roles-\d+" name="roles" type="checkbox" value="reviewer">', page)
    assert 'value="x"' not in page  # a password is never sent back

"""The staff form refuses topic and genre values that could not be a path segment of the site, with a
Chinese message and the typed values kept (see portal/services/facet_values.py)."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from portal.models import Document, Topic
from portal.services import publishing
from portal.services.publishing import PublishRequest
from tests.admin.test_pages import _form, _post


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"topics": "政务公开、x/../../../somewhere/app.conf"}, "不能包含“/”或“\\”"),
        ({"topics": "a\\b"}, "不能包含“/”或“\\”"),
        ({"genre": ".."}, "公文种类不能包含“..”"),
        ({"topics": "政务\u200b公开"}, "不能包含控制字符或不可见字符"),
        ({"topics": "长" * 33}, "不能超过 32 个字符"),
    ],
)
def test_new_draft_with_unsafe_facet_value_is_refused(
    client, sess, staff, agencies, login_as, fields, message
):
    login_as(staff.editor)
    response = _post(client, "/admin/documents/new", _form(agencies, title="我输入的标题", **fields))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and message in page
    assert "我输入的标题" in page  # what the editor typed is shown again
    typed = fields.get("topics") or fields.get("genre")
    assert typed in page
    assert sess.scalar(select(func.count(Document.id))) == 0
    assert sess.scalar(select(func.count(Topic.id))) == 0


def test_a_control_character_typed_into_a_facet_is_dropped_before_the_rules_see_it(
    client, sess, staff, agencies, login_as
):
    # Form fields lose control characters centrally (portal/web/inputs.py); the loader, which reads files,
    # refuses them instead (tests/ingest/test_facet_values.py).
    login_as(staff.editor)
    response = _post(client, "/admin/documents/new", _form(agencies, title="我输入的标题", genre="通知\x1b"))
    assert response.status_code == 302
    assert sess.scalar(select(Document.genre)) == "通知"


def test_publisher_cannot_put_a_path_into_a_published_document(
    client, sess, staff, agencies, login_as, make_draft
):
    doc = make_draft()
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    login_as(staff.publisher)
    response = _post(
        client,
        f"/admin/documents/{doc.id}",
        _form(agencies, topics="x/../../../somewhere/app.conf", change_note="调整主题分类"),
    )
    assert response.status_code == 400 and "不能包含“/”" in html.unescape(response.get_data(as_text=True))
    sess.expire_all()
    assert [t.name for t in sess.get(Document, doc.id).topics] == ["政务公开", "综合政务"]

"""The staff area from the browser's side: forms, preview, import, attachments, the whole path to the
public page, the audit log and its CSV export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from portal.models import Attachment, AuditEntry, Document, Interpretation, Push
from tests.admin.conftest import BODY
from tests.conftest import csrf_token_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def _post(client, url, data=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
    data = dict(data or {})
    data["csrf_token"] = csrf_token_for(client)
    return client.post(url, data=data, **kwargs)


def _prefilled(html: str) -> dict:
    """The fields of the document form as the page shows them (enough to submit it again)."""
    from html import unescape

    form = html[html.index('action="/admin/documents/new"') :]
    values: dict = {}
    for name, value in re.findall(r'<input type="text"[^>]*name="([a-z_]+)" [^>]*value="([^"]*)"', form):
        values.setdefault(name, []).append(unescape(value))
    for name, value in re.findall(r'<textarea[^>]*name="([a-z_]+)"[^>]*>([^<]*)</textarea>', form):
        values.setdefault(name, []).append(unescape(value))
    for name, value in re.findall(
        r'<select[^>]*name="(measure_status)"[^>]*>.*?value="(\w+)" selected', form
    ):
        values.setdefault(name, []).append(value)
    values["action"] = "save"
    return values


def _form(agencies, **fields):  # noqa: ANN001, ANN003, ANN202
    data = {
        "title": "西城区2021年政务公开工作要点",
        "doc_number": "西政办发〔2021〕3号",
        "written_on": "2021-03-01",
        "genre": "要点",
        "topics": "政务公开",
        "disclosure": "active",
        "disclosure_category": "gzwj",
        "body_md": BODY,
        "agency_ids": [str(agencies.office.id)],
        "action": "save",
    }
    data.update(fields)
    return data


def test_editor_creates_a_draft_with_preview_and_validation(client, sess, staff, agencies, login_as):
    login_as(staff.editor)
    assert client.get("/admin/documents/new").status_code == 200
    preview = _post(
        client,
        "/admin/documents/new",
        _form(agencies, action="preview", body_md="## 标题\n\n<script>alert(1)</script>正文"),
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "正文预览" in html and "<script>alert(1)" not in html
    assert sess.scalar(select(func.count(Document.id))) == 0  # a preview saves nothing

    bad = _post(client, "/admin/documents/new", _form(agencies, doc_number="西政办发2021第3号", title=""))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "文号格式应如" in html and "请填写标题" in html
    assert sess.scalar(select(func.count(Document.id))) == 0

    ok = _post(client, "/admin/documents/new", _form(agencies, normative="1"))
    assert ok.status_code == 302
    doc = sess.scalars(select(Document)).one()
    assert doc.status == "draft" and doc.normative and doc.agencies == [agencies.office]
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "提交审核" in page and "西政办发〔2021〕3号" in page


def test_withheld_document_needs_a_reason(client, sess, staff, agencies, login_as):
    login_as(staff.editor)
    response = _post(client, "/admin/documents/new", _form(agencies, disclosure="withheld"))
    assert response.status_code == 400 and "必须填写理由" in response.get_data(as_text=True)


def test_import_an_official_text_creates_a_draft_with_warnings(
    client, sess, staff, agencies, login_as, seeds
):
    login_as(staff.editor)
    data = {"file": (io.BytesIO(seeds["004"].read_bytes()), "工作要点.txt")}
    response = _post(client, "/admin/documents/import", data, content_type="multipart/form-data")
    # The text names no issuer: nothing is saved, the headline says what is missing, the form is
    # prefilled with what was found. The editor's department is never put in as the issuer.
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "未导入：发文机关需要补充" in html
    assert "未识别出发文机关" in html and "未识别出文号" in html
    assert sess.scalar(select(func.count(Document.id))) == 0
    assert 'value="西城区2020年政务公开工作要点"' in html and html.count('name="measure_text"') > 10
    values = _prefilled(html)
    values["issuers"] = ["区政府办"]
    saved = _post(client, "/admin/documents/new", values)
    assert saved.status_code == 302
    doc = sess.scalars(select(Document)).one()
    assert doc.title == "西城区2020年政务公开工作要点" and doc.status == "draft"
    assert len(doc.measures) > 10  # the importer found the numbered tasks
    assert doc.agencies == [agencies.office] and doc.owner == agencies.office
    binary = _post(
        client,
        "/admin/documents/import",
        {"file": (io.BytesIO(b"\x00\x01PK"), "x.txt")},
        content_type="multipart/form-data",
    )
    assert binary.status_code == 400 and "不是纯文本" in binary.get_data(as_text=True)


def test_attachments_are_checked_by_content_and_served_safely(
    client, sess, staff, agencies, login_as, make_draft
):
    doc = make_draft()
    login_as(staff.editor)
    url = f"/admin/documents/{doc.id}/attachments"
    fake = _post(
        client,
        url,
        {"file": (io.BytesIO(b"<html><script>alert(1)</script>"), "通知.pdf")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400 and "内容不属于这些类型" in fake.get_data(as_text=True)
    ok = _post(
        client, url, {"file": (io.BytesIO(PNG), "../../示意图.jpg")}, content_type="multipart/form-data"
    )
    assert ok.status_code == 302
    att = sess.scalars(select(Attachment)).one()
    assert att.kind == "png" and att.filename == "示意图.png" and att.size == len(PNG)
    download = client.get(f"/admin/documents/attachments/{att.id}")
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["Content-Security-Policy"]


class TestSmallUploadLimit:
    @pytest.fixture
    def app_overrides(self, app_overrides):  # noqa: ANN001, ANN201
        return {**app_overrides, "upload_max_bytes": 4096}

    def test_oversized_upload_is_refused(self, client, staff, login_as, make_draft):
        doc = make_draft()
        login_as(staff.editor)
        big = _post(
            client,
            f"/admin/documents/{doc.id}/attachments",
            {"file": (io.BytesIO(PNG * 40), "big.png")},
            content_type="multipart/form-data",
        )
        assert big.status_code == 413 and "文件过大" in big.get_data(as_text=True)


def test_the_whole_path_to_the_public_page_and_back(client, sess, staff, agencies, login_as, make_draft):
    from werkzeug.datastructures import MultiDict

    from portal.services import channels

    feed = channels.save_channel(
        sess,
        staff.admin,
        channels.parse_channel_form(sess, MultiDict({"name": "订阅源", "kind": "feed", "active": "1"}), None),
    )
    sess.commit()
    doc = make_draft(normative="1", registration_no="西政规〔2021〕1号")
    base = f"/admin/documents/{doc.id}"
    login_as(staff.editor)
    assert _post(client, f"{base}/submit").status_code == 302
    login_as(staff.reviewer)
    assert _post(client, f"{base}/return", {"remarks": ""}).status_code == 409
    assert _post(client, f"{base}/approve").status_code == 302
    login_as(staff.publisher)
    form = client.get(f"{base}/publish").get_data(as_text=True)
    assert "三同步" in form and "订阅源" in form
    refused = _post(client, f"{base}/publish", {"channel_ids": [str(feed.id)]})
    assert refused.status_code == 409 and "三同步" in refused.get_data(as_text=True)
    assert client.get(f"/policies/{doc.slug}/").status_code == 404
    ok = _post(
        client, f"{base}/publish", {"channel_ids": [str(feed.id)], "waiver_reason": "系工作要点，无需解读"}
    )
    assert ok.status_code == 302
    public = client.get(f"/policies/{doc.slug}/")
    assert public.status_code == 200 and doc.title in public.get_data(as_text=True)
    assert sess.scalars(select(Push)).one().status == "delivered"

    # An edit of the published document: change note required, listed publicly, diffable by staff.
    edit = {
        **_form(
            agencies,
            normative="1",
            registration_no="西政规〔2021〕1号",
            body_md=BODY.replace("推进决策公开。", "推进决策和执行公开。"),
        )
    }
    assert _post(client, base, edit).status_code == 400
    edit["change_note"] = "补充执行公开"
    assert _post(client, base, edit).status_code == 302
    html = client.get(f"/policies/{doc.slug}/").get_data(as_text=True)
    assert "更新记录" in html and "补充执行公开" in html
    diff = client.get(f"{base}/versions/1/2").get_data(as_text=True)
    assert "推进决策和执行公开。" in diff and 'class="del"' in diff
    dates = _post(client, base, {**edit, "published_at": "2019-01-01"})
    assert dates.status_code == 400 and "发布日期在首次发布时由系统确定" in dates.get_data(as_text=True)

    # Withdrawn: the public page says so, with the reason, and answers 410.
    assert (
        _post(client, f"{base}/withdraw", {"reason": "内容调整，另行发布", "confirm": "1"}).status_code == 302
    )
    gone = client.get(f"/policies/{doc.slug}/")
    assert gone.status_code == 410 and "内容调整，另行发布" in gone.get_data(as_text=True)


def test_privacy_hit_is_shown_on_the_publish_form(client, sess, staff, login_as, make_draft):
    from portal.services import publishing

    doc = make_draft(body_md="联系人：张三，手机 13912345678。")
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    sess.commit()
    login_as(staff.publisher)
    page = client.get(f"/admin/documents/{doc.id}/publish").get_data(as_text=True)
    assert "139****5678" in page and "13912345678" not in page
    refused = _post(client, f"/admin/documents/{doc.id}/publish")
    assert refused.status_code == 409 and "个人信息" in refused.get_data(as_text=True)
    assert (
        _post(
            client, f"/admin/documents/{doc.id}/publish", {"privacy_override": "经本人同意公开"}
        ).status_code
        == 302
    )


def test_interpretation_form_keeps_qa_items_in_the_given_order(client, sess, staff, login_as, make_draft):
    doc = make_draft()
    login_as(staff.editor)
    data = {
        "title": "解读",
        "document_id": str(doc.id),
        "form": "qa",
        "action": "save",
        "question": ["第二个问题？", "第一个问题？", ""],
        "answer": ["答二", "答一", ""],
        "qa_position": ["2", "1", "3"],
    }
    response = _post(client, "/admin/interpretations/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    interp = sess.scalars(select(Interpretation)).one()
    assert [q.question for q in interp.items] == ["第一个问题？", "第二个问题？"]
    empty = _post(client, "/admin/interpretations/new", {**data, "question": [""], "answer": [""]})
    assert empty.status_code == 400 and "至少需要一组问答" in empty.get_data(as_text=True)


def test_admin_manages_users_and_sees_the_audit_log_as_csv(
    client, sess, staff, agencies, login_as, make_draft
):
    make_draft(title='=HYPERLINK("http://evil")')
    login_as(staff.admin)
    created = _post(
        client,
        "/admin/users/new",
        {
            "username": "li",
            "display_name": "李四",
            "roles": ["editor"],
            "agency_id": str(agencies.office.id),
            "active": "1",
            "password": "a long enough password",
        },
    )
    assert created.status_code == 302
    no_agency = _post(
        client,
        "/admin/users/new",
        {"username": "zhao", "roles": ["reviewer"], "active": "1", "password": "a long enough password"},
    )
    assert no_agency.status_code == 400 and "必须归属一个部门" in no_agency.get_data(as_text=True)
    page = client.get("/admin/audit?action=user").get_data(as_text=True)
    assert "user.create" in page and "li" in page
    export = client.get("/admin/audit.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["id", "at", "actor", "action"]
    actions = [r[3] for r in rows[1:]]
    assert "document.create" in actions and "user.create" in actions
    labels = [r[6] for r in rows[1:] if r[3] == "document.create"]
    assert labels == ['\'=HYPERLINK("http://evil")']  # a formula is never live in a spreadsheet
    assert sess.scalar(select(func.count(AuditEntry.id))) == len(rows) - 1


def test_pushes_page_shows_failures_and_retry(client, sess, staff, login_as, make_draft):
    from werkzeug.datastructures import MultiDict

    from portal.services import channels, publishing
    from portal.services.publishing import PublishRequest

    hook = channels.save_channel(
        sess,
        staff.admin,
        channels.parse_channel_form(
            sess,
            MultiDict(
                {"name": "关闭的网关", "kind": "webhook", "url": "http://127.0.0.1:9/x", "active": "1"}
            ),
            None,
        ),
    )
    doc = make_draft()
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest(channel_ids=[hook.id]))
    sess.commit()
    login_as(staff.publisher)
    page = client.get("/admin/pushes?status=failed").get_data(as_text=True)
    assert "关闭的网关" in page and "连接失败" in page
    record = sess.scalars(select(Push)).one()
    assert _post(client, f"/admin/pushes/{record.id}/retry").status_code == 302
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert "推送失败（1）" in dashboard
    assert re.search(r"发送失败", page)


def test_public_page_lists_attachments_of_a_published_document_only(app, client, sess, staff, make_draft):
    from portal.services import attachments, publishing
    from portal.services.publishing import PublishRequest

    doc = make_draft()
    att = attachments.add(
        sess,
        staff.editor,
        doc,
        "名单说明.png",
        PNG,
        instance_path=app.extensions["settings"].instance_path,
        max_bytes=10**6,
    )
    sess.commit()
    url = f"/policies/{doc.slug}/files/{att.id}/{att.filename}"
    assert client.get(url).status_code == 404  # not yet published
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    page = client.get(f"/policies/{doc.slug}/").get_data(as_text=True)
    assert "名单说明.png" in page
    download = client.get(url)
    assert download.status_code == 200 and download.data == PNG
    assert "filename*=UTF-8''%E5%90%8D" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert client.get(url, headers={"If-None-Match": f'"{att.sha256}"'}).status_code == 304

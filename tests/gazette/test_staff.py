"""Assembling and publishing a gazette issue in the staff area (/admin/gazette/).

Through the pages, as staff use them: create a draft with proposed numbers, search documents by title or
文号, add them under categories, reorder, upload the printed PDF, publish (public page, search, the
documents' "刊登于" line), withdraw with a reason and reopen; and every refusal on the way.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from portal.models import AuditEntry, GazetteEntry, GazetteIssue
from portal.services import gazette_assembly, publishing
from portal.services.publishing import PublishRequest

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ISSUE_FORM = {
    "year": "2021",
    "number": "1",
    "running_number": "130",
    "custom_title": "",
    "published_on": "2021-03-15",
}
ISSUE = gazette_assembly.IssueForm(year=2021, number=1, running_number=130, published_on=date(2021, 3, 15))


@pytest.fixture
def publish_doc(sess, staff, make_draft):  # noqa: ANN001, ANN201
    """A published, publicly disclosed document."""

    def make(title: str, doc_number: str, **fields):  # noqa: ANN003, ANN202
        doc = make_draft(title=title, doc_number=doc_number, **fields)
        publishing.submit(sess, staff.editor, doc)
        publishing.approve(sess, staff.reviewer, doc)
        publishing.publish(sess, staff.publisher, doc, PublishRequest())
        sess.commit()
        return doc

    return make


@pytest.fixture
def docs(publish_doc):  # noqa: ANN001, ANN201
    return [
        publish_doc("关于推进街巷长制工作的意见", "西政发〔2021〕1号"),
        publish_doc("西城区2021年政务公开工作要点", "西政办发〔2021〕3号"),
        publish_doc("西城区老旧小区综合整治实施方案", "西政办发〔2021〕7号"),
    ]


def _post(client, csrf_token, url: str, **data):  # noqa: ANN001, ANN003, ANN202
    return client.post(url, data={**data, "csrf_token": csrf_token()})


def _audit(sess, issue_id: int) -> list[str]:  # noqa: ANN001
    return sess.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "gazetteissue", AuditEntry.object_id == issue_id)
        .order_by(AuditEntry.id)
    ).all()


def _create(client, csrf_token, **fields) -> int:  # noqa: ANN001, ANN003
    response = _post(client, csrf_token, "/admin/gazette/new", **{**ISSUE_FORM, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/admin/gazette/(\d+)", response.headers["Location"])[1])


def _entry_ids(sess, issue_id: int) -> list[int]:  # noqa: ANN001
    sess.expire_all()
    return [e.document_id for e in sess.get(GazetteIssue, issue_id).entries]


def test_assemble_publish_and_withdraw_an_issue(client, sess, staff, login_as, csrf_token, docs):
    rules, points, plan = docs
    login_as(staff.editor)
    page = client.get("/admin/gazette/new?year=2021").get_data(as_text=True)
    assert 'name="number" value="1"' in page and 'name="running_number" value="1"' in page  # nothing yet
    issue_id = _create(client, csrf_token, custom_title="城市更新专刊")
    assert client.get("/admin/gazette/new?year=2021").get_data(as_text=True).count('value="131"') == 1

    # Search by title and by 文号 (any bracket form), then add under categories.
    found = client.get(f"/admin/gazette/{issue_id}?q=" + quote("街巷长制")).get_data(as_text=True)
    assert "关于推进街巷长制工作的意见" in found and "老旧小区" not in found
    found = client.get(f"/admin/gazette/{issue_id}?q=" + quote("西政办发[2021]7号")).get_data(as_text=True)
    assert "西城区老旧小区综合整治实施方案" in found and "街巷长制" not in found
    for doc, category in ((plan, "区政府办公室文件"), (rules, "区政府文件"), (points, "区政府办公室文件")):
        assert (
            _post(
                client,
                csrf_token,
                f"/admin/gazette/{issue_id}/entries",
                document_id=doc.id,
                category=category,
            ).status_code
            == 302
        )
    # A new entry joins the end of its category: the office's two documents stay together.
    assert _entry_ids(sess, issue_id) == [plan.id, points.id, rules.id]
    # Reorder: the district government's document first, then the office's in printed order.
    entries = {e.document_id: e.id for e in sess.get(GazetteIssue, issue_id).entries}
    for entry, direction in ((rules.id, "up"), (rules.id, "up"), (points.id, "up")):
        assert (
            _post(
                client,
                csrf_token,
                f"/admin/gazette/{issue_id}/entries/move",
                entry_id=entries[entry],
                direction=direction,
            ).status_code
            == 302
        )
    assert _entry_ids(sess, issue_id) == [rules.id, points.id, plan.id]

    upload = {"file": (__import__("io").BytesIO(PDF), "公报2021-1.pdf"), "csrf_token": csrf_token()}
    assert (
        client.post(
            f"/admin/gazette/{issue_id}/pdf", data=upload, content_type="multipart/form-data"
        ).status_code
        == 302
    )

    # Nothing is public before publication.
    assert client.get("/gazette/2021/1/").status_code == 404
    assert "/gazette/2021/1/" not in client.get("/gazette/").get_data(as_text=True)

    login_as(staff.publisher)
    assert _post(client, csrf_token, f"/admin/gazette/{issue_id}/publish").status_code == 302
    client.delete_cookie("session")  # the public pages, as a visitor sees them

    index = client.get("/gazette/").get_data(as_text=True)
    assert "/gazette/2021/1/" in index and "总第130期" in index
    html = client.get("/gazette/2021/1/").get_data(as_text=True)
    assert "政府公报2021年第1期（总第130期） 城市更新专刊" in html
    assert (
        html.index("区政府文件")
        < html.index(f"/policies/{rules.slug}/")
        < html.index("区政府办公室文件")
        < html.index(f"/policies/{points.slug}/")
        < html.index(f"/policies/{plan.slug}/")
    )
    pdf = client.get("/gazette/2021/1/gazette-2021-01.pdf")
    assert pdf.status_code == 200 and pdf.data == PDF and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "/gazette/2021/1/gazette-2021-01.pdf" in html
    assert "刊登于" in client.get(f"/policies/{plan.slug}/").get_data(as_text=True)
    assert "/gazette/2021/1/" in client.get("/search?q=" + quote("城市更新专刊")).get_data(as_text=True)

    assert _audit(sess, issue_id) == [
        "gazette.create",
        "gazette.entry_add",
        "gazette.entry_add",
        "gazette.entry_add",
        "gazette.entry_move",
        "gazette.entry_move",
        "gazette.entry_move",
        "gazette.pdf_upload",
        "gazette.publish",
    ]

    # A published issue is not edited in place.
    login_as(staff.editor)
    refused = _post(
        client, csrf_token, f"/admin/gazette/{issue_id}/entries/remove", entry_id=entries[plan.id]
    )
    assert refused.status_code == 409 and "只有草稿才能调整目录" in refused.get_data(as_text=True)

    # Withdrawn: a 410 with the public reason, gone from the list, the search and the documents' pages.
    login_as(staff.publisher)
    refused = _post(client, csrf_token, f"/admin/gazette/{issue_id}/withdraw", reason=" ")
    assert refused.status_code == 409 and "撤回时必须填写公开的撤回理由" in refused.get_data(as_text=True)
    assert (
        _post(
            client, csrf_token, f"/admin/gazette/{issue_id}/withdraw", reason="目录有误，更正后重新发布"
        ).status_code
        == 302
    )
    client.delete_cookie("session")
    gone = client.get("/gazette/2021/1/")
    assert gone.status_code == 410 and "目录有误，更正后重新发布" in gone.get_data(as_text=True)
    assert client.get("/gazette/2021/1/gazette-2021-01.pdf").status_code == 404
    assert "/gazette/2021/1/" not in client.get("/gazette/").get_data(as_text=True)
    assert "/gazette/2021/1/" not in client.get("/search?q=" + quote("城市更新专刊")).get_data(as_text=True)
    assert "刊登于" not in client.get(f"/policies/{plan.slug}/").get_data(as_text=True)

    # Reopened by the editor, corrected, and published again by the publisher.
    login_as(staff.editor)
    assert _post(client, csrf_token, f"/admin/gazette/{issue_id}/reopen").status_code == 302
    assert (
        _post(
            client, csrf_token, f"/admin/gazette/{issue_id}/entries/remove", entry_id=entries[plan.id]
        ).status_code
        == 302
    )
    login_as(staff.publisher)
    assert _post(client, csrf_token, f"/admin/gazette/{issue_id}/publish").status_code == 302
    client.delete_cookie("session")
    html = client.get("/gazette/2021/1/").get_data(as_text=True)
    assert f"/policies/{points.slug}/" in html and f"/policies/{plan.slug}/" not in html
    assert "刊登于" not in client.get(f"/policies/{plan.slug}/").get_data(as_text=True)


def test_the_staff_list_filters_by_year_and_shows_drafts(client, sess, staff, login_as, csrf_token):
    login_as(staff.editor)
    _create(client, csrf_token)
    _create(client, csrf_token, year="2020", number="12", running_number="129", published_on="2020-12-30")
    login_as(staff.reviewer)
    everything = client.get("/admin/gazette/").get_data(as_text=True)
    assert "2021年第1期" in everything and "2020年第12期" in everything and "草稿" in everything
    only = client.get("/admin/gazette/?year=2020").get_data(as_text=True)
    assert "2020年第12期" in only and "2021年第1期" not in only
    # The new-issue form proposes the next numbers of the chosen year.
    login_as(staff.editor)
    page = client.get("/admin/gazette/new?year=2020").get_data(as_text=True)
    assert 'name="number" value="13"' in page and 'name="running_number" value="131"' in page


def test_number_conflicts_are_refused_in_chinese_and_write_nothing(client, sess, staff, login_as, csrf_token):
    login_as(staff.editor)
    issue_id = _create(client, csrf_token)
    before = (
        sess.scalar(select(func.count(GazetteIssue.id))),
        sess.scalar(select(func.count(AuditEntry.id))),
    )

    same_number = _post(client, csrf_token, "/admin/gazette/new", **{**ISSUE_FORM, "running_number": "131"})
    assert same_number.status_code == 400 and "2021年第1期已存在" in same_number.get_data(as_text=True)
    same_running = _post(client, csrf_token, "/admin/gazette/new", **{**ISSUE_FORM, "number": "2"})
    assert same_running.status_code == 400 and "总第130期已被2021年第1期使用" in same_running.get_data(
        as_text=True
    )
    bad = _post(
        client,
        csrf_token,
        "/admin/gazette/new",
        year="二〇二一",
        number="0",
        published_on="2021-13-01",
        custom_title="长" * 201,
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "年份应为" in text and "期号应为" in text and "出版日期格式" in text
    assert "标题不能超过 200 个字符" in text and 'value="二〇二一"' in text  # shown again as typed
    late = _post(client, csrf_token, "/admin/gazette/new", **{**ISSUE_FORM, "number": "3", "running_number": "",
                                                               "published_on": "2023-01-02"})  # fmt: skip
    assert late.status_code == 400 and "出版日期应在 2021 年内" in late.get_data(as_text=True)

    other_id = _create(client, csrf_token, number="2", running_number="131", published_on="2021-04-15")
    clash = _post(client, csrf_token, f"/admin/gazette/{other_id}", **{**ISSUE_FORM, "running_number": "131"})
    assert clash.status_code == 400 and "2021年第1期已存在" in clash.get_data(as_text=True)
    sess.expire_all()
    assert sess.get(GazetteIssue, other_id).number == 2
    assert sess.scalar(select(func.count(GazetteIssue.id))) == before[0] + 1
    assert sess.scalar(select(func.count(AuditEntry.id))) == before[1] + 1  # only the second issue's creation
    assert issue_id != other_id


def test_a_number_taken_meanwhile_is_a_clear_refusal_not_a_crash(sess, staff):
    """Two editors checked the same free number; the second save meets the unique constraint."""
    form = gazette_assembly.check_issue(sess, ISSUE, None)
    gazette_assembly.save_issue(sess, staff.editor, gazette_assembly.check_issue(sess, ISSUE, None))
    sess.commit()
    with pytest.raises(gazette_assembly.ConflictError, match="刚被其他人占用"):
        gazette_assembly.save_issue(sess, staff.editor, form)
    sess.rollback()
    assert sess.scalar(select(func.count(GazetteIssue.id))) == 1


def test_a_document_appears_in_one_issue_only(client, sess, staff, login_as, csrf_token, docs, make_draft):
    rules = docs[0]
    login_as(staff.editor)
    first = _create(client, csrf_token)
    second = _create(client, csrf_token, number="2", running_number="131", published_on="2021-04-15")
    assert (
        _post(
            client, csrf_token, f"/admin/gazette/{first}/entries", document_id=rules.id, category="区政府文件"
        ).status_code
        == 302
    )
    again = _post(
        client, csrf_token, f"/admin/gazette/{first}/entries", document_id=rules.id, category="区政府文件"
    )
    assert again.status_code == 409 and "已在本期目录中" in again.get_data(as_text=True)
    elsewhere = _post(
        client, csrf_token, f"/admin/gazette/{second}/entries", document_id=rules.id, category="区政府文件"
    )
    assert elsewhere.status_code == 409
    assert "已收入《政府公报2021年第1期（总第130期）》，一份文件只能刊登在一期公报中" in elsewhere.get_data(
        as_text=True
    )
    # The search result says so too, and offers no way to pick it.
    listed = client.get(f"/admin/gazette/{second}?q=" + quote("街巷长制")).get_data(as_text=True)
    assert "已收入《政府公报2021年第1期" in listed and "disabled" in listed
    # Only published public documents are offered and accepted.
    draft = make_draft(title="尚未发布的街巷长制文件", doc_number="西政发〔2021〕9号")
    assert "尚未发布的街巷长制文件" not in listed
    refused = _post(
        client, csrf_token, f"/admin/gazette/{second}/entries", document_id=draft.id, category="区政府文件"
    )
    assert refused.status_code == 409 and "只能收录已发布且主动公开的文件" in refused.get_data(as_text=True)
    assert _entry_ids(sess, second) == []
    assert sess.scalar(select(func.count(GazetteEntry.id))) == 1


def test_roles_editors_assemble_publishers_publish(client, sess, staff, login_as, csrf_token, docs):
    login_as(staff.editor)
    issue_id = _create(client, csrf_token)
    assert (
        _post(
            client,
            csrf_token,
            f"/admin/gazette/{issue_id}/entries",
            document_id=docs[0].id,
            category="区政府文件",
        ).status_code
        == 302
    )
    refused = _post(client, csrf_token, f"/admin/gazette/{issue_id}/publish")
    assert refused.status_code == 403  # the access layer: editors do not publish
    login_as(staff.reviewer)
    assert _post(client, csrf_token, "/admin/gazette/new", **ISSUE_FORM).status_code == 403
    assert client.get(f"/admin/gazette/{issue_id}").status_code == 200  # but may look
    edit = _post(client, csrf_token, f"/admin/gazette/{issue_id}", **ISSUE_FORM)
    assert edit.status_code == 403 and "您没有编排公报的权限" in edit.get_data(as_text=True)
    login_as(staff.publisher)
    assert (
        _post(
            client,
            csrf_token,
            f"/admin/gazette/{issue_id}/entries",
            document_id=docs[1].id,
            category="区政府文件",
        ).status_code
        == 403
    )
    login_as(staff.admin)
    assert client.get("/admin/gazette/").status_code == 403
    assert _entry_ids(sess, issue_id) == [docs[0].id]
    assert sess.get(GazetteIssue, issue_id).status == "draft"


def test_four_eyes_whoever_last_changed_the_contents_does_not_publish(
    client, sess, staff, login_as, csrf_token, docs, make_user, agencies
):
    both = make_user("both", ["editor", "publisher"], agency=agencies.office)
    login_as(both)
    issue_id = _create(client, csrf_token)
    assert (
        _post(
            client,
            csrf_token,
            f"/admin/gazette/{issue_id}/entries",
            document_id=docs[0].id,
            category="区政府文件",
        ).status_code
        == 302
    )
    refused = _post(client, csrf_token, f"/admin/gazette/{issue_id}/publish")
    assert refused.status_code == 409 and "不能发布由自己最后编排的公报" in refused.get_data(as_text=True)
    login_as(staff.publisher)
    assert _post(client, csrf_token, f"/admin/gazette/{issue_id}/publish").status_code == 302


def test_publishing_needs_contents_that_read_like_the_printed_issue(
    client, sess, staff, login_as, csrf_token, docs
):
    login_as(staff.editor)
    issue_id = _create(client, csrf_token)
    login_as(staff.publisher)
    empty = _post(client, csrf_token, f"/admin/gazette/{issue_id}/publish")
    assert empty.status_code == 409 and "目录为空" in empty.get_data(as_text=True)

    login_as(staff.editor)
    for doc, category in ((docs[0], "区政府文件"), (docs[1], "部门文件"), (docs[2], "区政府文件")):
        _post(client, csrf_token, f"/admin/gazette/{issue_id}/entries", document_id=doc.id, category=category)
    issue = sess.get(GazetteIssue, issue_id)
    last = issue.entries[-1]
    assert (last.document_id, last.category) == (docs[1].id, "部门文件")
    # Moving a category's document away from its fellows splits the heading: shown, and refused at publication.
    _post(client, csrf_token, f"/admin/gazette/{issue_id}/entries/move", entry_id=last.id, direction="up")
    page = client.get(f"/admin/gazette/{issue_id}").get_data(as_text=True)
    assert "同一类别的文件应相邻排列" in page
    login_as(staff.publisher)
    split = _post(client, csrf_token, f"/admin/gazette/{issue_id}/publish")
    assert split.status_code == 409 and "“区政府文件”" in split.get_data(as_text=True)

    # Changing the category mends it.
    login_as(staff.editor)
    _post(
        client,
        csrf_token,
        f"/admin/gazette/{issue_id}/entries/category",
        entry_id=last.id,
        category="区政府文件",
    )
    login_as(staff.publisher)
    assert _post(client, csrf_token, f"/admin/gazette/{issue_id}/publish").status_code == 302
    assert "gazette.entry_category" in _audit(sess, issue_id)


def test_reordering_moves_one_step_and_stops_at_the_ends(client, sess, staff, login_as, csrf_token, docs):
    login_as(staff.editor)
    issue_id = _create(client, csrf_token)
    for doc in docs:
        _post(
            client,
            csrf_token,
            f"/admin/gazette/{issue_id}/entries",
            document_id=doc.id,
            category="区政府文件",
        )
    ids = {e.document_id: e.id for e in sess.get(GazetteIssue, issue_id).entries}
    first, middle, last = (d.id for d in docs)
    top = _post(
        client, csrf_token, f"/admin/gazette/{issue_id}/entries/move", entry_id=ids[first], direction="up"
    )
    assert top.status_code == 409 and "已经在目录的最前面" in top.get_data(as_text=True)
    bottom = _post(
        client, csrf_token, f"/admin/gazette/{issue_id}/entries/move", entry_id=ids[last], direction="down"
    )
    assert bottom.status_code == 409 and "已经在目录的最后面" in bottom.get_data(as_text=True)
    _post(
        client, csrf_token, f"/admin/gazette/{issue_id}/entries/move", entry_id=ids[first], direction="down"
    )
    assert _entry_ids(sess, issue_id) == [middle, first, last]
    _post(client, csrf_token, f"/admin/gazette/{issue_id}/entries/move", entry_id=ids[last], direction="up")
    assert _entry_ids(sess, issue_id) == [middle, last, first]
    _post(client, csrf_token, f"/admin/gazette/{issue_id}/entries/remove", entry_id=ids[last])
    assert _entry_ids(sess, issue_id) == [middle, first]
    positions = [e.position for e in sess.get(GazetteIssue, issue_id).entries]
    assert positions == [0, 1]
    page = client.get(f"/admin/gazette/{issue_id}").get_data(as_text=True)
    assert "<script" not in page and page.count('value="up"') == 1 and page.count('value="down"') == 1


def test_only_a_pdf_is_accepted_as_the_printed_issue(client, sess, staff, login_as, csrf_token):
    import io

    login_as(staff.editor)
    issue_id = _create(client, csrf_token)

    def upload(data: bytes, name: str):  # noqa: ANN202
        return client.post(
            f"/admin/gazette/{issue_id}/pdf",
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(data), name), "csrf_token": csrf_token()},
        )

    for data, name in ((PNG, "公报.pdf"), (b"PK\x03\x04not a zip", "公报.pdf"), (b"", "公报.pdf")):
        refused = upload(data, name)
        assert refused.status_code == 400, name
        assert re.search("公报只接受 PDF 文件|上传的文件是空的", refused.get_data(as_text=True))
    sess.expire_all()
    assert sess.get(GazetteIssue, issue_id).pdf_sha256 == ""
    assert "gazette.pdf_upload" not in _audit(sess, issue_id)
    assert upload(PDF, "../../etc/公报.PDF").status_code == 302
    sess.expire_all()
    issue = sess.get(GazetteIssue, issue_id)
    assert issue.pdf_filename == "公报.pdf" and issue.pdf_size == len(PDF)
    download = client.get(f"/admin/gazette/{issue_id}/pdf")
    assert download.data == PDF and download.headers["X-Content-Type-Options"] == "nosniff"
    assert _post(client, csrf_token, f"/admin/gazette/{issue_id}/pdf/remove").status_code == 302
    sess.expire_all()
    assert sess.get(GazetteIssue, issue_id).pdf_sha256 == ""


def test_a_never_published_draft_may_be_deleted(client, sess, staff, login_as, csrf_token, docs):
    login_as(staff.editor)
    issue_id = _create(client, csrf_token)
    _post(
        client,
        csrf_token,
        f"/admin/gazette/{issue_id}/entries",
        document_id=docs[0].id,
        category="区政府文件",
    )
    assert _post(client, csrf_token, f"/admin/gazette/{issue_id}/delete").status_code == 302
    assert sess.scalar(select(func.count(GazetteIssue.id))) == 0
    assert sess.scalar(select(func.count(GazetteEntry.id))) == 0
    assert "gazette.delete" in sess.scalars(select(AuditEntry.action)).all()


def test_the_dashboard_lists_draft_issues(client, sess, staff, login_as, csrf_token, docs):
    login_as(staff.editor)
    _create(client, csrf_token)
    assert "政府公报2021年第1期" in client.get("/admin/").get_data(as_text=True)
    login_as(staff.publisher)
    assert "政府公报2021年第1期" not in client.get("/admin/").get_data(as_text=True)  # nothing to publish yet


@pytest.fixture
def app_overrides(app_overrides: dict) -> dict:
    return {**app_overrides, "page_cache_seconds": 0}  # the static export renders without the page cache


def test_the_static_export_carries_the_uploaded_pdf(app, sess, staff, docs, tmp_path):

    from portal.export import freeze

    issue = gazette_assembly.save_issue(sess, staff.editor, gazette_assembly.check_issue(sess, ISSUE, None))
    gazette_assembly.add_entry(sess, staff.editor, issue, docs[0].id, "区政府文件")
    gazette_assembly.attach_pdf(
        sess,
        staff.editor,
        issue,
        "公报.pdf",
        PDF,
        instance_path=app.extensions["settings"].instance_path,
        max_bytes=1 << 20,
    )
    sess.commit()
    gazette_assembly.publish_issue(sess, staff.publisher, issue)
    sess.commit()
    report = freeze(app, tmp_path / "site")
    assert report.ok, (report.errors, report.broken_links)
    assert (tmp_path / "site" / "gazette" / "2021" / "1" / "gazette-2021-01.pdf").read_bytes() == PDF
    assert "gazette-2021-01.pdf" in (tmp_path / "site" / "gazette" / "2021" / "1" / "index.html").read_text(
        "utf-8"
    )


def test_the_gazette_pages_are_valid_html5(client, sess, staff, login_as, csrf_token, docs, tmp_path):
    import io
    import shutil
    import subprocess

    from tests.web.test_site_crawl import VNU

    java = shutil.which("java")
    if not java or not VNU.exists():
        pytest.skip(
            "HTML5 validation needs Java and node_modules/vnu-jar: run `npm ci` (and apt-get install default-jre-headless)"
        )
    login_as(staff.editor)
    issue_id = _create(client, csrf_token, custom_title="专刊")
    for doc in docs[:2]:
        _post(
            client,
            csrf_token,
            f"/admin/gazette/{issue_id}/entries",
            document_id=doc.id,
            category="区政府文件",
        )
    client.post(
        f"/admin/gazette/{issue_id}/pdf",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(PDF), "公报.pdf"), "csrf_token": csrf_token()},
    )
    pages = {
        "list": "/admin/gazette/",
        "new": "/admin/gazette/new",
        "edit": f"/admin/gazette/{issue_id}?q=" + quote("西城区"),
    }
    html = {name: client.get(path).get_data(as_text=True) for name, path in pages.items()}
    login_as(staff.publisher)
    html["publisher"] = client.get(f"/admin/gazette/{issue_id}").get_data(as_text=True)
    _post(client, csrf_token, f"/admin/gazette/{issue_id}/publish")
    html["public"] = client.get("/gazette/2021/1/").get_data(as_text=True)
    _post(client, csrf_token, f"/admin/gazette/{issue_id}/withdraw", reason="更正")
    html["withdrawn"] = client.get("/gazette/2021/1/").get_data(as_text=True)
    files = []
    for name, text in html.items():
        (tmp_path / f"{name}.html").write_text(text, encoding="utf-8")
        files.append(str(tmp_path / f"{name}.html"))
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", *files], capture_output=True, text=True)
    assert result.returncode == 0, f"Nu HTML Checker found errors:\n{result.stderr}"

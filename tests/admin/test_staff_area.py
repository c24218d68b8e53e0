"""The rough edges of the staff area: scoped, paginated lists; the publish page; withdrawing; the Q&A
editor and its import; the audit log in local time with Chinese action names."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.models import AuditEntry, Document, DocumentAgency, Interpretation
from portal.services import publishing
from portal.services.publishing import PublishRequest
from tests.conftest import csrf_token_for


def _post(client, url, data=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
    data = dict(data or {})
    data["csrf_token"] = csrf_token_for(client)
    return client.post(url, data=data, **kwargs)


def _docs(sess, agency, n, *, prefix, newer_by=0):  # noqa: ANN001, ANN202
    now = datetime.now(UTC)
    docs = []
    for i in range(n):
        doc = Document(
            slug=f"{prefix}-{i}",
            title=f"{prefix}文件{i}",
            status="draft",
            owner_id=agency.id,
            updated_at=now + timedelta(minutes=newer_by + i),
        )
        doc.issuers = [DocumentAgency(agency_id=agency.id, position=0)]
        docs.append(doc)
    sess.add_all(docs)
    sess.commit()
    return docs


def test_an_editors_list_is_complete_however_many_newer_items_others_have(
    client, sess, staff, agencies, login_as
):
    _docs(sess, agencies.office, 3, prefix="office")
    _docs(sess, agencies.other, 520, prefix="other", newer_by=10)  # all newer than the office's
    login_as(staff.editor)
    html = client.get("/admin/documents/").get_data(as_text=True)
    assert all(f"office文件{i}" in html for i in range(3)) and "other文件" not in html
    assert "共 3 个文件" in html

    # A publisher sees everything, 50 to a page, with page numbers, first and last.
    login_as(staff.publisher)
    first = client.get("/admin/documents/").get_data(as_text=True)
    assert "共 523 个文件" in first and first.count("/admin/documents/") >= 50
    assert 'href="/admin/documents/?page=2"' in first and "末页" in first
    last = client.get("/admin/documents/?page=11").get_data(as_text=True)
    assert "office文件0" in last and 'aria-current="page">11<' in last and "首页" in last
    # Past the last page: the last page, not an empty list or an error.
    assert "office文件0" in client.get("/admin/documents/?page=99").get_data(as_text=True)


def test_interpretation_list_is_scoped_in_sql_too(client, sess, staff, agencies, login_as):
    mine = _docs(sess, agencies.office, 1, prefix="office")[0]
    theirs = _docs(sess, agencies.other, 600, prefix="other", newer_by=10)
    for doc in (mine, *theirs[:60]):
        sess.add(Interpretation(slug=f"{doc.slug}-qa", title=f"{doc.title}解读", document_id=doc.id))
    sess.commit()
    login_as(staff.editor)
    html = client.get("/admin/interpretations/").get_data(as_text=True)
    assert "office文件0解读" in html and "other文件" not in html
    # The document choice of a new interpretation offers the editor's own documents.
    new = client.get("/admin/interpretations/new").get_data(as_text=True)
    assert "office文件0" in new and "other文件" not in new
    login_as(staff.publisher)
    listing = client.get("/admin/interpretations/").get_data(as_text=True)
    assert "共 61 篇解读" in listing and 'href="/admin/interpretations/?page=2"' in listing


def test_the_privacy_warning_stays_after_a_sync_refusal(client, sess, staff, login_as, make_draft):
    doc = make_draft(normative="1", body_md="联系人：张三，手机 13912345678。")
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    sess.commit()
    login_as(staff.publisher)
    refused = _post(client, f"/admin/documents/{doc.id}/publish", {"privacy_override": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "三同步" in html
    assert "139****5678" in html and 'name="privacy_override"' in html


def test_withdrawing_asks_for_confirmation_and_the_interpretation_then_answers_410(
    client, sess, staff, login_as, make_draft, make_interpretation
):
    doc = make_draft()
    interp = make_interpretation(doc)
    for obj in (doc, interp):
        publishing.submit(sess, staff.editor, obj)
        publishing.approve(sess, staff.reviewer, obj)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    assert client.get(f"/interpretations/{interp.slug}/").status_code == 200
    login_as(staff.publisher)
    page = client.get(f"/admin/documents/{doc.id}").get_data(as_text=True)
    # The withdraw form sits apart, after the everyday actions and the versions, behind a disclosure.
    actions = page[page.index('<div class="actions">') :]
    actions = actions[: actions.index("</div>")]
    assert "withdraw" not in actions
    assert page.index('class="danger-zone"') > page.index("更新记录")
    assert 'name="confirm"' in page

    unconfirmed = _post(client, f"/admin/documents/{doc.id}/withdraw", {"reason": "内容调整"})
    assert unconfirmed.status_code == 400 and "确认撤回" in unconfirmed.get_data(as_text=True)
    sess.expire_all()
    assert sess.get(Document, doc.id).status == "published"
    done = _post(client, f"/admin/documents/{doc.id}/withdraw", {"reason": "内容调整", "confirm": "1"})
    assert done.status_code == 302

    gone = client.get(f"/interpretations/{interp.slug}/")
    html = gone.get_data(as_text=True)
    assert gone.status_code == 410 and "内容调整" in html and doc.title in html
    assert client.get("/interpretations/never-existed/").status_code == 404


def test_new_interpretation_rows_are_added_in_the_page_and_without_script(
    client, sess, staff, login_as, make_draft
):
    doc = make_draft()
    login_as(staff.editor)
    html = client.get(f"/admin/interpretations/new?document={doc.id}").get_data(as_text=True)
    assert '<script src="/static/js/admin-rows.js" defer></script>' in html
    assert "data-rows" in html and html.count("data-row>") == 2  # the page works without the script
    script = client.get("/static/js/admin-rows.js")
    assert script.status_code == 200 and b"cloneNode" in script.data
    # Five pairs typed (as the script lets one do) are all saved in one round trip.
    data = {"title": "解读", "document_id": str(doc.id), "form": "qa", "action": "save"}
    data["question"] = [f"问题{n}？" for n in range(1, 6)]
    data["answer"] = [f"回答{n}。" for n in range(1, 6)]
    data["qa_position"] = [str(n) for n in range(1, 6)]
    assert _post(client, "/admin/interpretations/new", data).status_code == 302
    interp = sess.scalars(select(Interpretation)).one()
    assert [q.question for q in interp.items] == [f"问题{n}？" for n in range(1, 6)]


QA_TEXT = """关于《西城区2021年政务公开工作要点》的解读

解读人：李四

问：为什么制定《要点》？
答：为了推进政务公开工作。
问：主要内容有哪些？
答：共五个部分。
第一部分是总体要求。
问：何时开始实施？
答：自印发之日起施行。
"""


def test_a_qa_text_is_imported_into_the_form_as_the_command_line_reads_it(
    client, sess, staff, login_as, make_draft
):
    doc = make_draft()
    login_as(staff.editor)
    new = client.get("/admin/interpretations/new").get_data(as_text=True)
    assert 'action="/admin/interpretations/import"' in new
    response = _post(
        client,
        "/admin/interpretations/import",
        {"document_id": str(doc.id), "file": (io.BytesIO(QA_TEXT.encode("gb18030")), "解读.txt")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="关于《西城区2021年政务公开工作要点》的解读"' in html and 'value="李四"' in html
    assert re.findall(r'name="question" value="([^"]*)"', html)[:3] == [
        "为什么制定《要点》？",
        "主要内容有哪些？",
        "何时开始实施？",
    ]
    assert "共五个部分。" in html and "第一部分是总体要求。" in html
    assert sess.query(Interpretation).count() == 0  # filled in, not saved: the editor checks it first
    bad = _post(
        client,
        "/admin/interpretations/import",
        {"document_id": str(doc.id), "file": (io.BytesIO("没有问答的文本。".encode()), "x.txt")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "未找到问答" in bad.get_data(as_text=True)


def test_the_audit_log_shows_beijing_time_and_chinese_action_names(client, sess, staff, login_as, make_draft):
    doc = make_draft()
    # The log is append-only: an entry at a known moment is written as such, not moved afterwards.
    sess.add(
        AuditEntry(
            actor_name="editor",
            action="document.submit",
            object_type="document",
            object_id=doc.id,
            object_label=doc.title,
            at=datetime(2026, 12, 1, 17, 30, 5, tzinfo=UTC),
        )
    )
    sess.commit()
    login_as(staff.admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "2026-12-02 01:30:05" in html  # 17:30 UTC is 01:30 the next day in Beijing
    assert "提交审核政策文件" in html and "新建政策文件" in html and "政策文件 #" in html


def test_every_manage_list_is_paginated(client, sess, staff, agencies, login_as):
    from portal.models import Agency, Channel, Push, User

    channel = Channel(name="订阅源", kind="feed", config={})
    sess.add(channel)
    sess.flush()
    sess.add_all(Agency(slug=f"a-{i}", name=f"部门{i:02d}", position=10 + i) for i in range(60))
    sess.add(Agency(slug="issuer-x", name="新发文机关", position=999, external=True, needs_review=True))
    sess.add_all(User(username=f"u{i:02d}", display_name="", roles=[], password_hash="x") for i in range(60))
    sess.add_all(
        Push(item_type="document", item_id=i, channel_id=channel.id, status="failed") for i in range(60)
    )
    sess.commit()
    login_as(staff.admin)
    agencies_page = client.get("/admin/agencies").get_data(as_text=True)
    # The issuer waiting for review comes first, whatever its position in the register.
    assert agencies_page.index("新发文机关") < agencies_page.index("部门00")
    assert 'href="/admin/agencies?page=2"' in agencies_page and "部门59" not in agencies_page
    assert "部门59" in client.get("/admin/agencies?page=2").get_data(as_text=True)
    assert 'href="/admin/users?page=2"' in client.get("/admin/users").get_data(as_text=True)
    pushes = client.get("/admin/pushes?status=failed").get_data(as_text=True)
    assert 'href="/admin/pushes?page=2&amp;status=failed"' in pushes


def test_the_dashboard_lists_an_editors_drafts_past_other_agencies_newer_ones(
    client, sess, staff, agencies, login_as
):
    _docs(sess, agencies.office, 2, prefix="office")
    _docs(sess, agencies.other, 150, prefix="other", newer_by=10)
    login_as(staff.editor)
    html = client.get("/admin/").get_data(as_text=True)
    assert "office文件0" in html and "office文件1" in html and "other文件" not in html


def test_meetings_gazette_issues_and_consultations_are_paged_in_sql(client, sess, staff, agencies, login_as):
    from datetime import date

    from portal.models import Consultation, GazetteIssue, Meeting

    # 60 newer meetings of another agency must not push the editor's own off the first page.
    sess.add_all(
        Meeting(
            slug=f"m-other-{i}", title=f"他局会议{i}", agency_id=agencies.other.id, held_on=date(2021, 1, 1)
        )
        for i in range(60)
    )
    sess.add_all(
        Meeting(
            slug=f"m-own-{i:02d}",
            title=f"本单位会议{i:02d}",
            agency_id=agencies.office.id,
            held_on=date(2020, 1, i + 1),
        )
        for i in range(3)
    )
    sess.add_all(
        GazetteIssue(slug=f"2020-{i:02d}", year=2020, number=i, published_on=date(2020, 1, 1), status="draft")
        for i in range(1, 61)
    )
    sess.add_all(
        Consultation(
            slug=f"c-{i}",
            title=f"征集{i:02d}",
            agency_id=agencies.office.id,
            opens_on=date(2020, 1, 1),
            closes_on=date(2020, 2, 1),
        )
        for i in range(60)
    )
    sess.commit()
    login_as(staff.editor)
    own = client.get("/admin/meetings/").get_data(as_text=True)
    assert "本单位会议00" in own and "他局会议" not in own and "共 3 次" in own
    login_as(staff.admin)
    meetings = client.get("/admin/meetings/").get_data(as_text=True)
    assert 'href="/admin/meetings/?page=2"' in meetings and "共 63 次" in meetings
    assert "本单位会议00" in client.get("/admin/meetings/?page=2").get_data(as_text=True)
    login_as(staff.editor)
    issues = client.get("/admin/gazette/?year=2020").get_data(as_text=True)
    assert "2020年第60期" in issues and "2020年第10期" not in issues and "共 60 期" in issues
    assert 'href="/admin/gazette/?page=2&amp;year=2020"' in issues
    assert "2020年第10期" in client.get("/admin/gazette/?year=2020&page=2").get_data(as_text=True)
    login_as(staff.publisher)
    listing = client.get("/admin/consultations/").get_data(as_text=True)
    assert 'href="/admin/consultations/?page=2"' in listing and listing.count("0 / 0") == 50

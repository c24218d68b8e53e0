"""The publishing workflow: every transition, and every refusal the rules require."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.models import AuditEntry, DocumentLink, DocumentVersion, PublicationWaiver, ReviewRemark
from portal.services import editing, publishing
from portal.services.publishing import NotAllowed, PublishRequest, WorkflowError
from tests.admin.conftest import document_form


def _to_approved(sess, staff, obj):  # noqa: ANN001, ANN202
    publishing.submit(sess, staff.editor, obj)
    publishing.approve(sess, staff.reviewer, obj)
    sess.commit()


def test_draft_to_review_to_approved_to_published(sess, staff, make_draft):
    doc = make_draft()
    assert doc.status == "draft" and doc.published_at is None
    publishing.submit(sess, staff.editor, doc)
    assert doc.status == "in_review"
    publishing.approve(sess, staff.reviewer, doc)
    assert doc.status == "approved"
    result = publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    assert doc.status == "published" and doc.published_at is not None
    assert result.published == [doc]
    actions = sess.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_id == doc.id, AuditEntry.object_type == "document")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["document.create", "document.submit", "document.approve", "document.publish"]
    versions = publishing.versions(sess, doc)
    assert [(v.number, v.change_note) for v in versions] == [(1, "首次发布")]


def test_publishing_without_approval_is_refused(sess, staff, make_draft):
    doc = make_draft()
    with pytest.raises(WorkflowError, match="未经审核通过"):
        publishing.publish(sess, staff.publisher, doc, PublishRequest())
    publishing.submit(sess, staff.editor, doc)
    with pytest.raises(WorkflowError, match="未经审核通过"):
        publishing.publish(sess, staff.publisher, doc, PublishRequest())
    assert doc.published_at is None


@pytest.mark.parametrize(
    "who, step",
    [
        ("reviewer", "submit"),
        ("publisher", "submit"),
        ("editor", "approve"),
        ("publisher", "approve"),
        ("editor", "publish"),
        ("reviewer", "publish"),
        ("other_reviewer", "approve"),
        ("other_editor", "submit"),
    ],
)
def test_roles_and_agencies_are_enforced(sess, staff, make_draft, who, step):
    doc = make_draft()
    if step != "submit":
        publishing.submit(sess, staff.editor, doc)
    if step == "publish":
        publishing.approve(sess, staff.reviewer, doc)
    actor = getattr(staff, who)
    with pytest.raises(NotAllowed):
        if step == "publish":
            publishing.publish(sess, actor, doc, PublishRequest())
        else:
            getattr(publishing, step)(sess, actor, doc)


def test_the_submitter_cannot_approve_their_own_draft(sess, staff, make_user, agencies, make_draft):
    both = make_user("both", ["editor", "reviewer"], agency=agencies.office)
    doc = make_draft()
    publishing.submit(sess, both, doc)
    with pytest.raises(WorkflowError, match="自己提交"):
        publishing.approve(sess, both, doc)
    publishing.approve(sess, staff.reviewer, doc)


def test_the_author_cannot_approve_a_draft_someone_else_submitted(sess, staff, make_user, agencies):
    """Four eyes: whoever wrote the draft (its ``create`` in the audit log) does not approve it either."""
    both = make_user("both", ["editor", "reviewer"], agency=agencies.office)
    doc = editing.save_document(
        sess, both, editing.parse_document_form(sess, document_form([agencies.office.id]), None)
    )
    sess.commit()
    assert publishing.author_id(sess, doc) == both.id
    publishing.submit(sess, staff.editor, doc)
    with pytest.raises(WorkflowError, match="自己撰写"):
        publishing.approve(sess, both, doc)
    assert doc.status == "in_review"
    publishing.approve(sess, staff.reviewer, doc)
    assert doc.status == "approved"


def test_the_author_of_an_interpretation_cannot_approve_it(sess, staff, make_user, agencies, make_draft):
    both = make_user("both", ["editor", "reviewer"], agency=agencies.office)
    doc = make_draft()
    form = editing.parse_interpretation_form(
        sess,
        MultiDict(
            [
                ("title", "解读"),
                ("document_id", str(doc.id)),
                ("form", "qa"),
                ("question", "为什么？"),
                ("answer", "因为。"),
            ]
        ),
        None,
    )
    interp = editing.save_interpretation(sess, both, form)
    sess.commit()
    publishing.submit(sess, staff.editor, interp)
    with pytest.raises(WorkflowError, match="自己撰写"):
        publishing.approve(sess, both, interp)


def test_return_with_remarks_and_remarks_are_required(sess, staff, make_draft):
    doc = make_draft()
    publishing.submit(sess, staff.editor, doc)
    with pytest.raises(WorkflowError, match="退回意见"):
        publishing.return_to_draft(sess, staff.reviewer, doc, "  ")
    publishing.return_to_draft(sess, staff.reviewer, doc, "文号有误，请核对。")
    assert doc.status == "draft"
    remark = sess.scalars(select(ReviewRemark)).one()
    assert remark.remarks == "文号有误，请核对。" and remark.user_id == staff.reviewer.id
    # Approved items go back from the publisher.
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    with pytest.raises(NotAllowed):
        publishing.return_to_draft(sess, staff.reviewer, doc, "再看看")
    publishing.return_to_draft(sess, staff.publisher, doc, "标题需要调整")
    assert [r.remarks for r in publishing.remarks_for(sess, doc)] == ["标题需要调整", "文号有误，请核对。"]


def test_normative_document_needs_an_interpretation_or_a_waiver(sess, staff, make_draft, make_interpretation):
    doc = make_draft(normative="1", registration_no="西政规〔2021〕1号")
    _to_approved(sess, staff, doc)
    with pytest.raises(WorkflowError, match="三同步") as refused:
        publishing.publish(sess, staff.publisher, doc, PublishRequest())
    assert refused.value.code == "sync"
    # A draft interpretation does not count; an approved one is published together with the document.
    interp = make_interpretation(doc)
    with pytest.raises(WorkflowError, match="三同步"):
        publishing.publish(sess, staff.publisher, doc, PublishRequest())
    _to_approved(sess, staff, interp)
    result = publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    assert set(result.published) == {doc, interp}
    assert interp.status == "published" and interp.published_at == doc.published_at
    assert sess.scalars(select(PublicationWaiver)).all() == []


def test_waiver_with_reason_lets_a_normative_document_out_alone(sess, staff, make_draft):
    doc = make_draft(normative="1", registration_no="西政规〔2021〕2号")
    _to_approved(sess, staff, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest(waiver_reason="内容简单，无需解读"))
    sess.commit()
    waiver = sess.scalars(select(PublicationWaiver)).one()
    assert (waiver.document_id, waiver.reason, waiver.user_id) == (
        doc.id,
        "内容简单，无需解读",
        staff.publisher.id,
    )
    assert sess.scalars(
        select(AuditEntry).where(AuditEntry.action == "document.sync_waiver")
    ).one().after == {"reason": "内容简单，无需解读"}


def test_interpretation_cannot_go_out_before_its_document(sess, staff, make_draft, make_interpretation):
    doc = make_draft()
    interp = make_interpretation(doc)
    _to_approved(sess, staff, interp)
    with pytest.raises(WorkflowError, match="尚未发布"):
        publishing.publish(sess, staff.publisher, interp, PublishRequest())


@pytest.mark.parametrize(
    "text, kind",
    [
        ("联系人身份证号 11010519491231002X。", "身份证号码"),
        ("联系电话：138 1234 5678", "手机号码"),
        ("请发送至 zhang.san@example.com", "电子邮箱"),
    ],
)
def test_privacy_hit_blocks_publication_until_overridden(sess, staff, make_draft, text, kind):
    doc = make_draft(body_md="正文。\n\n" + text)
    _to_approved(sess, staff, doc)
    with pytest.raises(WorkflowError) as refused:
        publishing.publish(sess, staff.publisher, doc, PublishRequest())
    assert refused.value.code == "privacy"
    assert [h.label.split("：")[1].split(" ")[0] for h in refused.value.hits] == [kind]
    assert doc.status == "approved"
    publishing.publish(sess, staff.publisher, doc, PublishRequest(privacy_override="为公开的单位联系方式"))
    sess.commit()
    entry = sess.scalars(select(AuditEntry).where(AuditEntry.action == "document.privacy_override")).one()
    assert entry.note == "为公开的单位联系方式" and kind in entry.after["hits"][0]
    assert "11010519491231002X" not in str(entry.after)  # the log shows the hit masked


def test_numbers_that_only_look_like_id_numbers_pass(sess, staff, make_draft):
    doc = make_draft(body_md="索引号 110105194912310021，金额 20210301123456789 元，电话 010-88888888。")
    _to_approved(sess, staff, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())


def test_withdraw_needs_a_public_reason_and_reopen_keeps_the_date(sess, staff, make_draft):
    doc = make_draft()
    _to_approved(sess, staff, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    first = doc.published_at
    with pytest.raises(WorkflowError, match="撤回理由"):
        publishing.withdraw(sess, staff.publisher, doc, "")
    with pytest.raises(NotAllowed):
        publishing.withdraw(sess, staff.editor, doc, "错误")
    publishing.withdraw(sess, staff.publisher, doc, "文件内容有误，待更正后重新发布")
    assert doc.status == "withdrawn" and doc.withdrawn_reason == "文件内容有误，待更正后重新发布"
    publishing.reopen(sess, staff.editor, doc)
    _to_approved(sess, staff, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    assert doc.published_at == first


def test_mark_repealed_links_the_successor(sess, staff, make_draft):
    old = make_draft()
    new = make_draft(title="新的工作要点", doc_number="西政办发〔2021〕9号")
    for d in (old, new):
        _to_approved(sess, staff, d)
        publishing.publish(sess, staff.publisher, d, PublishRequest())
    with pytest.raises(WorkflowError, match="须指明"):
        publishing.mark_validity(sess, staff.publisher, old, "repealed", None)
    publishing.mark_validity(sess, staff.publisher, old, "repealed", new)
    sess.commit()
    link = sess.scalars(select(DocumentLink)).one()
    assert (link.source_id, link.target_id, link.kind) == (new.id, old.id, "repeals")
    assert old.validity == "repealed"
    publishing.mark_validity(sess, staff.publisher, new, "expired", None)
    assert new.validity == "expired"


def test_publication_date_cannot_be_edited(sess, staff, make_draft, agencies):
    doc = make_draft()
    _to_approved(sess, staff, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    form = document_form([agencies.office.id], published_at="2019-01-01", change_note="改日期")
    with pytest.raises(editing.FormErrors) as refused:
        editing.parse_document_form(sess, form, doc)
    assert "发布日期" in refused.value.errors["published_at"]


def test_editing_a_published_document_makes_a_version_with_its_note(sess, staff, make_draft, agencies):
    doc = make_draft()
    _to_approved(sess, staff, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    published_at = doc.published_at
    changed = document_form([agencies.office.id], body_md="## 一、总体要求\n\n坚持公开为常态。\n")
    with pytest.raises(editing.FormErrors) as refused:
        editing.parse_document_form(sess, changed, doc)
    assert "修改说明" in refused.value.errors["change_note"]
    changed["change_note"] = "更正第一部分表述"
    with pytest.raises(NotAllowed):
        editing.save_document(sess, staff.editor, editing.parse_document_form(sess, changed, doc), doc)
    editing.save_document(sess, staff.publisher, editing.parse_document_form(sess, changed, doc), doc)
    sess.commit()
    assert doc.published_at == published_at and doc.status == "published"
    v2, v1 = publishing.versions(sess, doc)
    assert (v2.number, v2.change_note) == (2, "更正第一部分表述")
    diff = dict(publishing.diff_versions(v1, v2))
    assert ("+", "坚持公开为常态。") in diff["body_md"] and ("-", "推进决策公开。") in diff["body_md"]
    entry = sess.scalars(select(AuditEntry).where(AuditEntry.action == "document.update")).one()
    assert "推进决策公开" in entry.before["body_md"] and "推进决策公开" not in entry.after["body_md"]
    assert (
        sess.scalar(select(DocumentVersion.snapshot).where(DocumentVersion.number == 2))["body_md"]
        == doc.body_md
    )


def test_items_under_review_or_approved_cannot_be_edited(sess, staff, make_draft, agencies):
    doc = make_draft()
    publishing.submit(sess, staff.editor, doc)
    form = editing.parse_document_form(sess, document_form([agencies.office.id], title="改"), doc)
    with pytest.raises(NotAllowed, match="审核中"):
        editing.save_document(sess, staff.editor, form, doc)


def test_form_validation_reports_every_problem(sess, staff, make_draft, agencies):
    make_draft()
    form = document_form(
        [999],
        title="",
        doc_number="西政办发2021-3",
        written_on="2021-02-30",
        disclosure="withheld",
        slug="Bad Slug",
    )
    with pytest.raises(editing.FormErrors) as refused:
        editing.parse_document_form(sess, form, None)
    assert set(refused.value.errors) == {
        "title",
        "doc_number",
        "written_on",
        "issuers",
        "disclosure_reason",
        "slug",
    }
    duplicate = document_form([agencies.office.id], doc_number="西政办发(2021)3号")
    with pytest.raises(editing.FormErrors) as refused:
        editing.parse_document_form(sess, duplicate, None)
    assert "已被其他文件使用" in refused.value.errors["doc_number"]
    future = document_form(
        [agencies.office.id], doc_number="", written_on=f"{datetime.now(UTC).year + 1}-01-01"
    )
    with pytest.raises(editing.FormErrors):
        editing.parse_document_form(sess, future, None)


def test_editors_create_only_for_their_own_agency(sess, staff, agencies):
    """The owner (who maintains the item) is the editor's department; the issuer may be anyone."""
    form = editing.parse_document_form(
        sess, document_form([agencies.other.id], owner_id=str(agencies.other.id)), None
    )
    with pytest.raises(editing.FormErrors, match="本部门"):
        editing.save_document(sess, staff.editor, form)
    form = editing.parse_document_form(sess, document_form([agencies.other.id]), None)
    doc = editing.save_document(sess, staff.editor, form)
    assert doc.agencies == [agencies.other] and doc.owner == agencies.office


def test_measures_are_saved_in_the_order_given(sess, staff, agencies):
    form = document_form([agencies.office.id])
    for no, text, pos in (("2", "第二项任务", "2"), ("1", "第一项任务", "1"), ("", "", "")):
        form.add("measure_no", no)
        form.add("measure_text", text)
        form.add("measure_lead", "区政府办")
        form.add("measure_units", "各街道、区政务服务局")
        form.add("measure_status", "pending")
        form.add("measure_position", pos)
    doc = editing.save_document(sess, staff.editor, editing.parse_document_form(sess, form, None))
    sess.commit()
    assert [(m.no, m.text, m.units) for m in doc.measures] == [
        ("1", "第一项任务", ["各街道", "区政务服务局"]),
        ("2", "第二项任务", ["各街道", "区政务服务局"]),
    ]


def test_publish_edit_and_withdraw_keep_the_search_index_in_step(client, sess, staff, make_draft, agencies):
    from urllib.parse import quote

    def found(words: str) -> bool:
        return f"/policies/{doc.slug}/" in client.get("/search?q=" + quote(words)).get_data(as_text=True)

    doc = make_draft(title="西城区街巷长制工作方案")
    assert not found("街巷长制")
    _to_approved(sess, staff, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    assert found("街巷长制")
    form = document_form([agencies.office.id], title="西城区小巷管家工作方案", change_note="更名")
    editing.save_document(sess, staff.publisher, editing.parse_document_form(sess, form, doc), doc)
    sess.commit()
    assert found("小巷管家") and not found("街巷长制")
    publishing.withdraw(sess, staff.publisher, doc, "另行发布")
    sess.commit()
    assert not found("小巷管家")


def test_an_interpretation_cannot_be_attached_to_another_agencys_draft(
    client, sess, csrf_token, login_as, staff, agencies, make_draft
):
    """Issue 11: the document id is scoped like the drop-down, so another agency's draft stays unseen."""
    from portal.models import Interpretation

    draft = make_draft(title="规自分局不公开的草稿标题")
    login_as(staff.other_editor)
    response = client.post(
        "/admin/interpretations/new",
        data={
            "title": "借用他人草稿的解读",
            "document_id": str(draft.id),
            "form": "text",
            "body_md": "正文",
            "csrf_token": csrf_token(),
        },
    )
    assert response.status_code in (400, 403)
    assert "规自分局不公开的草稿标题" not in response.get_data(as_text=True)
    assert sess.query(Interpretation).count() == 0
    login_as(staff.editor)  # the draft's own agency may
    ok = client.post(
        "/admin/interpretations/new",
        data={
            "title": "本部门解读",
            "document_id": str(draft.id),
            "form": "text",
            "body_md": "正文",
            "csrf_token": csrf_token(),
        },
    )
    assert ok.status_code in (200, 302) and sess.query(Interpretation).count() == 1

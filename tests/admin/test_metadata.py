"""Legal metadata from the staff area: issuing agencies apart from the owning agency, the documented slug
scheme, and duplicate control at import, save and publish."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.models import Agency, AuditEntry, Document, Interpretation
from portal.services import channels, editing, publishing
from portal.services.publishing import PublishRequest
from portal.services.refusals import Refused
from tests.admin.conftest import BODY
from tests.conftest import csrf_token_for

JINGBANFA = (Path(__file__).parent / "texts" / "jingbanfa-2019-13.txt").read_bytes()
LONG_BODY = (Path(__file__).parent / "texts" / "jingbanfa-2019-13.txt").read_text("utf-8")


def _post(client, url, data=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
    data = dict(data or {})
    data["csrf_token"] = csrf_token_for(client)
    return client.post(url, data=data, **kwargs)


def _import(client, data: bytes = JINGBANFA):  # noqa: ANN001, ANN202
    return _post(
        client,
        "/admin/documents/import",
        {"file": (io.BytesIO(data), "京办发.txt")},
        content_type="multipart/form-data",
    )


def _form(**fields) -> dict:  # noqa: ANN003
    data = {
        "title": "西城区2021年政务公开工作要点",
        "doc_number": "西政办发〔2021〕3号",
        "written_on": "2021-03-01",
        "genre": "要点",
        "disclosure": "active",
        "disclosure_category": "gzwj",
        "body_md": BODY,
        "issuers": ["北京市西城区人民政府办公室"],
        "action": "save",
    }
    data.update(fields)
    return data


# -- issuers and owner ------------------------------------------------------------------------------


def test_importing_a_city_document_keeps_its_issuer_and_the_editors_office_as_owner(
    client, sess, staff, agencies, login_as
):
    login_as(staff.editor)
    response = _import(client)
    assert response.status_code == 302
    doc = sess.scalars(select(Document)).one()
    # 发文机关 is the body that signed the text, created on the fly for review; never the editor's office.
    assert [a.name for a in doc.agencies] == ["中共北京市委办公厅"]
    issuer = doc.agencies[0]
    assert issuer.external and issuer.needs_review and issuer.kind == "party"
    assert doc.owner == agencies.office
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "尚未登记" in page and 'value="中共北京市委办公厅"' in page
    # The office's editor maintains it (owner drives permissions); the other agency's does not.
    assert client.get(f"/admin/documents/{doc.id}").status_code == 200
    login_as(staff.other_editor)
    assert client.get(f"/admin/documents/{doc.id}").status_code == 403
    # The administrator sees the new issuer flagged for review.
    login_as(staff.admin)
    assert "待核实" in client.get("/admin/agencies").get_data(as_text=True)


def test_joint_issuance_keeps_the_signing_order_on_every_page(client, sess, staff, agencies, login_as):
    login_as(staff.editor)
    issuers = ["北京市规划和自然资源委员会西城分局", "区政府办", "北京市西城区政务服务管理局"]
    saved = _post(client, "/admin/documents/new", _form(issuers=issuers))
    assert saved.status_code == 302
    doc = sess.scalars(select(Document)).one()
    expected = [agencies.other.name, agencies.office.name, "北京市西城区政务服务管理局"]
    assert [a.name for a in doc.agencies] == expected  # not the agencies' list order
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    positions = [page.index(f'value="{name}"') for name in expected]
    assert positions == sorted(positions)
    # The editor cannot drop their office from being the owner, but may leave it out of the issuers.
    assert doc.owner == agencies.office and agencies.office in doc.agencies

    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()
    public = client.get(f"/policies/{doc.slug}/").get_data(as_text=True)
    assert "、".join(expected) in public
    api = client.get("/api/v1/documents").get_json()["documents"][0]
    assert api["issuers"] == expected and api["owner"] == agencies.office.name


def test_an_issuer_must_be_given_and_the_owner_must_be_a_district_agency(
    client, sess, staff, agencies, make_user, login_as
):
    login_as(staff.editor)
    missing = _post(client, "/admin/documents/new", _form(issuers=["", ""]))
    assert missing.status_code == 400 and "请填写发文机关" in missing.get_data(as_text=True)
    city = Agency(slug="city", name="中共北京市委办公厅", external=True)
    sess.add(city)
    sess.commit()
    chief = make_user("chief", ["editor", "publisher"], agency=agencies.office)
    login_as(chief)
    wrong = _post(client, "/admin/documents/new", _form(owner_id=str(city.id)))
    assert wrong.status_code == 400 and "维护部门须是本区" in wrong.get_data(as_text=True)
    assert sess.scalar(select(func.count(Document.id))) == 0
    # A publisher may hand a document to another district agency to maintain.
    handed = _post(client, "/admin/documents/new", _form(owner_id=str(agencies.other.id)))
    assert handed.status_code == 302
    assert sess.scalars(select(Document)).one().owner == agencies.other


def _issuer_rows(sess, name: str) -> list[Agency]:  # noqa: ANN001
    return list(sess.scalars(select(Agency).where(Agency.name == name)))


def test_an_issuer_typed_with_other_spaces_is_one_agency_created_once_and_audited(
    client, sess, staff, agencies, login_as
):
    login_as(staff.editor)
    # Twice in one form, a full-width space in the second; then in another document, spaced again.
    first = _post(
        client, "/admin/documents/new", _form(issuers=["中共北京市委办公厅", "中共北京市委\u3000办公厅 "])
    )
    assert first.status_code == 302
    second = _post(
        client,
        "/admin/documents/new",
        _form(
            title="关于做好政务公开工作的通知",
            doc_number="",
            issuers=[" 中共北京市委 办公厅", "区政府办"],
            confirm_duplicate="1",
        ),
    )
    assert second.status_code == 302
    (issuer,) = _issuer_rows(sess, "中共北京市委办公厅")
    docs = sess.scalars(select(Document).order_by(Document.id)).all()
    assert [[a.name for a in d.agencies] for d in docs] == [
        ["中共北京市委办公厅"],
        ["中共北京市委办公厅", agencies.office.name],
    ]
    assert sess.scalar(select(func.count(Agency.id))) == 3
    assert (issuer.external, issuer.needs_review, issuer.kind) == (True, True, "party")
    assert channels.AGENCY_SLUG_RE.match(issuer.slug)
    created = sess.execute(
        select(AuditEntry.actor_name, AuditEntry.note, AuditEntry.after).where(
            AuditEntry.action == "agency.create", AuditEntry.object_id == issuer.id
        )
    ).all()
    assert [(actor, note, after["name"]) for actor, note, after in created] == [
        ("editor", channels.ISSUER_NOTE, "中共北京市委办公厅")
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("某" * 129, "全称不能超过 128 个字符。"),
        (
            "中共北京市委\u200b办公厅",
            "全称须含有文字，且不能含有控制字符或不可见字符。",
        ),  # a pasted zero-width space
        ("（）——123", "全称须含有文字，且不能含有控制字符或不可见字符。"),
    ],
)
def test_an_issuer_the_register_would_refuse_is_refused_on_the_form_by_its_rule(
    client, sess, staff, agencies, login_as, name, message
):
    login_as(staff.editor)
    page = _post(client, "/admin/documents/new", _form(issuers=["区政府办", name]))
    assert page.status_code == 400
    assert f"：{message}" in page.get_data(as_text=True)
    assert sess.scalar(select(func.count(Agency.id))) == 2
    assert sess.scalar(select(func.count(Document.id))) == 0


def test_the_importer_finds_the_issuer_staff_typed_with_a_full_width_space(
    client, sess, staff, agencies, login_as
):
    login_as(staff.editor)
    typed = _post(client, "/admin/documents/new", _form(issuers=["中共北京市委\u3000办公厅"]))
    assert typed.status_code == 302
    imported = _import(client)
    assert imported.status_code == 302
    page = client.get(imported.headers["Location"]).get_data(as_text=True)
    assert "“中共北京市委办公厅”尚未登记" not in page
    (issuer,) = _issuer_rows(sess, "中共北京市委办公厅")
    assert sess.scalar(select(func.count(Agency.id))) == 3
    assert [d.agencies for d in sess.scalars(select(Document))] == [[issuer], [issuer]]


def test_a_new_issuer_is_held_to_the_register_rules_in_both_languages(sess, agencies):
    with pytest.raises(Refused) as blank:
        channels.new_issuer(sess, "content", "\u3000 \t")
    assert (blank.value.first.zh, blank.value.first.en) == (
        "请填写部门全称。",
        "missing required field 'name'",
    )
    with pytest.raises(Refused) as bell:
        channels.new_issuer(sess, "content", "中共北京市委\x07办公厅")
    assert "no control or invisible characters" in bell.value.first.en
    # A known body is found by its full name, short name or slug, whitespace aside; nothing is written.
    assert channels.new_issuer(sess, "content", " 区政府办 ") is agencies.office
    assert channels.new_issuer(sess, "content", "北京市西城区 人民政府办公室") is agencies.office
    assert sess.scalar(select(func.count(AuditEntry.id))) == 0


# -- slugs ------------------------------------------------------------------------------------------


def test_staff_items_get_the_documented_slugs_and_may_rename_them_until_published(
    client, sess, staff, agencies, login_as
):
    login_as(staff.editor)
    first = _post(client, "/admin/documents/new", _form())
    doc = sess.scalars(select(Document)).one()
    assert doc.slug == "2021-key-points-3"
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert 'value="2021-key-points-3"' in page
    second = _post(
        client,
        "/admin/documents/new",
        _form(title="西城区2021年街道工作要点", doc_number="", body_md="另一份。"),
    )
    assert second.status_code == 302
    assert sorted(sess.scalars(select(Document.slug))) == ["2021-key-points", "2021-key-points-3"]

    data = MultiDict({"title": "解读", "document_id": str(doc.id), "form": "qa"})
    data.add("question", "问题？")
    data.add("answer", "回答。")
    interp = editing.save_interpretation(
        sess, staff.editor, editing.parse_interpretation_form(sess, data, None)
    )
    assert interp.slug == "2021-key-points-3-qa"

    renamed = _post(client, f"/admin/documents/{doc.id}", _form(slug="2021-gongkai-key-points"))
    assert renamed.status_code == 302
    sess.expire_all()
    assert sess.get(Document, doc.id).slug == "2021-gongkai-key-points"
    doc = sess.get(Document, doc.id)
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest(waiver_reason="x"))
    sess.commit()
    login_as(staff.publisher)
    refused = _post(client, f"/admin/documents/{doc.id}", _form(slug="other-slug", change_note="改网址"))
    assert refused.status_code == 400 and "不能修改" in refused.get_data(as_text=True)


# -- duplicates -------------------------------------------------------------------------------------


def test_importing_the_same_text_twice_names_the_duplicate_and_needs_confirmation(
    client, sess, staff, login_as
):
    login_as(staff.editor)
    assert _import(client).status_code == 302
    first = sess.scalars(select(Document)).one()
    again = _import(client)
    html = again.get_data(as_text=True)
    assert again.status_code == 400
    # The headline is the real problem (the 文号 is already used by the first import), not "missing".
    assert "未导入：文号“京办发〔2019〕13号”已被其他文件使用" in html
    # Without the 文号, the likely duplicate is named and linked.
    no_number = JINGBANFA.decode().replace("京办发〔2019〕13号", "").encode()
    html = _import(client, no_number).get_data(as_text=True)
    assert "未导入：可能与已有文件《关于解决形式主义突出问题为基层减负的若干措施》重复" in html
    assert f'href="/admin/documents/{first.id}"' in html and 'name="confirm_duplicate"' in html
    assert sess.scalar(select(func.count(Document.id))) == 1


def test_a_likely_duplicate_is_saved_only_when_confirmed(client, sess, staff, agencies, login_as):
    login_as(staff.editor)
    assert _post(client, "/admin/documents/new", _form(body_md=LONG_BODY)).status_code == 302
    first = sess.scalars(select(Document)).one()
    # Same title (typed with full-width spaces and other quotes) and issuer: refused, with a link.
    same_title = _form(title=" 西城区2021年 政务公开工作要点", doc_number="", body_md="不同的正文。")
    refused = _post(client, "/admin/documents/new", same_title)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "标题相同且发文机关相同" in html
    assert f'href="/admin/documents/{first.id}"' in html
    # Near-identical body under another title: refused too.
    near = _form(title="另一个标题", doc_number="", body_md=LONG_BODY.replace("基层减负年", "减负年"))
    refused = _post(client, "/admin/documents/new", near)
    assert refused.status_code == 409 and "正文几乎相同" in refused.get_data(as_text=True)
    assert sess.scalar(select(func.count(Document.id))) == 1
    # Confirmed: saved, remembered, audited; a later save does not ask again.
    ok = _post(client, "/admin/documents/new", {**near, "confirm_duplicate": "1"})
    assert ok.status_code == 302
    second = sess.scalars(select(Document).where(Document.id != first.id)).one()
    assert second.not_duplicate_of == [first.id]
    entry = sess.scalars(select(AuditEntry).where(AuditEntry.action == "document.not_duplicate")).one()
    assert entry.object_id == second.id
    assert _post(client, f"/admin/documents/{second.id}", near).status_code == 302
    # A different title and body from the same office is no duplicate.
    other = _form(title="西城区2021年政务公开工作方案", doc_number="", body_md="另一份文件的正文。")
    assert _post(client, "/admin/documents/new", other).status_code == 302


def test_publishing_a_likely_duplicate_needs_the_publishers_confirmation(
    client, sess, staff, agencies, login_as
):
    published = Document(
        slug="old",
        title="西城区2021年政务公开工作要点",
        status="published",
        body_md=LONG_BODY,
        owner_id=agencies.office.id,
    )
    from portal.models import DocumentAgency
    from portal.services.documents import update_duplicate_keys

    published.issuers = [DocumentAgency(agency=agencies.office, agency_id=agencies.office.id, position=0)]
    update_duplicate_keys(published)
    sess.add(published)
    sess.commit()
    # Created before duplicate control (as the loader would): it carries no confirmation.
    doc = Document(
        slug="new",
        title="西城区2021年政务公开工作要点（重复）",
        status="approved",
        owner_id=agencies.office.id,
        disclosure_category="gzwj",
    )
    doc.body_md = LONG_BODY
    doc.issuers = [DocumentAgency(agency=agencies.office, agency_id=agencies.office.id, position=0)]
    update_duplicate_keys(doc)
    sess.add(doc)
    sess.commit()
    login_as(staff.publisher)
    form = client.get(f"/admin/documents/{doc.id}/publish").get_data(as_text=True)
    assert "可能重复的文件" in form and "/policies/old/" in form
    refused = _post(client, f"/admin/documents/{doc.id}/publish")
    assert refused.status_code == 409 and "可能与已有文件" in refused.get_data(as_text=True)
    assert sess.get(Document, doc.id).status == "approved"
    ok = _post(client, f"/admin/documents/{doc.id}/publish", {"confirm_duplicate": "1"})
    assert ok.status_code == 302
    sess.expire_all()
    assert sess.get(Document, doc.id).status == "published"
    assert sess.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "document.not_duplicate"))


def test_interpretation_slug_is_unique_per_document(sess, staff, make_draft, make_interpretation):
    doc = make_draft()
    first, second = make_interpretation(doc), make_interpretation(doc)
    assert [first.slug, second.slug] == [f"{doc.slug}-qa", f"{doc.slug}-qa-2"]
    assert sess.scalar(select(func.count(Interpretation.id))) == 2

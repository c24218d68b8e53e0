"""Where the library's rules are enforced: the staff form, publication and ``portal load`` (NORMS 5, 9)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.models import Document
from portal.services import editing, publishing
from portal.services.loader import load_content
from portal.services.publishing import PublishRequest, WorkflowError
from tests.admin.conftest import document_form
from tests.conftest import csrf_token_for

AGENCIES = Path(__file__).resolve().parents[2] / "content" / "agencies.yml"


def _approved(sess, staff, doc):  # noqa: ANN001, ANN202
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    sess.commit()
    return doc


def test_publication_needs_the_registration_number_and_gives_the_index_number(sess, staff, make_draft):
    doc = _approved(sess, staff, make_draft(normative="1"))
    req = PublishRequest(waiver_reason="系工作要点，无需解读")
    with pytest.raises(WorkflowError) as exc:
        publishing.publish(sess, staff.publisher, doc, req)
    assert exc.value.code == "registration_no" and "登记号" in exc.value.message
    sess.rollback()
    doc.registration_no = "西政规〔2021〕1号"
    publishing.publish(sess, staff.publisher, doc, req)
    sess.commit()
    # 成文日期 2021-03-01 in the fixture: the first number of 2021 under the configured code.
    assert doc.index_no == "000019005/2021-00001"
    other = _approved(sess, staff, make_draft(title="另一份文件", doc_number="西政办发〔2021〕4号"))
    publishing.publish(sess, staff.publisher, other, PublishRequest())
    sess.commit()
    assert other.index_no == "000019005/2021-00002"


def test_the_staff_form_checks_format_and_uniqueness(sess, staff, agencies, make_draft):
    first = make_draft(normative="1", registration_no="西政规〔2021〕1号", index_no="000019005/2021-00007")
    form = document_form(
        [agencies.office.id],
        title="另一份规范性文件",
        doc_number="西政办发〔2021〕9号",
        normative="1",
        registration_no="西政规〔2021〕1号",
        index_no="000019005/2021-00007",
    )
    with pytest.raises(editing.FormErrors) as exc:
        editing.parse_document_form(sess, form, None)
    assert "已被另一份规范性文件使用" in exc.value.errors["registration_no"]
    assert "已被另一份文件使用" in exc.value.errors["index_no"]
    form["registration_no"], form["index_no"] = "BJXC-2021-001", "2021-7"
    with pytest.raises(editing.FormErrors) as exc:
        editing.parse_document_form(sess, form, None)
    assert "格式不对" in exc.value.errors["registration_no"] and "格式不对" in exc.value.errors["index_no"]
    # Editing the same document again keeps its own numbers.
    again = document_form(
        [agencies.office.id],
        normative="1",
        registration_no="西政规〔2021〕1号",
        index_no="000019005/2021-00007",
    )
    editing.parse_document_form(sess, again, first)


def test_the_staff_page_shows_the_refusal_in_chinese(client, sess, staff, agencies, login_as):
    login_as(staff.editor)
    data = {
        "title": "规范性文件",
        "written_on": "2021-03-01",
        "disclosure": "active",
        "body_md": "正文",
        "agency_ids": [str(agencies.office.id)],
        "normative": "1",
        "registration_no": "西政发〔2021〕1号",
        "action": "save",
        "csrf_token": csrf_token_for(client),
    }
    response = client.post("/admin/documents/new", data=data)
    assert response.status_code == 400 and "登记号“西政发〔2021〕1号”格式不对" in response.get_data(
        as_text=True
    )
    assert sess.scalar(select(Document.id)) is None


NORMATIVE = """---
title: 关于规范某事项的通知
agency: 区政府办
written_on: 2020-05-06
published_on: 2020-05-08
genre: 通知
normative: true
{extra}sync_waiver: 解读另行发布
---
正文
"""


def _content(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / "content"
    (root / "policies").mkdir(parents=True)
    shutil.copy(AGENCIES, root / "agencies.yml")
    for name, text in files.items():
        (root / "policies" / f"{name}.md").write_text(text, encoding="utf-8")
    return root


def test_load_refuses_a_normative_document_without_a_good_unique_number_naming_file_and_line(sess, tmp_path):
    root = _content(
        tmp_path,
        # Named as the staff form names slugs (two characters at least).
        aa=NORMATIVE.format(extra="registration_no: 西政规〔2020〕3号\n"),
        bb=NORMATIVE.format(extra=""),
        cc=NORMATIVE.format(extra="registration_no: 2020-3\n"),
        dd=NORMATIVE.format(extra="registration_no: 西政规〔2020〕3号\n"),
        ee=NORMATIVE.format(extra="registration_no: 西政规〔2020〕4号\nindex_no: 000019005/2020-00001\n"),
        ff=NORMATIVE.format(extra="registration_no: 西政规〔2020〕5号\nindex_no: 000019005-2020-1\n"),
    )
    report = load_content(sess, root)
    errors = sorted(e.replace(str(root / "policies") + "/", "") for e in report.errors)
    assert errors == [
        "bb.md:7: a normative document (normative: true) needs its registration_no (三统一 登记号)",
        "cc.md:8: registration_no '2020-3' does not match the configured format "
        r"^\S{1,16}规〔(?P<year>\d{4})〕\d{1,4}号$",
        "dd.md:8: registration_no '西政规〔2020〕3号' is already used by document 'aa'",
        "ee.md:9: index_no '000019005/2020-00001' is already used by document 'aa'",
        "ff.md:9: index_no '000019005-2020-1' does not match the configured format "
        r"^(?P<code>[0-9A-Z]{9,18})/(?P<year>\d{4})-(?P<serial>\d{5})$",
    ]
    (loaded,) = sess.scalars(select(Document)).all()
    assert (loaded.slug, loaded.index_no) == ("aa", "000019005/2020-00001")  # given on load
    again = load_content(sess, root)  # a second load keeps the number
    assert (
        sess.scalars(select(Document.index_no)).all() == ["000019005/2020-00001"] and len(again.errors) == 5
    )

"""Fixtures of the staff area: two agencies, one user per role, and drafts made through the services."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from portal.models import Agency
from portal.services import editing

BODY = "## 一、总体要求\n\n坚持以公开为常态、不公开为例外。\n\n## 二、主要任务\n\n推进决策公开。\n"


@pytest.fixture
def agencies(sess):  # noqa: ANN201
    office = Agency(slug="gov-office", name="北京市西城区人民政府办公室", short_name="区政府办", position=1)
    other = Agency(
        slug="planning", name="北京市规划和自然资源委员会西城分局", short_name="规自分局", position=2
    )
    sess.add_all([office, other])
    sess.commit()
    return SimpleNamespace(office=office, other=other)


@pytest.fixture
def staff(make_user, agencies):  # noqa: ANN201
    """One user per role in the office, plus an editor and a reviewer of the other agency."""
    return SimpleNamespace(
        editor=make_user("editor", ["editor"], agency=agencies.office),
        reviewer=make_user("reviewer", ["reviewer"], agency=agencies.office),
        publisher=make_user("publisher", ["publisher"], agency=agencies.office),
        admin=make_user("admin", ["admin"]),
        other_editor=make_user("other_editor", ["editor"], agency=agencies.other),
        other_reviewer=make_user("other_reviewer", ["reviewer"], agency=agencies.other),
    )


def document_form(agency_ids, **fields) -> MultiDict:  # noqa: ANN001
    data = {
        "title": "西城区2021年政务公开工作要点",
        "doc_number": "西政办发〔2021〕3号",
        "written_on": "2021-03-01",
        "genre": "要点",
        "topics": "政务公开、综合政务",
        "disclosure": "active",
        "disclosure_category": "gzwj",  # 公开类别: required at publication
        "body_md": BODY,
        "index_no": "",  # given at publication (services/compliance/index_no.py)
        "source": "区政府办",
    }
    data.update(fields)
    form = MultiDict([(k, v) for k, v in data.items() if v is not None])
    for agency_id in agency_ids:
        form.add("agency_ids", str(agency_id))
    return form


@pytest.fixture
def make_draft(sess, staff, agencies):  # noqa: ANN201
    """A committed draft document of the office, written by the office's editor."""

    def make(**fields):  # noqa: ANN003, ANN202
        form = editing.parse_document_form(sess, document_form([agencies.office.id], **fields), None)
        doc = editing.save_document(sess, staff.editor, form)
        sess.commit()
        return doc

    return make


@pytest.fixture
def make_interpretation(sess, staff):  # noqa: ANN201
    def make(doc, **fields):  # noqa: ANN001, ANN003, ANN202
        data = MultiDict(
            {
                "title": f"《{doc.title}》解读",
                "document_id": str(doc.id),
                "form": "qa",
                "interpreter": "张三",
                **fields,
            }
        )
        data.add("question", "为什么要制定这个文件？")
        data.add("answer", "为了推进政务公开。")
        form = editing.parse_interpretation_form(sess, data, None)
        interp = editing.save_interpretation(sess, staff.editor, form)
        sess.commit()
        return interp

    return make

"""Form fields lose NUL and other control characters before any view reads them (portal/web/inputs.py):
PostgreSQL refuses NUL in text and XML (the Atom feeds) cannot carry the rest, so a stray one pasted
into a staff form is dropped instead of costing a 500 or a broken feed. Tabs and line breaks stay."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Document
from tests.admin.conftest import BODY
from tests.conftest import csrf_token_for


def test_a_title_pasted_with_control_characters_is_saved_without_them(
    client, sess, staff, agencies, login_as
):
    login_as(staff.editor)
    response = client.post(
        "/admin/documents/new",
        data={
            "title": "西城区\x002021年\x0b政务公开\ufffe工作要点",
            "doc_number": "西政办发〔2021〕3号",
            "written_on": "2021-03-01",
            "genre": "要点",
            "topics": "政务公开",
            "disclosure": "active",
            "body_md": BODY.replace("坚持", "坚持\x00\x1b") + "\t列表\r\n",
            "agency_ids": [str(agencies.office.id)],
            "action": "save",
            "csrf_token": csrf_token_for(client),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    doc = sess.scalars(select(Document)).one()
    assert doc.title == "西城区2021年政务公开工作要点"
    assert "坚持以公开为常态" in doc.body_md and "\t列表" in doc.body_md

"""A citizen's optional attachment to a message (issue 15): checked like a staff upload (kind by content,
size, inflation caps, malware scan), on disk before the receipt, shown to the staff who handle the message
and never on a public page."""

from __future__ import annotations

import hashlib
import io
import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.models import AuditEntry, Enquiry
from portal.services import attachments
from tests.admin.test_attachments import docx, paragraphs
from tests.enquiries.conftest import message_form

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
MARKER = b"X5O-PORTAL-TEST-MALWARE-MARKER"


def _write(client, csrf_token, agency_id, data: bytes | None, name: str = "照片.pdf", **overrides):  # noqa: ANN001, ANN201
    form: dict = {**message_form(agency_id, **overrides), "csrf_token": csrf_token()}
    if data is not None:
        form["attachment"] = (io.BytesIO(data), name)
    return client.post("/enquiries/write", data=form, content_type="multipart/form-data")


def _stored(app) -> list[Path]:  # noqa: ANN001
    folder = attachments.storage_dir(app.extensions["settings"].instance_path)
    return sorted(p for p in folder.iterdir() if not p.name.endswith(".part")) if folder.exists() else []


def _publish(client, csrf_token, login_as, staff, msg_id: int) -> None:  # noqa: ANN001
    def act(step: str, **fields: str) -> None:
        data = {f"{step}-{k}": v for k, v in fields.items()}
        response = client.post(
            f"/admin/enquiries/{msg_id}/{step}", data={**data, f"{step}-csrf_token": csrf_token()}
        )
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:300])

    login_as(staff.editor)
    act("accept")
    act("draft", reply="已收到照片，正在核实。", publish_question="y")
    login_as(staff.reviewer)
    act("answer")
    login_as(staff.publisher)
    act("publish")


def test_the_attachment_is_stored_before_the_receipt_and_shown_to_staff_only(
    app, client, sess, csrf_token, login_as, agencies, staff
):
    write_page = client.get("/enquiries/write").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in write_page and 'type="file"' in write_page
    receipt = _write(client, csrf_token, agencies.edu.id, PDF, "路口积水照片.pdf")
    assert receipt.status_code == 200, receipt.get_data(as_text=True)[:500]
    msg = sess.scalars(select(Enquiry)).one()
    digest = hashlib.sha256(PDF).hexdigest()
    assert (msg.attachment_name, msg.attachment_kind, msg.attachment_size) == (
        "路口积水照片.pdf",
        "pdf",
        len(PDF),
    )
    assert msg.attachment_sha256 == digest
    # On disk, under its content's name, by the time the receipt was sent.
    (stored,) = _stored(app)
    assert stored.name == f"{digest}.pdf" and stored.read_bytes() == PDF
    assert "路口积水照片" not in receipt.get_data(as_text=True)
    # The same form sent again (back button) is the same message, not a second one.
    _write(client, csrf_token, agencies.edu.id, PDF, "路口积水照片.pdf")
    assert sess.scalar(select(func.count(Enquiry.id))) == 1

    url = f"/admin/enquiries/{msg.id}/attachment"
    login_as(staff.editor)
    detail = client.get(f"/admin/enquiries/{msg.id}/").get_data(as_text=True)
    assert url in detail and "路口积水照片.pdf" in detail
    download = client.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert sess.scalars(select(AuditEntry).where(AuditEntry.action == "enquiry.attachment_view")).one()
    login_as(staff.other_editor)  # another agency's editor
    assert client.get(url).status_code == 403

    _publish(client, csrf_token, login_as, staff, msg.id)
    public = app.test_client()
    page = public.get(f"/enquiries/{msg.id}/")
    assert page.status_code == 200 and "已收到照片" in page.get_data(as_text=True)
    for html in (page.get_data(as_text=True), public.get("/enquiries/").get_data(as_text=True)):
        assert "路口积水照片" not in html and "/attachment" not in html
    api = public.get(f"/api/v1/enquiries/{msg.id}")
    record = json.dumps(api.get_json(), ensure_ascii=False)
    assert api.status_code == 200 and "已收到照片" in record
    assert "路口积水照片" not in record and digest not in record and "attachment" not in record
    assert public.get(url).status_code == 302  # to the staff sign-in


def test_a_message_without_an_attachment_has_none(client, sess, csrf_token, agencies):
    assert _write(client, csrf_token, agencies.edu.id, None).status_code == 200
    assert sess.scalars(select(Enquiry)).one().attachment_sha256 == ""


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00 not a document", "说明.pdf", "只接受 PDF"),
        (docx(paragraphs("政务公开", 400_000)), "材料.docx", "压缩炸弹"),
        (b"", "空.pdf", "空的"),
    ],
    ids=["wrong-kind", "docx-bomb", "empty"],
)
def test_a_refused_attachment_keeps_the_text_and_stores_nothing(  # noqa: PLR0913
    app, client, sess, csrf_token, agencies, data, name, message
):
    typed = "路口积水严重，附上照片，请尽快处理。"
    response = _write(client, csrf_token, agencies.edu.id, data, name, body=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html and typed in html
    assert response.headers["Cache-Control"] == "private, no-store"
    assert sess.scalar(select(func.count(Enquiry.id))) == 0 and _stored(app) == []


def test_other_form_errors_ask_for_the_file_again(client, sess, csrf_token, agencies):
    response = _write(client, csrf_token, agencies.edu.id, PDF, subject="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "请填写标题" in html and "请重新选择附件" in html


class TestScanHook:
    @pytest.fixture
    def app_overrides(self, app_overrides, tmp_path):  # noqa: ANN001, ANN201
        script = tmp_path / "scan.sh"
        script.write_text(f'#!/bin/sh\nif grep -q "{MARKER.decode()}" "$1"; then exit 1; fi\nexit 0\n')
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        return {**app_overrides, "upload_scan_command": f"sh {script}"}

    def test_the_scanner_refuses_a_marked_file_before_anything_is_stored(
        self, app, client, sess, csrf_token, agencies
    ):
        response = _write(client, csrf_token, agencies.edu.id, PDF + MARKER)
        assert response.status_code == 400 and "未通过安全扫描" in response.get_data(as_text=True)
        assert sess.scalar(select(func.count(Enquiry.id))) == 0 and _stored(app) == []
        assert _write(client, csrf_token, agencies.edu.id, PDF).status_code == 200
        assert len(_stored(app)) == 1

"""Attachments that try to exhaust the server: zip bombs, lying zip headers, too many files, and the
malware-scan hook (issue 11, "Office documents that inflate").

Every hostile file is built here, in the test, with the standard library: a DOCX and an XLSX whose XML
inflates a thousandfold, a DOCX whose zip header lies about its size, a PDF whose content stream does.
"""

from __future__ import annotations

import io
import random
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from portal.models import Attachment
from portal.services import attachments
from tests.conftest import csrf_token_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
MOBILE = "13812345678"


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def docx(body_xml: bytes) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b"<w:document><w:body>" + body_xml + b"</w:body></w:document>",
        }
    )


def xlsx(sheet_xml: bytes) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet><sheetData>" + sheet_xml + b"</sheetData></worksheet>",
        }
    )


def paragraphs(text: str, n: int = 1) -> bytes:
    return (f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()) * n


def lying_size(data: bytes, member: str, claimed: int) -> bytes:
    """``data`` with ``member``'s uncompressed size in its local header and central directory set to
    ``claimed``: the zip now lies about how far the part inflates."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    struct.pack_into("<I", out, info.header_offset + 22, claimed)  # local file header
    central = out.index(b"PK\x01\x02")
    while True:  # the central directory entry of that member
        name_len = struct.unpack_from("<H", out, central + 28)[0]
        if out[central + 46 : central + 46 + name_len] == member.encode():
            break
        central = out.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", out, central + 24, claimed)
    return bytes(out)


def _upload(client, doc, data: bytes, name: str):  # noqa: ANN001, ANN202
    return client.post(
        f"/admin/documents/{doc.id}/attachments",
        data={"file": (io.BytesIO(data), name), "csrf_token": csrf_token_for(client)},
        content_type="multipart/form-data",
    )


def _stored_files(app) -> list[Path]:  # noqa: ANN001
    folder = attachments.storage_dir(app.extensions["settings"].instance_path)
    return sorted(folder.iterdir()) if folder.exists() else []


def _refused(app, sess, response, message: str) -> None:  # noqa: ANN001
    """A 400 with ``message`` on the document page, and nothing left behind: no row, no file."""
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:500]
    assert message in html
    sess.expire_all()
    assert sess.scalar(select(func.count(Attachment.id))) == 0
    assert _stored_files(app) == []


@pytest.fixture
def editing(client, staff, login_as, make_draft):  # noqa: ANN001, ANN201
    login_as(staff.editor)
    return make_draft()


def test_a_docx_bomb_is_refused_before_it_inflates(app, client, sess, editing):
    bomb = docx(paragraphs("政务公开", 400_000))  # ~15 MB of XML in a ~40 KB file
    assert len(bomb) < 100_000
    _refused(app, sess, _upload(client, editing, bomb, "通知.docx"), "压缩炸弹")


def test_an_xlsx_bomb_is_refused(app, client, sess, editing):
    bomb = xlsx(b'<row r="1"><c r="A1" t="inlineStr"><is><t>0</t></is></c></row>' * 300_000)
    _refused(app, sess, _upload(client, editing, bomb, "名单.xlsx"), "压缩炸弹")


def test_the_inflated_total_is_capped_even_when_each_part_compresses_modestly(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_INFLATED", 2 * 1024 * 1024)
    rnd = random.Random(1)
    text = "".join(rnd.choice("政务公开工作要点规范性文件解读") for _ in range(400_000))
    data = docx(paragraphs(text, 3))  # ~3.6 MB of XML that compresses about 5 times
    with pytest.raises(attachments.AttachmentError, match="超过 2 MB"):
        attachments.extract_text("docx", data)


@pytest.mark.parametrize("claimed", [10, 3_000_000_000])
def test_a_docx_whose_zip_lies_about_its_size_is_refused_as_damaged(app, client, sess, editing, claimed):
    honest = docx(paragraphs("政务公开", 2000))
    liar = lying_size(honest, "word/document.xml", claimed)
    _refused(app, sess, _upload(client, editing, liar, "通知.docx"), "文件已损坏")


def test_a_pdf_whose_stream_inflates_a_thousandfold_is_refused(app, client, sess, editing):
    stream = zlib.compress(b"(0) Tj " * 2_000_000, 9)
    pdf = b"%PDF-1.4\n1 0 obj << /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
    pdf += stream + b"\nendstream\nendobj\n%%EOF\n"
    _refused(app, sess, _upload(client, editing, pdf, "通知.pdf"), "压缩炸弹")


def test_a_long_docx_keeps_capped_text_and_the_privacy_check_sees_all_of_it(app, client, sess, editing):
    rnd = random.Random(7)
    filler = "".join(
        rnd.choice("政务公开工作要点规范性文件解读决策") for _ in range(attachments.MAX_TEXT_CHARS)
    )
    data = docx(paragraphs(filler) + paragraphs(f"联系人电话{MOBILE}"))  # the number is past the cap
    response = _upload(client, editing, data, "长文.docx")
    assert response.status_code == 302
    att = sess.scalars(select(Attachment)).one()
    assert len(att.text) <= attachments.MAX_TEXT_CHARS and MOBILE not in att.text
    assert att.privacy_hit_count == 1 and att.privacy_hits == [["mobile", "138****5678"]]
    page = client.get(f"/admin/documents/{editing.id}").get_data(as_text=True)
    assert "附件“长文.docx”：手机号码 138****5678" in page


def test_pages_never_read_attachment_text_again(app, client, sess, staff, editing):
    """The document's staff page lists attachments and their privacy hits without loading any text
    (the 199 MB-of-text attachment made this page time out)."""
    data = docx(paragraphs(f"请联系{MOBILE}", 3))
    assert _upload(client, editing, data, "名单.docx").status_code == 302
    statements: list[str] = []
    engine = app.extensions["engine"]

    def capture(conn, cursor, statement, *args):  # noqa: ANN001, ANN002, ANN202
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        page = client.get(f"/admin/documents/{editing.id}")
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "名单.docx" in html
    assert "附件“名单.docx”（共 3 处" not in html and html.count("手机号码 138****5678") == 3
    attachment_queries = [s for s in statements if "FROM attachment" in s]
    assert attachment_queries and not any("attachment.text" in s for s in attachment_queries)


def test_hits_beyond_the_listed_ones_are_counted(app, client, sess, editing):
    data = docx(paragraphs(f"电话{MOBILE}", attachments.MAX_HITS_KEPT + 5))
    assert _upload(client, editing, data, "名单.docx").status_code == 302
    html = client.get(f"/admin/documents/{editing.id}").get_data(as_text=True)
    total = attachments.MAX_HITS_KEPT + 5
    assert f"附件“名单.docx”（共 {total} 处，列出前 {attachments.MAX_HITS_KEPT} 处）" in html


class TestAttachmentCap:
    @pytest.fixture
    def app_overrides(self, app_overrides):  # noqa: ANN001, ANN201
        return {**app_overrides, "attachment_max_per_item": 2}

    def test_a_document_holds_at_most_the_configured_number_of_attachments(self, app, client, sess, editing):
        assert _upload(client, editing, PNG, "一.png").status_code == 302
        assert _upload(client, editing, PNG + b"2", "二.png").status_code == 302
        third = _upload(client, editing, PNG + b"3", "三.png")
        assert third.status_code == 400 and "最多上传 2 个附件" in third.get_data(as_text=True)
        sess.expire_all()
        assert sess.scalar(select(func.count(Attachment.id))) == 2
        assert len(_stored_files(app)) == 2


MARKER = b"X5O-PORTAL-TEST-MALWARE-MARKER"


@pytest.fixture
def scanner(tmp_path: Path) -> Path:
    """A stand-in for clamdscan: exit 1 when the file holds the marker, 0 otherwise."""
    script = tmp_path / "scan.sh"
    script.write_text(
        f'#!/bin/sh\nif grep -q "{MARKER.decode()}" "$1"; then echo "$1: FOUND"; exit 1; fi\nexit 0\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


class TestScanHook:
    @pytest.fixture
    def app_overrides(self, app_overrides, scanner):  # noqa: ANN001, ANN201
        return {**app_overrides, "upload_scan_command": f"sh {scanner}"}

    def test_the_scanner_refuses_a_marked_file_and_passes_a_clean_one(self, app, client, sess, editing):
        _refused(app, sess, _upload(client, editing, PNG + MARKER, "图.png"), "未通过安全扫描")
        assert _upload(client, editing, PNG, "图.png").status_code == 302
        assert len(_stored_files(app)) == 1

    def test_every_stored_upload_is_scanned_gazette_pdfs_too(self, app):
        settings = app.extensions["settings"]
        with pytest.raises(attachments.AttachmentError, match="未通过安全扫描"):
            attachments.store(
                b"%PDF-1.4\n" + MARKER, "pdf", settings.instance_path, settings.upload_scan_command
            )
        assert _stored_files(app) == []


class TestScannerMissing:
    @pytest.fixture
    def app_overrides(self, app_overrides, tmp_path):  # noqa: ANN001, ANN201
        return {**app_overrides, "upload_scan_command": str(tmp_path / "no-such-scanner")}

    def test_an_upload_is_refused_when_the_scanner_cannot_run(self, app, client, sess, editing):
        _refused(app, sess, _upload(client, editing, PNG, "图.png"), "暂时无法完成安全扫描")

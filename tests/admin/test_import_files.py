"""The staff import form with the files offices have: .docx and PDF read, garbage refused in Chinese."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from portal.models import Document
from tests.conftest import csrf_token_for

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "importer" / "files"


def _upload(client, data: bytes, name: str):  # noqa: ANN001, ANN202
    return client.post(
        "/admin/documents/import",
        data={"csrf_token": csrf_token_for(client), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_docx_task_table_becomes_a_draft_with_its_measures(client, sess, staff, login_as):
    login_as(staff.editor)
    response = _upload(client, (FILES / "ls-tasks.docx").read_bytes(), "分工方案.docx")
    assert response.status_code == 302
    doc = sess.scalars(select(Document)).one()
    assert doc.title == "立山区政府2023年重点工作任务分解和责任分工方案"
    assert doc.doc_number == "鞍立政发〔2023〕2号"
    assert len(doc.measures) == 7 and doc.measures[0].units[0] == "区发改局"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "第7项措施未识别出责任单位" in page
    assert (
        "通知标题为“立山区人民政府关于印发《立山区政府2023年重点工作任务分解和责任分工方案》的通知”" in page
    )


def test_a_text_pdf_is_read(client, sess, staff, login_as):
    login_as(staff.editor)
    response = _upload(client, (FILES / "cd-report.pdf").read_bytes(), "方案.pdf")
    assert response.status_code == 302
    doc = sess.scalars(select(Document)).one()
    assert doc.doc_number == "蔡政办〔2023〕1号" and len(doc.measures) == 3


def _scan() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b" " * (30 * 1024 * 1024))
    return out.getvalue()


def test_garbage_is_refused_with_a_chinese_message(client, sess, staff, login_as):
    login_as(staff.editor)
    for data, name, message in (
        (_scan(), "扫描件.pdf", "没有文字层"),
        (_bomb(), "炸弹.docx", "解压后异常庞大"),
        (b"PK\x03\x04broken", "坏.docx", "不是有效的 Word"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "旧.doc", "另存为 .docx"),
        (b"\n\n", "空.txt", "文件是空的"),
    ):
        response = _upload(client, data, name)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, name
        assert message in html, name
    assert sess.scalar(select(func.count(Document.id))) == 0

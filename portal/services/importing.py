"""Creating a draft document from an official plain text (.txt) uploaded by an editor.

The importer (``portal.ingest.officialtext``) reads the metadata and structure; its warnings are shown
to the editor. The result goes through the same form checks as a typed-in draft: when something the
form requires is missing (an unknown agency, a missing title), nothing is saved and the editor gets the
form prefilled with what was found.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from portal.ingest.content import find_agency
from portal.ingest.officialtext import extract
from portal.models import Document, User
from portal.services import editing
from portal.services.audit import record

MAX_TEXT_BYTES = 2 * 1024 * 1024
# The importer's warnings are for the command line (English); staff see these.
WARNINGS_ZH = {
    "title": "未识别出标题，请填写。",
    "doc_number": "未识别出文号，如有请补充。",
    "agency": "未识别出发文机关，已暂填本人所在部门，请核对。",
    "written_on": "未识别出成文日期（单独一行的“YYYY年M月D日”），请补充。",
    "body": "未识别出分级标题，正文没有章节结构。",
}


class ImportRefused(ValueError):
    """The upload is not a usable text; the message is Chinese."""


@dataclass
class ImportResult:
    document: Document
    warnings: list[str]


def decode(data: bytes) -> str:
    if not data.strip():
        raise ImportRefused("上传的文件是空的。")
    if len(data) > MAX_TEXT_BYTES:
        raise ImportRefused("正式文本不能超过 2 MB。")
    if b"\x00" in data:
        raise ImportRefused("上传的不是纯文本文件（.txt）。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused("无法识别文本编码，请另存为 UTF-8 编码的 .txt 文件。")


def form_from_import(sess: Session, user: User, text: str) -> tuple[MultiDict, list[str]]:
    imported = extract(text)
    warnings = [WARNINGS_ZH.get(w.field, str(w)) for w in imported.warnings]
    values = MultiDict(
        {
            "title": imported.title,
            "doc_number": imported.doc_number,
            "written_on": imported.written_on.isoformat() if imported.written_on else "",
            "genre": imported.genre,
            "source": imported.source,
            "body_md": imported.body,
            "disclosure": "active",
        }
    )
    for name in imported.agencies:
        agency = find_agency(sess, name)
        if agency is None:
            warnings.append(f"系统中没有名为“{name}”的部门，请选择发文机关。")
        else:
            values.add("agency_ids", str(agency.id))
    if user.agency_id and str(user.agency_id) not in values.getlist("agency_ids"):
        values.add("agency_ids", str(user.agency_id))
    for position, m in enumerate(imported.measures, 1):
        values.add("measure_no", str(m.get("no") or position))
        values.add("measure_text", m["text"])
        values.add("measure_lead", "、".join(m.get("lead") or []))
        values.add("measure_units", "、".join(m.get("units") or []))
        values.add("measure_status", "pending")
        values.add("measure_position", str(position))
    return values, warnings


def import_official_text(sess: Session, user: User, data: bytes) -> ImportResult:
    values, warnings = form_from_import(sess, user, decode(data))
    try:
        form = editing.parse_document_form(sess, values, None)
        doc = editing.save_document(sess, user, form)
    except editing.FormErrors as exc:
        raise editing.FormErrors(exc.errors, values=values, warnings=warnings) from None
    record(sess, user, "document.import", doc, note="; ".join(warnings)[:2000])
    return ImportResult(doc, warnings)

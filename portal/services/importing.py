"""Creating a draft document from an official text uploaded by an editor (.txt, .docx or PDF).

The importer (``portal.ingest.officialtext``) reads the metadata and structure; its warnings are shown
to the editor. The result goes through the same form checks as a typed-in draft: when something the
form requires is missing (no issuer, a missing title) or the text looks like a document already on the
portal, nothing is saved and the editor gets the form prefilled with what was found, under a headline
that names the problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from portal.ingest.officialtext import extract
from portal.ingest.sourcefile import SourceRefused, read_source_bytes
from portal.models import Document, User
from portal.services import editing
from portal.services.audit import record
from portal.services.channels import find_issuer

# The importer's warnings are for the command line (English); staff see these.
WARNINGS_ZH = {
    "title": "未识别出标题，请填写。",
    "doc_number": "未识别出文号，如有请补充。",
    "agency": "未识别出发文机关，请按署名顺序填写。",
    "written_on": "未识别出成文日期（单独一行的“YYYY年M月D日”），请补充。",
    "body": "未识别出分级标题，正文没有章节结构。",
    "measures": "",  # one line per measure, below
}


class ImportRefused(ValueError):
    """The upload is not a usable text; the message is Chinese."""


@dataclass
class ImportResult:
    document: Document
    warnings: list[str]


def decode(data: bytes, name: str = "") -> str:
    """The text of an uploaded .txt (UTF-8/GBK/GB18030), .docx or PDF; refused with a Chinese message."""
    try:
        return read_source_bytes(data, name)
    except SourceRefused as exc:
        raise ImportRefused(exc.message_zh) from None


def form_from_import(sess: Session, user: User, text: str) -> tuple[MultiDict, list[str]]:
    imported = extract(text)
    warnings = [WARNINGS_ZH.get(w.field, str(w)) for w in imported.warnings if w.field != "measures"]
    if imported.notice_title:
        # Both titles are the text's own: the staff choose which one the page shows.
        warnings.append(
            f"原文是印发通知，通知标题为“{imported.notice_title}”；标题一栏填的是所附文件的标题，请核对。"
        )
    warnings += [
        f"第{m['no']}项措施未识别出责任单位（牵头单位/责任单位），请补充。"
        for m in imported.measures
        if not m["units"]
    ]
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
    # 发文机关 are what the text says, in its order; the editor's department becomes the owner (who
    # maintains the item), never an issuer the text does not name.
    for name in imported.agencies:
        agency = find_issuer(sess, name)
        values.add("issuers", agency.name if agency else name)
        if agency is None:
            warnings.append(f"“{name}”尚未登记，保存时将作为发文机关新建（标记为待核实）。")
    if user.agency_id:
        values["owner_id"] = str(user.agency_id)
    for position, m in enumerate(imported.measures, 1):
        values.add("measure_no", str(m.get("no") or position))
        values.add("measure_text", m["text"])
        values.add("measure_lead", "、".join(m.get("lead") or []))
        values.add("measure_units", "、".join(m.get("units") or []))
        values.add("measure_status", "pending")
        values.add("measure_position", str(position))
    return values, warnings


def import_official_text(sess: Session, user: User, data: bytes, name: str = "") -> ImportResult:
    values, warnings = form_from_import(sess, user, decode(data, name))
    try:
        form = editing.parse_document_form(sess, values, None)
        doc = editing.save_document(sess, user, form)
    except editing.FormErrors as exc:
        exc.values, exc.warnings = values, warnings  # shown again, prefilled, with what was found
        raise
    record(sess, user, "document.import", doc, note="; ".join(warnings)[:2000])
    return ImportResult(doc, warnings)

"""The forms of the document pages: the editor (with its issuer and 任务分工 rows) and the validity step.

The editor form declares every field the page posts and reads them; the checks (文号 and slug unique, the
slug editable until the first publication, issuers known or created, 索引号 and registration numbers,
likely duplicates) are ``portal.services.editing``'s, shared with the importer and the loader, which
read the same field names. :meth:`DocumentForm.values` hands the parsed fields to it.
"""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, StringField, TextAreaField

from portal.models import Document
from portal.web.admin.fields import TextListField, TickField
from portal.web.forms import Form

MEASURE_COLUMNS = ("no", "text", "lead", "units", "status", "position")
EMPTY_MEASURE_ROWS = 3
# The issuer fields shown: those filled in, then room for a joint issuance.
MIN_ISSUER_ROWS, SPARE_ISSUER_ROWS = 2, 3

_SCALARS = (
    "title",
    "slug",
    "index_no",
    "doc_number",
    "written_on",
    "genre",
    "topics",
    "registration_no",
    "disclosure",
    "disclosure_reason",
    "disclosure_category",
    "source",
    "body_md",
    "owner_id",
    "change_note",
)

_TEXT_ATTRIBUTES = [n for n in _SCALARS if n not in ("written_on", "topics", "owner_id", "change_note")]


class DocumentForm(Form):
    title = StringField("标题")
    slug = StringField("网址标识")
    index_no = StringField("索引号")
    doc_number = StringField("文号")
    written_on = StringField("成文日期")  # the service says what is wrong with a date, in Chinese
    genre = StringField("公文种类")
    topics = StringField("主题分类")
    normative = TickField("规范性文件（须与解读同步发布）")
    registration_no = StringField("规范性文件登记号")
    disclosure = StringField("公开属性", default="active")
    disclosure_reason = TextAreaField("依申请公开或不予公开的理由（依据条款）")
    disclosure_category = StringField("公开类别")
    source = StringField("来源")
    body_md = TextAreaField("正文（Markdown）")
    owner_id = StringField("维护部门")
    change_note = TextAreaField("修改说明")
    confirm_duplicate = TickField("确认不是重复")
    issuers = TextListField("发文机关")
    agency_ids = TextListField("发文机关（按编号，旧表单）")
    measure_no = TextListField("序号")
    measure_text = TextListField("任务")
    measure_lead = TextListField("牵头单位")
    measure_units = TextListField("责任单位")
    measure_status = TextListField("状态")
    measure_position = TextListField("排序")
    action = HiddenField()
    # The publication date is set by the first publication; a form that sends one is refused for it.
    published_at = StringField()
    published_on = StringField()

    @classmethod
    def of(cls, doc: Document | None, owner_id: int | None) -> DocumentForm:
        """The form as ``doc`` is (or a new document's, maintained by ``owner_id``), for a GET."""
        form = cls(formdata=None)
        if doc is None:
            form.owner_id.data = str(owner_id) if owner_id else ""
            return form
        for name in _TEXT_ATTRIBUTES:
            form[name].data = getattr(doc, name) or ""
        form.written_on.data = doc.written_on.isoformat() if doc.written_on else ""
        form.topics.data = "、".join(t.name for t in doc.topics)
        form.normative.data = doc.normative
        form.owner_id.data = str(doc.owner_id or "")
        form.issuers.data = [a.name for a in doc.agencies]
        rows = [
            (m.no, m.text, "、".join(m.lead), "、".join(m.units), m.status, str(m.position + 1))
            for m in doc.measures
        ]
        for n, column in enumerate(MEASURE_COLUMNS):
            form[f"measure_{column}"].data = [row[n] for row in rows]
        return form

    def is_preview(self) -> bool:
        return self.action.data == "preview"

    def sent(self, name: str) -> bool:
        field = self[name]
        return field.raw_data is not None and len(field.raw_data) > 0

    def values(self) -> MultiDict[str, Any]:
        """The fields as the service reads them (``portal.services.editing.parse_document_form``)."""
        values: MultiDict[str, Any] = MultiDict(
            [(name, self[name].data or "") for name in _SCALARS]
            + [("confirm_duplicate", "1" if self.confirm_duplicate.data else "")]
        )
        if self.normative.data:
            values.add("normative", "1")
        for name in ("published_at", "published_on"):
            if self.sent(name):
                values.add(name, self[name].data)
        for name in ("issuers", "agency_ids", *(f"measure_{c}" for c in MEASURE_COLUMNS)):
            for value in self[name].data:
                values.add(name, value)
        return values

    def issuer_rows(self, names_of_ids: list[str]) -> list[str]:
        """The issuer fields: those filled in, in signing order (or, from the older form, the agencies
        named by ``agency_ids``), then room for a joint issuance."""
        names = [n for n in self.issuers.data if n.strip()] or names_of_ids
        return names + [""] * max(MIN_ISSUER_ROWS, SPARE_ISSUER_ROWS - len(names))

    def measure_rows(self) -> list[dict[str, str]]:
        """The 任务分工 rows filled in, then empty rows to add more."""
        columns = [self[f"measure_{c}"].data for c in MEASURE_COLUMNS]
        rows = [dict(zip(MEASURE_COLUMNS, cells, strict=False)) for cells in zip(*columns, strict=False)]
        rows = [r for r in rows if r.get("text", "").strip() or r.get("no", "").strip()]
        empty = {"no": "", "text": "", "lead": "", "units": "", "status": "pending", "position": ""}
        return rows + [dict(empty) for _ in range(EMPTY_MEASURE_ROWS)]


class ValidityForm(Form):
    validity = StringField("标记为")
    successor = StringField("修订或废止本文件的文件（网址标识或文号）", filters=[lambda v: (v or "").strip()])
    note = StringField("说明")


class ImportForm(Form):
    """An official text to create a draft from (the importer tells its type from the content)."""

    file = FileField("正式文本", validators=[FileRequired("请选择一个 .txt、.docx 或 PDF 文件。")])


class AttachmentForm(Form):
    """A file attached to a document (the attachments service checks its type, size and content)."""

    file = FileField("附件", validators=[FileRequired("请选择要上传的附件。")])

"""The forms of the interpretation pages: the editor with its ordered Q&A rows, and the Q&A text import.

The editor form declares every field the page posts and reads them; the checks (the document exists and
is the user's to interpret, the slug editable until the first publication, a Q&A needs a question and an
answer) are ``portal.services.editing``'s, which :meth:`InterpretationForm.values` hands the fields to.
"""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import HiddenField, StringField, TextAreaField

from portal.models import Interpretation
from portal.web.admin.fields import TextListField
from portal.web.forms import Form

# Empty Q&A rows under those filled in; the page's script adds more without a round trip.
EMPTY_QA_ROWS = 2

_SCALARS = (
    "title",
    "slug",
    "document_id",
    "document_ref",
    "form",
    "interpreter",
    "agency_id",
    "interpreted_on",
    "body_md",
    "media_url",
    "change_note",
)


class InterpretationForm(Form):
    title = StringField("标题")
    slug = StringField("网址标识")
    document_id = StringField("所解读文件")
    document_ref = StringField("或填写所解读文件的文号或网址标识")
    kind = StringField("解读形式", name="form", default="qa")
    interpreter = StringField("第一解读人")
    agency_id = StringField("解读部门")
    interpreted_on = StringField("解读日期")  # the service says what is wrong with a date, in Chinese
    body_md = TextAreaField("导语或正文（Markdown）")
    media_url = StringField("图解或视频地址")
    change_note = TextAreaField("修改说明")
    question = TextListField("问题")
    answer = TextListField("回答")
    qa_position = TextListField("排序")
    action = HiddenField()
    published_at = StringField()  # set by the first publication; a form that sends one is refused

    def _field(self, name: str) -> Any:
        return self.kind if name == "form" else self[name]

    @classmethod
    def of(cls, interp: Interpretation | None, document_id: str = "") -> InterpretationForm:
        """The form as ``interp`` is (or a new interpretation's of ``document_id``), for a GET."""
        form = cls(formdata=None)
        if interp is None:
            form.document_id.data = document_id
            return form
        for name in ("title", "slug", "interpreter", "body_md", "media_url"):
            form[name].data = getattr(interp, name) or ""
        form.kind.data = interp.form
        form.document_id.data = str(interp.document_id)
        form.agency_id.data = str(interp.agency_id or "")
        form.interpreted_on.data = interp.interpreted_on.isoformat() if interp.interpreted_on else ""
        form.question.data = [qa.question for qa in interp.items]
        form.answer.data = [qa.answer_md for qa in interp.items]
        form.qa_position.data = [str(n) for n in range(1, len(interp.items) + 1)]
        return form

    def is_preview(self) -> bool:
        return self.action.data == "preview"

    def preview_text(self) -> str:
        """The introduction and the Q&A as one Markdown text, for the preview."""
        answers = "\n\n".join(
            f"**问：{q}**\n\n{a}"
            for q, a in zip(self.question.data, self.answer.data, strict=False)
            if q.strip()
        )
        return (self.body_md.data or "") + "\n\n" + answers

    def values(self) -> MultiDict[str, Any]:
        """The fields as the service reads them (``portal.services.editing.parse_interpretation_form``)."""
        values: MultiDict[str, Any] = MultiDict([(name, self._field(name).data or "") for name in _SCALARS])
        if self.published_at.raw_data:
            values.add("published_at", self.published_at.data)
        for name in ("question", "answer", "qa_position"):
            for value in self[name].data:
                values.add(name, value)
        return values

    def qa_rows(self) -> list[dict[str, str]]:
        """The Q&A rows filled in, then empty rows to add more."""
        q, a, p = self.question.data, self.answer.data, self.qa_position.data
        rows = [
            {"question": q[i], "answer": a[i] if i < len(a) else "", "position": p[i] if i < len(p) else ""}
            for i in range(len(q))
            if q[i].strip() or (i < len(a) and a[i].strip())
        ]
        return rows + [{"question": "", "answer": "", "position": ""} for _ in range(EMPTY_QA_ROWS)]


class QAImportForm(Form):
    document_id = StringField("所解读文件", filters=[lambda v: (v or "").strip()])
    file = FileField("问答文本（.txt，UTF-8 或 GBK 编码）")

    def upload(self) -> FileStorage | None:
        """The uploaded file, if one was sent (a text field of that name is not one)."""
        data = self.file.data
        return data if isinstance(data, FileStorage) and data.filename else None

"""The staff forms of the gazette (/admin/gazette/): an issue's own fields, its table of contents, its PDF.

Each field is parsed here; its rules (bounds, lengths, the date within the year, unique numbers, entries
and categories) are ``portal.services.gazette_rules``', which ``portal load`` applies to content files too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from portal.services import gazette_assembly, gazette_rules
from portal.services.compliance import RuleProblem
from portal.services.numbers import parse_int
from portal.web.admin.fields import RowIdField
from portal.web.forms import Form


class WholeField(Field):
    """A whole-number field of an issue, refused by the service's rule (``gazette_rules.check_whole``)."""

    widget = TextInput()
    data: int | None

    def __init__(self, label: str, *, required: bool = True, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.required = required

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0] if valuelist else "").strip()
        self.data = parse_int(text) if text else None
        try:
            if text and self.data is None:
                raise gazette_rules.whole_problem(self.short_name, text)
            gazette_rules.check_whole(self.short_name, self.data, required=self.required)
        except RuleProblem as problem:
            raise ValueError(problem.zh) from None

    def _value(self) -> str:
        return str(self.raw_data[0]) if self.raw_data else ("" if self.data is None else str(self.data))


class DayField(Field):
    """A required date as YYYY-MM-DD."""

    widget = TextInput(input_type="date")
    data: date | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            raise ValueError(f"请填写{self.label.text}。")
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{self.label.text}格式应为 YYYY-MM-DD。") from None

    def _value(self) -> str:
        return str(self.raw_data[0]) if self.raw_data else (self.data.isoformat() if self.data else "")


def _title(value: Any) -> str:
    return str(value or "").strip()


class IssueForm(Form):
    year = WholeField("年份")
    number = WholeField("期号")
    running_number = WholeField("总期号", required=False)
    custom_title = StringField("标题", filters=[_title])
    published_on = DayField("出版日期")

    def validate_custom_title(self, field: Field) -> None:
        try:
            gazette_rules.check_title(field.data)
        except RuleProblem as problem:
            raise ValidationError(problem.zh) from None

    def values(self) -> dict[str, str]:
        return self.shown()

    def issue(self) -> gazette_assembly.IssueForm:
        return gazette_assembly.IssueForm(
            year=self.year.data,
            number=self.number.data,
            running_number=self.running_number.data,
            custom_title=self.custom_title.data or "",
            published_on=self.published_on.data,
        )


class AddEntryForm(Form):
    document_id = RowIdField("文件")
    category = StringField("类别")


class EntryForm(Form):
    """One row of the table of contents, moved, recategorised or removed."""

    entry_id = RowIdField("目录条目")
    direction = StringField("方向")
    category = StringField("类别")

    @property
    def entry(self) -> int:
        return -1 if self.entry_id.data is None else self.entry_id.data  # -1: no entry; the service says so


class PdfForm(Form):
    file = FileField("PDF 文件", validators=[FileRequired("请选择要上传的 PDF 文件。")])


class WithdrawForm(Form):
    reason = TextAreaField("撤回理由")

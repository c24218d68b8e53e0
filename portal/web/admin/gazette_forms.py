"""The staff forms of the gazette (/admin/gazette/): an issue's own fields, its table of contents, its PDF.

Each field is parsed and refused here in Chinese; the rules across fields and rows (the date within the
year, unique numbers, entries and categories) are ``portal.services.gazette_assembly``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_wtf.file import FileField
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from portal.services import gazette_assembly
from portal.services.gazette_assembly import MAX_NUMBER, MAX_RUNNING
from portal.services.numbers import parse_int
from portal.web.admin.fields import RowIdField
from portal.web.forms import Form


class WholeField(Field):
    """A whole number within bounds: "请填写…" when blank (if required), the bounds when not within."""

    widget = TextInput()
    data: int | None

    def __init__(
        self, label: str, low: int, high: int | Callable[[], int], *, required: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(label, **kwargs)
        self.low, self.high, self.required = low, high, required

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            if self.required:
                raise ValueError(f"请填写{self.label.text}。")
            return
        high = self.high() if callable(self.high) else self.high
        self.data = parse_int(text, self.low, high)
        if self.data is None:
            raise ValueError(f"{self.label.text}应为 {self.low}–{high} 之间的整数。")

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
    year = WholeField("年份", 1949, lambda: date.today().year + 1)
    number = WholeField("期号", 1, MAX_NUMBER)
    running_number = WholeField("总期号", 1, MAX_RUNNING, required=False)
    custom_title = StringField("标题", filters=[_title])
    published_on = DayField("出版日期")

    def validate_custom_title(self, field: Field) -> None:
        if len(field.data) > 200:
            raise ValidationError("标题不能超过 200 个字符。")

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
    file = FileField("PDF 文件")


class WithdrawForm(Form):
    reason = TextAreaField("撤回理由")

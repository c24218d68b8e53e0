"""WTForms fields the staff forms share: a row chosen or typed by id, checked rows, repeated inputs read as a
list, checkboxes, an optional ISO date.

They parse only. A value that names no row (an id that is not a number, a choice not offered) is passed
on, so that the service's own refusal, in Chinese and naming the field, is what the user reads; the
services check every id they are given, whatever the form offered.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import BooleanField, DateField, Field, SelectField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from portal.services.numbers import parse_int


def optional_id(value: Any) -> int | None:
    """An id from a form: None when empty, 0 (which no row has) when not a number."""
    if value is None or value == "":
        return None
    number = parse_int(value)
    return 0 if number is None else number


class IdSelectField(SelectField):
    """A row chosen by id from a list; the first option may be a blank one (``None``)."""

    def __init__(self, label: str = "", **kwargs: Any) -> None:
        super().__init__(label, coerce=optional_id, validate_choice=False, **kwargs)


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (``roles=editor&roles=reviewer``)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str = "", **kwargs: Any) -> None:
        super().__init__(label, validate_choice=False, **kwargs)


class TextListField(Field):
    """Inputs sharing one name (``issuers``, ``question``…), read in order as a list of strings;
    the template draws the inputs, as many as there are rows."""

    data: list[str]

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [str(v) for v in valuelist]

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])


class TickField(BooleanField):
    """A checkbox (``value="1"``) that counts as ticked only for what a checkbox sends: a deliberate step
    (confirm a withdrawal, a likely duplicate) is never taken on an odd value such as "0"."""

    TICKED = frozenset({"1", "on", "true", "y", "yes"})

    def __init__(self, label: str = "", **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.type = "BooleanField"  # drawn as a checkbox with its label by components/wtf.html

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = bool(valuelist) and str(valuelist[0]).strip().lower() in self.TICKED

    def _value(self) -> str:
        return "1"


class RowIdField(Field):
    """The id of a row the page listed or typed: None when blank or not a number (the service then says
    what is missing, in its own words)."""

    widget = TextInput()
    data: int | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = parse_int(valuelist[0]) if valuelist else None

    def _value(self) -> str:
        return str(self.raw_data[0]) if self.raw_data else ("" if self.data is None else str(self.data))


class IdListField(Field):
    """Checked rows (``ids=3&ids=7``): the numbers among them, in order."""

    data: list[int]

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [i for i in map(parse_int, valuelist) if i is not None]

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])


class IsoDateField(DateField):
    """A date as YYYY-MM-DD, blank allowed (the service says when one is required)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        value = " ".join(valuelist).strip() if valuelist else ""
        self.data = None
        if value:
            try:
                self.data = date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"日期格式不正确：{value}（应为 YYYY-MM-DD）。") from None

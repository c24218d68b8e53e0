"""WTForms fields the staff forms share: a row chosen by id, repeated inputs read as a list, checkboxes.

They parse only. A value that names no row (an id that is not a number, a choice not offered) is passed
on, so that the service's own refusal, in Chinese and naming the field, is what the user reads; the
services check every id they are given, whatever the form offered.
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, Field, SelectField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

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

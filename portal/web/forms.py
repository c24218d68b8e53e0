"""The base of every WTForms form on the site: messages in Chinese, CSRF from Flask-WTF.

Flask-WTF's own translation hook needs Flask-Babel; the portal has one language, so the forms ask WTForms
for its bundled Chinese messages directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.2; not in types-WTForms yet
from wtforms.meta import DefaultMeta
from wtforms.validators import InputRequired, Length


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        locales = ("zh",)

        def get_translations(self, form: Any) -> Any:
            return DefaultMeta.get_translations(self, form)

    def fail(self, field: str, message: str) -> None:
        """Attach a refusal from a service to the field it names (or to the form when it names none)."""
        target = getattr(self, field, None) if field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, message]
        else:
            self.form_errors.append(message)

    def shown(self) -> dict[str, str]:
        """Each field's value as the page shows it again (as typed, after a POST), for the ``value=`` of the
        ``admin/_forms.html`` macros; a checked box shows as "1"."""
        return {
            field.name: ("1" if field.data else "") if isinstance(field, BooleanField) else field._value()
            for field in self
        }

    def first_error(self) -> tuple[str, str]:
        """The first refusal, as (field name, message); the field name is "" for the form's own."""
        for field in self:
            if field.errors:
                return field.name, field.errors[0]
        return "", self.form_errors[0] if self.form_errors else ""

    def field_errors(self) -> dict[str, str]:
        """The first message of each field in error, keyed by its name, for the ``admin/_forms.html`` macros."""
        return {field.name: field.errors[0] for field in self if field.errors}


def choices(options: Mapping[Any, str] | Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Options of a select or radio field, from a code -> label mapping or (value, label) pairs."""
    pairs = options.items() if isinstance(options, Mapping) else options
    return [SelectChoice(value, label) for value, label in pairs]


class ReceiptLookupForm(Form):
    """A citizen looks up a submission by its receipt code and query password (both POSTed, never in a URL)."""

    code = StringField("登记号", validators=[InputRequired("请填写登记号。"), Length(max=40)])
    password = StringField("查询密码", validators=[InputRequired("请填写查询密码。"), Length(max=40)])

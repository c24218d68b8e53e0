"""The citizen's forms of the consultations area: a comment on a draft, and the receipt lookup.

The comment form only reads what was typed: the rules (length, period, throttle, blocked senders) live in
``portal.services.consultations.commenting``, one place for citizens, staff entry and the loader. What a
refused comment shows again is exactly what was typed, less control characters; nothing is cut.
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, Field, StringField, TextAreaField
from wtforms.validators import ValidationError

from portal.services.consultations import strip_control_characters
from portal.web.forms import Form

CLAUSE_DIGITS = 6  # a clause is chosen from the page's list; anything longer is no clause of ours


def _clause_number(form: Form, field: Field) -> None:
    value = field.data or ""
    if value and not (value.isascii() and value.isdigit() and len(value) <= CLAUSE_DIGITS):
        raise ValidationError("所选条款不存在，请重新选择。")


class CommentForm(Form):
    """No length cap here: an over-long text is refused by the service with its count and kept on the page
    (a browser ``maxlength`` would cut a pasted text silently)."""

    clause = StringField("针对条款（可选）", validators=[_clause_number])
    body = TextAreaField("意见内容")
    name = StringField("姓名或单位名称（可选）")
    contact = StringField("联系方式（可选，电子邮件或电话，不会公开）")
    consent = BooleanField("同意在本网站公开我的意见（联系方式不公开）")
    website = StringField("网址（请勿填写）")  # honeypot: hidden from people, bots fill it in

    @property
    def expired(self) -> bool:
        """The page sat open too long, or cookies are off: the CSRF token did not match."""
        return bool(self.csrf_token.errors) if self.meta.csrf else False

    @property
    def clause_number(self) -> int | None:
        return int(self.clause.data) if self.clause.data and not self.clause.errors else None

    def typed(self) -> dict[str, Any]:
        """The form as typed, to show again with a refusal (control characters dropped, nothing cut)."""
        return {
            "clause": strip_control_characters(self.clause.data or ""),
            "body": strip_control_characters(self.body.data or ""),
            "name": strip_control_characters(self.name.data or ""),
            "contact": strip_control_characters(self.contact.data or ""),
            "consent": bool(self.consent.data),
        }


class ReceiptCodeForm(Form):
    """The receipt lookup: the code in the POST body, never in a URL (checked against CSRF app-wide)."""

    class Meta(Form.Meta):
        csrf = False

    code = StringField("回执码")

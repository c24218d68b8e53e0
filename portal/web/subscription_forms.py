"""The forms of the subscriptions area: subscribe, ask for the manage link, and the manage page's steps.

Forms parse and re-show what was typed; the rules live in ``portal.services.subscriptions.signup``.
"""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional

from portal.models.subscriptions import FREQUENCIES
from portal.web.forms import Form, choices


class SubscribeForm(Form):
    email = StringField(
        "电子邮箱（不公开，仅用于发送订阅邮件）",
        validators=[
            InputRequired("请填写电子邮箱。"),
            Length(max=254, message="电子邮箱不能超过254个字符。"),
        ],
    )
    frequency = RadioField("接收方式", choices=choices(FREQUENCIES), default="immediate")
    kind = HiddenField(default="all", validators=[Length(max=16)])
    target = HiddenField(default="", validators=[Length(max=1000)])
    website = StringField("网站（请勿填写）")  # honeypot: hidden from people, bots fill it in


class ManageLinkForm(Form):
    email = StringField(
        "电子邮箱",
        validators=[
            InputRequired("请填写电子邮箱。"),
            Length(max=254, message="电子邮箱不能超过254个字符。"),
        ],
    )
    website = StringField("网站（请勿填写）")


class ManageForm(Form):
    """One step on the manage page; ``action`` says which (the buttons carry it)."""

    action = HiddenField(validators=[InputRequired()])
    subscription_id = IntegerField(validators=[Optional()])
    frequency = RadioField("接收方式", choices=choices(FREQUENCIES), validators=[Optional()])


class ButtonForm(Form):
    """A step that needs nothing but the CSRF token (confirming a subscription)."""

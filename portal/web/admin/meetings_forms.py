"""The staff form of a meeting in the register (/admin/meetings/).

The form reads and re-shows what was typed and refuses it field by field in Chinese; the service
(``portal.services.meetings``) derives openness and the minutes' HTML and writes with an audit entry.
"""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    Field,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.models import Agency
from portal.models.meetings import INVITED_GROUPS
from portal.services import meetings
from portal.web.forms import Form, choices

DATE_MESSAGE = "请按“年-月-日”填写会议日期，例如 2020-06-02。"


def _strip(value: Any) -> str:
    return str(value or "").strip()


def _id(value: Any) -> int | None:
    """A choice's value as an id; anything else (the blank 请选择 among it) is no choice."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _web_address(form: Form, field: Field) -> None:
    if field.data and not field.data.startswith(("https://", "http://")):
        raise ValidationError("直播链接须以 http:// 或 https:// 开头。")


class MeetingForm(Form):
    title = StringField(
        "会议名称",
        filters=[_strip],
        validators=[DataRequired("请填写会议名称。"), Length(max=500, message="会议名称不能超过500个字。")],
    )
    # invalid_choice_message and invalid_value_message are WTForms 3.3; not in types-WTForms yet.
    agency_id = SelectField(  # type: ignore[call-arg]
        "召开单位",
        coerce=_id,
        validators=[DataRequired("请选择召开会议的部门或街道。")],
        invalid_choice_message="只能登记本单位的会议。",
    )
    held_on = DateField(  # type: ignore[call-arg]
        "会议日期", invalid_value_message=DATE_MESSAGE, validators=[DataRequired(DATE_MESSAGE)]
    )
    invited = SelectMultipleField(  # type: ignore[call-arg]
        "邀请列席（任选其一即为开放会议）",
        choices=choices(INVITED_GROUPS),
        invalid_choice_message="邀请对象只能是企业市民代表、专家学者或媒体。",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    stream_url = StringField(
        "直播链接（有直播即为开放会议）",
        filters=[_strip],
        validators=[_web_address, Length(max=500, message="直播链接过长。")],
    )
    minutes_md = TextAreaField("会议纪要（Markdown，开放会议的纪要对外公开）", filters=[_strip])
    cancelled = BooleanField("会议已取消（不计入会议开放比率）")

    def offer(self, agencies: list[Agency]) -> MeetingForm:
        """Offer the agencies the user may record meetings for; any other is refused."""
        self.agency_id.choices = choices([("", "请选择"), *((a.id, a.name) for a in agencies)])
        return self

    def entry(self) -> meetings.MeetingForm:
        """What the service saves, from a validated form."""
        chosen = set(self.invited.data or [])
        return meetings.MeetingForm(
            title=self.title.data or "",
            agency_id=self.agency_id.data,
            held_on=self.held_on.data,
            invited=[g for g in INVITED_GROUPS if g in chosen],
            stream_url=self.stream_url.data or "",
            minutes_md=self.minutes_md.data or "",
            cancelled=bool(self.cancelled.data),
        )

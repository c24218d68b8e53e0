"""The staff form of a meeting in the register (/admin/meetings/).

The form only reads and re-shows what was typed (a date that is not one is its only refusal); the rules
live in the service (:func:`portal.services.meetings.check_meeting`), which ``portal load`` goes through
too, and the view shows each of its refusals beside the field it names.
"""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.models import Agency
from portal.models.meetings import INVITED_GROUPS
from portal.services import meetings
from portal.services.compliance import RuleProblem
from portal.web.forms import Form, choices


def _strip(value: Any) -> str:
    return str(value or "").strip()


def _id(value: Any) -> int | None:
    """A choice's value as an id; anything else (the blank 请选择 among it) is no choice."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


class MeetingForm(Form):
    title = StringField("会议名称", filters=[_strip])
    # The choices offer the user's agencies; which ones they may record for is the service's rule.
    agency_id = SelectField("召开单位", coerce=_id, validate_choice=False)
    # invalid_value_message is WTForms 3.3; not in types-WTForms yet. A blank date is left to the service.
    held_on = DateField(  # type: ignore[call-arg]
        "会议日期", invalid_value_message=meetings.DATE_MESSAGE, validators=[Optional()]
    )
    invited = SelectMultipleField(
        "邀请列席（任选其一即为开放会议）",
        choices=choices(INVITED_GROUPS),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    stream_url = StringField("直播链接（有直播即为开放会议）", filters=[_strip])
    minutes_md = TextAreaField("会议纪要（Markdown，开放会议的纪要对外公开）", filters=[_strip])
    cancelled = BooleanField("会议已取消（不计入会议开放比率）")

    def offer(self, agencies: list[Agency]) -> MeetingForm:
        """Offer the agencies the user may record meetings for; any other is refused."""
        self.agency_id.choices = choices([("", "请选择"), *((a.id, a.name) for a in agencies)])
        return self

    def entry(self) -> meetings.MeetingForm:
        """What was typed, for the service to check and save."""
        return meetings.MeetingForm(
            title=self.title.data or "",
            agency_id=self.agency_id.data,
            held_on=self.held_on.data,
            invited=list(self.invited.data or []),
            stream_url=self.stream_url.data or "",
            minutes_md=self.minutes_md.data or "",
            cancelled=bool(self.cancelled.data),
        )

    def refused(self, problems: list[RuleProblem]) -> None:
        """Show the service's refusals beside their fields (a field that did not parse keeps its own)."""
        for problem in problems:
            field = getattr(self, problem.field, None)
            if field is None or not field.errors:
                self.fail(problem.field, problem.zh)

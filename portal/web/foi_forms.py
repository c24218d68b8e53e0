"""The forms of the FOI area: the citizen's application and the staff's steps on a request.

Forms parse and re-show what was typed; the rules live in ``portal.services.foi.requests`` (one place for
citizens, staff and the loader), whose refusals name the field they attach to.
"""

from __future__ import annotations

from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.clock import today_local
from portal.models.foi import (
    APPLICANT_TYPES,
    CHANNELS,
    DELIVERY,
    FORMS,
    ID_TYPES,
    REMEDY_KINDS,
    REMEDY_RESULTS,
)
from portal.services.foi.fees import METHODS
from portal.services.foi.outcomes import OUTCOMES, REPLY_OUTCOMES
from portal.services.foi.requests import DESCRIPTION_MAX, Application
from portal.web.forms import Form, choices

_OFFLINE = [(k, v) for k, v in CHANNELS.items() if k != "online"]


class ApplicationForm(Form):
    agency_id = SelectField("受理机关", coerce=int, validators=[InputRequired("请选择受理机关。")])
    applicant_type = RadioField("申请人类型", choices=choices(APPLICANT_TYPES), default="person")
    name = StringField(
        "姓名或组织名称", validators=[InputRequired("请填写姓名或组织名称。"), Length(max=100)]
    )
    contact_person = StringField("联系人（组织申请填写）", validators=[Length(max=50)])
    id_type = SelectField("证件类型", choices=choices(ID_TYPES), default="resident_id")
    id_number = StringField("证件号码", validators=[InputRequired("请填写证件号码。"), Length(max=64)])
    phone = StringField("联系电话", validators=[Length(max=32)])
    email = StringField("电子邮箱", validators=[Length(max=254)])
    address = StringField("通信地址", validators=[Length(max=300)])
    description = TextAreaField(
        "所需政府信息的描述",
        validators=[InputRequired("请描述所需政府信息。"), Length(max=DESCRIPTION_MAX)],
    )
    doc_ref = StringField("文件名称或文号（知道的请填写）", validators=[Length(max=200)])
    form_wanted = RadioField("获取信息的形式", choices=choices(FORMS), default="electronic")
    delivery = RadioField("获取信息的方式", choices=choices(DELIVERY), default="email")
    website = StringField("网站（请勿填写）")  # honeypot: hidden from people, bots fill it in

    def application(self) -> Application:
        return Application(
            **{name: self[name].data or "" for name in Application.__dataclass_fields__ if name in self}
        )


class RegisterForm(ApplicationForm):
    channel = SelectField("申请渠道", choices=choices(_OFFLINE), default="in_person")
    arrived_on = DateField("申请到达日期", default=today_local, validators=[InputRequired("请填写日期。")])
    signed_on = DateField("签收日期（邮寄需签收的）", validators=[Optional()])
    confirmed_on = DateField("与申请人确认日期（平常信函、传真、电子邮件）", validators=[Optional()])
    note = StringField("登记备注", validators=[Length(max=500)])


class DayForm(Form):
    on = DateField("日期", default=today_local, validators=[InputRequired("请填写日期。")])


class CorrectionForm(DayForm):
    what = TextAreaField(
        "需要补正的事项", validators=[InputRequired("请写明需要补正的事项。"), Length(max=2000)]
    )
    deadline = DateField("补正期限", validators=[InputRequired("请填写补正期限。")])


class ThirdPartyForm(DayForm):
    party = StringField("第三方名称", validators=[InputRequired("请填写第三方名称。"), Length(max=300)])


class NoteForm(DayForm):
    note = TextAreaField("说明", validators=[Length(max=2000)])


class ExtendForm(DayForm):
    days = IntegerField(
        "延长工作日数", default=20, validators=[InputRequired(), NumberRange(1, 20, "1至20个工作日。")]
    )
    reason = TextAreaField(
        "延期理由（告知申请人）", validators=[InputRequired("请写明延期理由。"), Length(max=2000)]
    )


class FeeForm(DayForm):
    method = RadioField("收费方式", choices=choices(METHODS), default="per_application")
    pages = IntegerField("页数（按量计收）", default=0, validators=[Optional(), NumberRange(0, 1_000_000)])


class TransferForm(Form):
    agency_id = SelectField("转至单位", coerce=int, validators=[InputRequired("请选择单位。")])
    note = StringField("转办说明", validators=[Length(max=500)])


class DraftForm(Form):
    outcome = SelectField(
        "答复类型", choices=choices((code, OUTCOMES[code].label) for code in REPLY_OUTCOMES)
    )
    detail = TextAreaField("理由或说明", validators=[Length(max=5000)])
    link = StringField("已主动公开的位置（网址或栏目）", validators=[Length(max=500)])
    body = StringField("负责公开的机关及联系方式", validators=[Length(max=300)])
    letter_text = TextAreaField("答复告知书正文（留空则按答复类型生成）", validators=[Length(max=20000)])


class RemarkForm(Form):
    remark = TextAreaField("退回意见", validators=[InputRequired("请写明退回意见。"), Length(max=2000)])


class RemedyForm(Form):
    kind = SelectField("类型", choices=choices(REMEDY_KINDS))
    filed_on = DateField("提起日期", validators=[InputRequired("请填写日期。")])
    result = SelectField("结果", choices=choices(REMEDY_RESULTS), default="pending")
    decided_on = DateField("审结日期", validators=[Optional()])
    note = StringField("备注", validators=[Length(max=500)])

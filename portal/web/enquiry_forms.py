"""The forms of the enquiries area: a citizen's message, an error report, and the staff's steps.

Forms parse and re-show what was typed; the rules live in ``portal.services.enquiries.messages``.
"""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.models.enquiries import KINDS, TOPICS
from portal.services.enquiries.messages import BODY_MAX, REPLY_MAX, SUBJECT_MAX
from portal.web.forms import Form, choices


class MessageForm(Form):
    agency_id = SelectField("写给", coerce=int, validators=[InputRequired("请选择留言对象。")])
    kind = RadioField(
        "留言类型", choices=choices((k, v) for k, v in KINDS.items() if k != "error"), default="consult"
    )
    topic = SelectField("主题", choices=choices(TOPICS), default="other")
    subject = StringField("标题", validators=[InputRequired("请填写标题。"), Length(max=SUBJECT_MAX)])
    body = TextAreaField("留言内容", validators=[InputRequired("请填写留言内容。"), Length(max=BODY_MAX)])
    name = StringField("姓名（选填，不公开）", validators=[Length(max=50)])
    phone = StringField("联系电话（选填，不公开）", validators=[Length(max=32)])
    email = StringField("电子邮箱（选填，不公开；答复后发邮件通知）", validators=[Length(max=254)])
    consent = BooleanField("同意公开我的留言内容（不含姓名和联系方式）")
    # Checked by portal.services.attachments (kind by content, size, inflation caps, malware scan).
    attachment = FileField("附件（选填，仅供办理人员查看，不公开）")
    website = StringField("网站（请勿填写）")  # honeypot


class ErrorReportForm(Form):
    page_url = StringField("出错的页面地址", validators=[Length(max=500)])
    body = TextAreaField("错误描述", validators=[InputRequired("请描述发现的错误。"), Length(max=BODY_MAX)])
    name = StringField("姓名（选填）", validators=[Length(max=50)])
    email = StringField("电子邮箱（选填，用于告知处理结果）", validators=[Length(max=254)])
    website = StringField("网站（请勿填写）")


class ReasonForm(Form):
    reason = TextAreaField("理由", validators=[InputRequired("请写明理由。"), Length(max=2000)])


class AgencyForm(Form):
    agency_id = SelectField("转至单位", coerce=int, validators=[InputRequired("请选择单位。")])


class ReplyForm(Form):
    reply = TextAreaField("答复内容", validators=[InputRequired("请填写答复内容。"), Length(max=REPLY_MAX)])
    publish_question = BooleanField("公开时一并公开留言内容（仅限留言人同意公开的）")


class RemarkForm(Form):
    remark = TextAreaField("退回意见", validators=[InputRequired("请写明退回意见。"), Length(max=2000)])


class EmptyForm(Form):
    """A step that needs nothing but the CSRF token."""

"""The admins' forms: a staff account, an agency, a push channel.

They parse and re-show what was typed; the rules (unique names, valid roles, password strength, channel
settings) live in ``portal.services.accounts`` and ``portal.services.channels``, whose refusals the views
attach to the field they name.
"""

from __future__ import annotations

from wtforms import PasswordField, SelectField, StringField, TextAreaField

from portal.models import ROLES
from portal.models.agency import AGENCY_KINDS
from portal.models.push import CHANNEL_KINDS
from portal.services import accounts, channels
from portal.web.admin.fields import CheckboxesField, IdSelectField, TickField
from portal.web.forms import Form, choices


def _strip(value: str | None) -> str:
    return (value or "").strip()


def _slug(value: str | None) -> str:
    return (value or "").strip().lower()


class UserForm(Form):
    username = StringField("用户名", filters=[_strip], render_kw={"required": True, "autocomplete": "off"})
    display_name = StringField("姓名", filters=[_strip])
    email = StringField("电子邮箱", filters=[_strip], render_kw={"type": "email"})
    roles = CheckboxesField("角色（可多选）", choices=choices(ROLES))
    agency_id = IdSelectField("部门（编辑和审核人员必填）")
    active = TickField("账号可用", default=True)
    password = PasswordField(
        "初始密码（8–128 个字符，不能是常见密码）", render_kw={"autocomplete": "new-password"}
    )

    def account(self) -> accounts.UserForm:
        return accounts.UserForm(
            username=self.username.data or "",
            display_name=self.display_name.data or "",
            email=self.email.data or "",
            roles=list(self.roles.data or []),
            agency_id=self.agency_id.data,
            active=bool(self.active.data),
            password=self.password.data or "",
        )


class AgencyForm(Form):
    name = StringField("全称", filters=[_strip], render_kw={"required": True})
    short_name = StringField("简称", filters=[_strip])
    slug = StringField("标识（网址中使用）", filters=[_slug], render_kw={"required": True})
    kind = SelectField("类型", choices=choices(AGENCY_KINDS), default="department", validate_choice=False)
    parent_id = IdSelectField("上级部门")
    external = TickField("本区以外的机关（只作为发文机关，不能维护文件）")

    def agency(self) -> channels.AgencyForm:
        return channels.AgencyForm(
            slug=self.slug.data or "",
            name=self.name.data or "",
            short_name=self.short_name.data or "",
            kind=_strip(self.kind.data) or "department",
            parent_id=self.parent_id.data,
            external=bool(self.external.data),
        )


class ChannelForm(Form):
    name = StringField("名称", filters=[_strip], render_kw={"required": True})
    kind = SelectField("类型", choices=choices(CHANNEL_KINDS), default="webhook", validate_choice=False)
    new_media = TickField("新媒体渠道（计入新媒体推送率）")
    active = TickField("启用", default=True)
    url = StringField("接收地址", filters=[_strip])
    secret = PasswordField("签名密钥（留空自动生成或保持不变）", filters=[_strip])
    recipients = TextAreaField("收件人（每行一个地址）", render_kw={"rows": 4})

    def channel(self) -> channels.ChannelForm:
        return channels.ChannelForm(
            name=self.name.data or "",
            kind=_strip(self.kind.data),
            new_media=bool(self.new_media.data),
            active=bool(self.active.data),
            url=self.url.data or "",
            secret=self.secret.data or "",
            recipients=channels.split_recipients(self.recipients.data or ""),
        )

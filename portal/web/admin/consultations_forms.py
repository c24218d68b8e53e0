"""The staff forms of consultations (/admin/consultations/): a new consultation, moderation, a comment
received offline, viewpoints, dispositions and the feedback report.

They parse what was typed (numbers, dates, checkboxes); every rule (periods, scope, reasons required,
dispositions) is the service's (``portal.services.consultations``), whose refusals name their field.
"""

from __future__ import annotations

from wtforms import BooleanField, Field, HiddenField, StringField, TextAreaField

from portal.services import consultations as service
from portal.web.admin.fields import IdListField, IsoDateField, RowIdField
from portal.web.forms import Form


class NewConsultationForm(Form):
    title = StringField("征集标题")
    agency_id = RowIdField("征集部门")
    kind = StringField("事项类别", default="normative")
    affects_rights = BooleanField("涉及公民、法人和其他组织权利义务（规范性文件）", default=True)
    draft_document_id = RowIdField("从草案文件创建（可选）")
    draft_md = TextAreaField("草案文本")
    basis_md = TextAreaField("决策依据")
    note_md = TextAreaField("起草说明")
    opens_on = IsoDateField("开始日期")
    closes_on = IsoDateField("截止日期（含当日）")
    short_period_reason = TextAreaField("缩短征集期的理由")
    accepts_online = BooleanField("网上提交", default=True)
    channel_email = StringField("电子邮箱")
    channel_post = StringField("通信地址")
    channel_phone = StringField("电话")
    slug = StringField("网址标识")
    publish = BooleanField("创建后立即发布", default=True)

    def entry(self) -> service.ConsultationInput:
        return service.ConsultationInput(
            title=self.title.data or "",
            agency_id=self.agency_id.data,
            kind=self.kind.data or "",
            opens_on=self.opens_on.data,
            closes_on=self.closes_on.data,
            draft_md=self.draft_md.data or "",
            draft_document_id=self.draft_document_id.data,
            affects_rights=bool(self.affects_rights.data),
            basis_md=self.basis_md.data or "",
            note_md=self.note_md.data or "",
            short_period_reason=self.short_period_reason.data or "",
            accepts_online=bool(self.accepts_online.data),
            channel_email=self.channel_email.data or "",
            channel_post=self.channel_post.data or "",
            channel_phone=self.channel_phone.data or "",
            slug=self.slug.data or "",
            publish=bool(self.publish.data),
        )


class ModerateForm(Form):
    ids = IdListField("意见")
    action = StringField("操作")
    reason = StringField("理由")
    duplicate_of = StringField("重复于（回执码）")
    state = StringField("列表", default="pending")


class ReasonForm(Form):
    reason = StringField("理由")


class EntryForm(Form):
    """A comment received by letter, phone or in person, entered by staff."""

    key = HiddenField()  # idempotency key: entering the same form twice stores one comment
    channel = StringField("来源渠道")
    received_on = IsoDateField("收到日期")
    clause = RowIdField("针对条款")
    body = TextAreaField("意见内容")
    name = StringField("提出人")
    contact = StringField("联系方式（不公开）")
    consent = BooleanField("提出人同意公开")

    def entry(self) -> service.CommentInput:
        return service.CommentInput(
            body=self.body.data or "",
            idempotency_key=self.key.data or "",
            clause_number=self.clause.data,
            name=self.name.data or "",
            contact=self.contact.data or "",
            consent=bool(self.consent.data),
            channel=self.channel.data or "",
            received_on=self.received_on.data,
        )


class ViewpointForm(Form):
    summary = TextAreaField("观点摘要")
    disposition = StringField("处理结果")
    reason = TextAreaField("理由")


class DispositionsForm(Form):
    """The dispositions of the listed comments: ``ids`` names the rows, each row has its own three fields
    (``disposition-<id>``, ``reason-<id>``, ``viewpoint-<id>``), declared for exactly those ids."""

    ids = IdListField("意见")

    @classmethod
    def posted(cls) -> DispositionsForm:
        ids = cls().ids.data
        fields: dict[str, Field] = {}
        for i in ids:
            fields[f"disposition-{i}"] = StringField("处理结果")
            fields[f"reason-{i}"] = TextAreaField("理由")
            fields[f"viewpoint-{i}"] = RowIdField("归入观点")
        form: DispositionsForm = type("DispositionRowsForm", (cls,), fields)()
        return form

    def rows(self) -> list[service.DispositionRow]:
        return [
            service.DispositionRow(
                comment_id=i,
                disposition=self[f"disposition-{i}"].data or "",
                reason=self[f"reason-{i}"].data or "",
                viewpoint_id=self[f"viewpoint-{i}"].data,
            )
            for i in self.ids.data
        ]


class ReportForm(Form):
    summary = TextAreaField("反馈说明")
    final_document_id = RowIdField("正式发布的文件")

"""The shapes of the open-data API: every response is built as one of these models and dumped from it, and
``/api/v1/openapi.json`` is generated from the same models, so the description cannot drift from the data.

Only public fields exist here: no citizen's name, e-mail, phone or address, no receipt code, no staff
account, no draft. A field that is not in a model cannot leave the API.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Validity = Literal["valid", "amended", "repealed", "expired"]


class Model(BaseModel):
    # extra="forbid": a builder passing a field the description does not name fails at once (in the tests),
    # instead of quietly publishing it.
    model_config = ConfigDict(extra="forbid")


# -- shared ------------------------------------------------------------------------------------------


class PageLinks(Model):
    """Links of a paged list, absolute, with the filters in a fixed order (the same page always has the same
    address). Also sent as an RFC 8288 ``Link`` header."""

    self: str = Field(description="本页地址")
    first: str = Field(description="第一页")
    last: str = Field(description="最后一页")
    next: str | None = Field(description="下一页；已是最后一页时为 null")
    prev: str | None = Field(description="上一页；已是第一页时为 null")


class Paged(Model):
    total: int = Field(description="符合条件的条目总数", ge=0)
    page: int = Field(description="当前页码（超出范围时为最后一页）", ge=1)
    pages: int = Field(description="总页数", ge=1)
    per_page: int = Field(description="每页条数", ge=1)
    ignored: list[str] = Field(description="无法识别、已忽略的筛选条件")
    links: PageLinks


class Error(Model):
    error: int = Field(description="HTTP 状态码")
    message: str = Field(description="说明（中文）")


class Ref(Model):
    """A link to another public item."""

    slug: str
    title: str
    url: str = Field(description="网页地址")
    api_url: str = Field(description="接口地址")


class FacetValue(Model):
    value: str = Field(description="筛选参数的取值")
    label: str = Field(description="显示名称")
    count: int = Field(description="条目数", ge=0)


# -- documents ---------------------------------------------------------------------------------------


class DocumentSummary(Model):
    slug: str = Field(description="标识")
    url: str = Field(description="网页地址")
    api_url: str = Field(description="接口地址")
    title: str = Field(description="标题")
    index_no: str = Field(description="索引号")
    doc_number: str = Field(description="文号")
    agencies: list[str] = Field(description="发文机关（旧字段，同 issuers）")
    issuers: list[str] = Field(description="发文机关，按署名顺序")
    owner: str | None = Field(description="维护该文件的部门")
    written_on: str | None = Field(description="成文日期（YYYY-MM-DD）")
    published_on: str | None = Field(description="发布日期（YYYY-MM-DD）")
    genre: str = Field(description="公文种类")
    topics: list[str] = Field(description="主题分类")
    normative: bool = Field(description="是否为规范性文件")
    registration_no: str = Field(description="规范性文件登记号")
    validity: Validity = Field(
        description="有效性：valid 有效、amended 已修订、repealed 已废止、expired 已失效"
    )
    disclosure: Literal["active"] = Field(description="公开属性：接口只提供主动公开的文件")


class Measure(Model):
    no: str = Field(description="序号")
    text: str = Field(description="任务内容")
    lead: list[str] = Field(description="牵头单位")
    units: list[str] = Field(description="责任单位")
    status: str = Field(description="进展：pending 未开始、in_progress 推进中、done 已完成")


class Version(Model):
    number: int = Field(description="版本号（1 为首次发布）", ge=1)
    date: str = Field(description="日期（YYYY-MM-DD）")
    change_note: str = Field(description="更新说明")


class AttachmentInfo(Model):
    filename: str
    kind: str = Field(description="文件类型：pdf、docx、xlsx、png、jpeg、gif")
    content_type: str
    size: int = Field(description="字节数", ge=0)
    sha256: str
    url: str = Field(description="下载地址")


class LinkedDocument(Ref):
    kind: Literal["amends", "repeals"] = Field(description="amends 修订、repeals 废止")


class GazetteRef(Model):
    year: int
    number: int
    title: str
    url: str
    api_url: str


class InterpretationSummary(Model):
    slug: str
    url: str
    api_url: str
    title: str = Field(description="标题")
    form: str = Field(description="形式：qa 问答、graphic 图解、video 视频、text 文字")
    published_on: str | None = Field(description="发布日期（YYYY-MM-DD）")


class DocumentDetail(DocumentSummary):
    source: str = Field(description="来源")
    body_html: str = Field(description="正文（已净化的 HTML）")
    measures: list[Measure] = Field(description="任务分工")
    interpretations: list[InterpretationSummary] = Field(description="政策解读")
    amended_or_repealed_by: list[LinkedDocument] = Field(description="修订或废止本文件的文件")
    amends_or_repeals: list[LinkedDocument] = Field(description="本文件修订或废止的文件")
    versions: list[Version] = Field(description="更新记录，最新在前")
    attachments: list[AttachmentInfo] = Field(description="附件")
    gazette: list[GazetteRef] = Field(description="刊登该文件的政府公报")
    consultations: list[Ref] = Field(description="与该文件相关的意见征集")


class DocumentList(Paged):
    facets: dict[str, list[FacetValue]] = Field(
        description="分面统计：agency、year、genre、topic、validity、normative，各自按其余筛选条件计数"
    )
    documents: list[DocumentSummary]


# -- interpretations ---------------------------------------------------------------------------------


class QA(Model):
    question: str
    answer_html: str


class InterpretationDetail(InterpretationSummary):
    document: str = Field(description="所解读文件的标识")
    document_ref: Ref
    interpreter: str = Field(description="第一解读人")
    agency: str | None = Field(description="解读部门")
    body_html: str
    media_url: str = Field(description="图解或视频地址")
    qa: list[QA] = Field(description="问答")
    versions: list[Version]


class InterpretationList(Paged):
    interpretations: list[InterpretationSummary]


# -- consultations -----------------------------------------------------------------------------------


class ConsultationSummary(Model):
    slug: str
    url: str
    api_url: str
    title: str
    agency: str = Field(description="征集部门")
    kind: str = Field(description="类别：major_decision 重大行政决策、normative 行政规范性文件、other 其他")
    status: str = Field(description="状态：published 已发布、closed 已结束征集、reported 已反馈")
    phase: Literal["upcoming", "open", "closed"] = Field(description="阶段：即将开始、正在征集、已结束")
    opens_on: str = Field(description="征集开始日期")
    closes_on: str = Field(description="征集截止日期")
    report_published_on: str | None = Field(description="反馈报告发布日期")


class Channels(Model):
    online: bool = Field(description="可在网上提交")
    email: str = Field(description="征集部门的收件邮箱")
    post: str = Field(description="征集部门的通信地址")
    phone: str = Field(description="征集部门的电话")


class ClauseText(Model):
    number: int = Field(description="条款编号（网页锚点 #clause-编号）")
    label: str = Field(description="条款标签，如“第三条”；标题和序言为空")
    html: str


class PublicComment(Model):
    """A published comment whose author agreed to publication; never the author's name or contact."""

    clause: int | None = Field(description="所涉条款编号；总体意见为 null")
    clause_label: str
    body: str
    received_on: str


class CountedReason(Model):
    reason: str
    count: int = Field(ge=0)


class ReportViewpoint(Model):
    summary: str = Field(description="归类后的主要意见")
    comments: int = Field(description="归入的意见条数", ge=0)
    disposition: str = Field(
        description="adopted 采纳、partly 部分采纳、not_adopted 未采纳、not_applicable 不适用"
    )
    reason: str = Field(description="理由")


class ReportAnswer(Model):
    clause_label: str
    body: str | None = Field(description="意见内容；作者未同意公开时为 null")
    disposition: str
    reason: str


class FeedbackReport(Model):
    published_on: str | None
    summary_html: str = Field(description="反馈说明")
    received: int = Field(ge=0)
    by_channel: dict[str, int] = Field(description="按渠道：online、email、post、phone")
    duplicates: int = Field(ge=0)
    rejected: list[CountedReason] = Field(description="不予受理的意见，按理由计数")
    accepted: int = Field(ge=0)
    adopted: int = Field(ge=0)
    partly: int = Field(ge=0)
    not_adopted: int = Field(ge=0)
    not_applicable: int = Field(ge=0)
    viewpoints: list[ReportViewpoint]
    answered: list[ReportAnswer] = Field(description="未归类、逐条答复的意见")


class ConsultationDetail(ConsultationSummary):
    basis_html: str = Field(description="决策依据")
    note_html: str = Field(description="起草说明")
    short_period_reason: str = Field(description="征集期较短的理由")
    channels: Channels
    clauses: list[ClauseText] = Field(description="草案全文，按条款")
    comments: list[PublicComment] = Field(description="已公开的意见")
    draft_document: Ref | None
    final_document: Ref | None
    report: FeedbackReport | None = Field(description="意见采纳情况反馈；未发布时为 null")


class ConsultationList(Paged):
    consultations: list[ConsultationSummary]


# -- gazette, meetings, enquiries, targets -----------------------------------------------------------


class GazetteSummary(Model):
    slug: str
    url: str
    api_url: str
    title: str
    year: int
    number: int = Field(description="当年期号")
    running_number: int | None = Field(description="总期号")
    published_on: str
    pdf_url: str | None = Field(description="印刷版 PDF")


class GazetteSection(Model):
    category: str
    documents: list[Ref]


class GazetteDetail(GazetteSummary):
    sections: list[GazetteSection] = Field(description="目录，按栏目")


class GazetteList(Paged):
    issues: list[GazetteSummary]


class MeetingSummary(Model):
    slug: str
    url: str
    api_url: str
    title: str
    agency: str
    held_on: str
    invited: list[str] = Field(description="列席人员类别")
    stream_url: str = Field(description="网络直播地址")
    has_minutes: bool


class MeetingDetail(MeetingSummary):
    minutes_html: str = Field(description="会议纪要")


class MeetingList(Paged):
    meetings: list[MeetingSummary]


class EnquirySummary(Model):
    """A published, answered message: the writer's name, phone and e-mail never appear."""

    id: int
    url: str
    api_url: str
    kind: str = Field(description="consult 咨询、suggest 建议、error 网站纠错")
    topic: str
    subject: str
    agency: str = Field(description="答复部门")
    received_on: str = Field(description="留言日期")
    accepted_on: str | None = Field(description="受理日期")
    replied_on: str | None = Field(description="答复日期")


class EnquiryDetail(EnquirySummary):
    question: str | None = Field(description="留言内容；写信人未同意公开时为 null")
    reply: str = Field(description="答复内容")


class EnquiryList(Paged):
    enquiries: list[EnquirySummary]


class TargetYears(Model):
    years: list[int] = Field(description="已声明工作目标的年份，最新在前")
    links: dict[str, str] = Field(description="年份 → 接口地址")


class TargetFigure(Model):
    key: str
    label: str
    kind: Literal["rate", "growth", "zero"]
    definition: str = Field(description="口径说明")
    goal: float | None = Field(description="声明的目标值；未声明为 null")
    goal_text: str
    wording: str = Field(description="工作方案原文")
    source: str = Field(description="出处")
    status: Literal["met", "not_met", "no_data", "not_measurable"]
    status_label: str
    numerator: int | None
    denominator: int | None
    numerator_label: str
    denominator_label: str
    value: float | None = Field(description="本年比率（百分比）")
    required: float | None = Field(description="本年需达到的比率（百分比）")
    url: str


class TargetYear(Model):
    year: int
    computed_on: str = Field(description="计算日期：数据随记录实时计算")
    targets: list[TargetFigure]


# -- index and bulk ----------------------------------------------------------------------------------


class BulkFile(Model):
    type: str = Field(description="数据类型")
    year: int
    format: Literal["jsonl", "csv"]
    url: str
    rows: int = Field(description="行数（CSV 不含表头）", ge=0)
    bytes: int = Field(description="文件大小（字节）", ge=0)


class BulkList(Model):
    page: str = Field(description="下载页面")
    built_at: str = Field(
        description="这些文件的生成时间（ISO 8601）", json_schema_extra={"format": "date-time"}
    )
    current: bool = Field(description="是否已包含网站的最新内容（否：新文件正在生成）")
    files: list[BulkFile]


class ApiIndex(Model):
    description: str
    openapi: str
    docs: str
    bulk: str
    collections: dict[str, str] = Field(description="数据类型 → 接口地址")

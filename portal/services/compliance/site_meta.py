"""Site identity (NORMS 47): the footer's identity lines and the page meta tags of the 网页设计规范.

Built here, once, for every page: ``page_meta(template_name, context)`` reads the template being rendered
and the data it was given, and returns the tags in the order of the norm. The web layer calls it for every
``render_template`` (portal/web/templating.py), so templates only print the list and a new page type gets
its tags without writing any; the static export renders through the same call.

- site tags on every page: SiteName, SiteDomain, SiteIDCode;
- column tags on every page: ColumnName, ColumnDescription, ColumnKeywords, ColumnType (from ``COLUMNS``,
  chosen by the template's name);
- article tags on article pages: ArticleTitle, PubDate, ContentSource, Keywords, Author, Description, Url.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from html import unescape
from typing import Any

from flask import url_for

from portal.clock import local_day
from portal.config import Settings


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    description: str
    keywords: str
    type: str


COLUMNS: dict[str, ColumnInfo] = {
    "home": ColumnInfo(
        "首页", "区政府政务公开平台首页：最新政策文件、解读、公报和互动", "政务公开,政策文件,政府公报", "首页"
    ),
    "policies": ColumnInfo(
        "政策文件",
        "本区发布和转发的政策文件，按主题、机关、年份和文种分类查询",
        "政策文件,规范性文件,文号",
        "信息公开",
    ),
    "interpretations": ColumnInfo(
        "政策解读", "与政策文件同步发布的解读：问答、图解、视频和文字", "政策解读,问答,图解", "信息公开"
    ),
    "notices": ColumnInfo("通知公告", "以通知、公告、通告形式发布的文件", "通知,公告,通告", "信息公开"),
    "gazette": ColumnInfo(
        "政府公报", "区政府公报电子版，与印刷版一致，可按期浏览和下载", "政府公报,公报", "信息公开"
    ),
    "consultations": ColumnInfo(
        "意见征集", "政策草案公开征求意见及意见采纳情况反馈", "意见征集,预公开,草案", "互动交流"
    ),
    "meetings": ColumnInfo(
        "会议开放", "邀请公众、专家和媒体列席或网络直播的政府会议", "会议开放,列席,直播", "信息公开"
    ),
    "foi": ColumnInfo(
        "依申请公开",
        "申请公开政府信息：指南、在线申请和办理进度查询",
        "依申请公开,政府信息公开申请",
        "信息公开",
    ),
    "enquiries": ColumnInfo(
        "政务咨询", "向政府部门咨询、提出建议，答复公开", "政务咨询,留言,答复", "互动交流"
    ),
    "targets": ColumnInfo(
        "工作目标", "政务公开年度工作目标及完成情况，由平台数据计算", "工作目标,政务公开要点", "信息公开"
    ),
    "search": ColumnInfo("站内搜索", "全站搜索政策文件、解读、公报和征集", "搜索,文号检索", "搜索"),
    "api": ColumnInfo(
        "开放数据",
        "政策文件、解读、征集、公报等数据的开放接口和批量下载",
        "开放数据,接口,批量下载",
        "数据发布",
    ),
    "xxgk": ColumnInfo(
        "政府信息公开",
        "政府信息公开指南、制度、法定主动公开内容和年度报告",
        "政府信息公开,指南,年报",
        "信息公开",
    ),
    "subscriptions": ColumnInfo(
        "邮件订阅", "按主题、机关、类别或检索条件订阅新发布的信息", "订阅,邮件提醒", "互动交流"
    ),
    "admin": ColumnInfo("管理后台", "工作人员管理后台", "管理后台", "管理"),
}

# A template's column: its exact name first, then its folder; anything else is the site's home column.
TEMPLATE_COLUMNS = {
    "home.html": "home",
    "policies/interpretation.html": "interpretations",
    "policies/": "policies",
    "gazette/": "gazette",
    "consultations/": "consultations",
    "meetings/": "meetings",
    "foi/": "foi",
    "enquiries/": "enquiries",
    "targets/": "targets",
    "search/": "search",
    "xxgk/": "xxgk",
    "api/": "api",
    "subscriptions/": "subscriptions",
    "admin/": "admin",
}

SITE_TAGS = ("SiteName", "SiteDomain", "SiteIDCode")
COLUMN_TAGS = ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType")
ARTICLE_TAGS = ("ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description", "Url")


def _category_column(category: Any, fallback: str) -> str:
    return category.name if category is not None else fallback


# Pages whose column is a record (a disclosure category of /xxgk/): the name comes from the page's data,
# the description, keywords and type from the registered column.
COLUMN_NAMES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "xxgk/index.html": lambda ctx: "政府信息公开",
    "xxgk/guide.html": lambda ctx: "政府信息公开指南",
    "xxgk/reports.html": lambda ctx: "政府信息公开年报",
    "xxgk/sections.html": lambda ctx: "法定主动公开内容",
    "xxgk/section.html": lambda ctx: _category_column(
        getattr(ctx.get("result"), "category", None), "法定主动公开内容"
    ),
    "xxgk/rules.html": lambda ctx: _category_column(ctx.get("category"), "制度"),
    "xxgk/info.html": lambda ctx: _category_column(ctx.get("category"), "法定主动公开内容"),
}


def column_of(template_name: str) -> ColumnInfo:
    name = template_name or ""
    if name in TEMPLATE_COLUMNS:
        return COLUMNS[TEMPLATE_COLUMNS[name]]
    folder = name.split("/", 1)[0] + "/" if "/" in name else ""
    return COLUMNS[TEMPLATE_COLUMNS.get(folder, "home")]


@dataclass
class Article:
    title: str
    published: date | datetime | None
    source: str
    keywords: list[str]
    author: str
    text: str  # HTML or plain text the description is cut from
    path: str


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def describe(text: str, limit: int = 120) -> str:
    """A plain-text summary: tags dropped, entities decoded, white space squeezed, cut at ``limit``."""
    text = text or ""
    # Every page view asks for this: clean a head of the text that surely holds ``limit`` characters
    # (markup is rarely 20 times the text) rather than the whole body, and the whole only if it did not.
    head = text[: limit * 20]
    if head.rfind("<") > head.rfind(">"):
        head = head[: head.rfind("<")]  # a tag cut in two is no text
    plain = _SPACE.sub(" ", unescape(_TAG.sub(" ", head))).strip()
    if len(plain) <= limit and len(head) < len(text):
        plain = _SPACE.sub(" ", unescape(_TAG.sub(" ", text))).strip()
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


def _names(agencies: Any) -> str:
    return " ".join(a.name for a in agencies)


def _document(ctx: Mapping[str, Any]) -> Article:
    doc = ctx["doc"]
    author = doc.owner.name if doc.owner else _names(doc.agencies)
    return Article(
        doc.title, doc.published_at, _names(doc.agencies), [t.name for t in doc.topics], author,
        doc.body_html, url_for("policies.document", slug=doc.slug),
    )  # fmt: skip


def _interpretation(ctx: Mapping[str, Any]) -> Article:
    interp = ctx["interp"]
    source = interp.agency.name if interp.agency else _names(interp.document.agencies)
    text = interp.body_html or " ".join(f"{q.question} {q.answer_html}" for q in interp.items)
    return Article(
        interp.title, interp.published_at, source, ["政策解读", *(t.name for t in interp.document.topics)],
        interp.interpreter or source, text, url_for("policies.interpretation", slug=interp.slug),
    )  # fmt: skip


def _consultation(ctx: Mapping[str, Any]) -> Article:
    c = ctx["c"]
    return Article(
        c.title, c.opens_on, c.agency.name, ["意见征集", "草案"], c.agency.name, c.note_html or c.basis_html,
        url_for("consultations.consultation", slug=c.slug),
    )  # fmt: skip


def _consultation_report(ctx: Mapping[str, Any]) -> Article:
    c = ctx["c"]
    return Article(
        f"意见采纳情况反馈：{c.title}", c.report_published_at, c.agency.name, ["意见征集", "采纳情况"],
        c.agency.name, c.report_html, url_for("consultations.report", slug=c.slug),
    )  # fmt: skip


def _gazette(ctx: Mapping[str, Any]) -> Article:
    issue = ctx["issue"]
    return Article(
        issue.title, issue.published_on, ctx["settings"].site_name, ["政府公报", f"{issue.year}年"],
        ctx["settings"].site_name, issue.title, url_for("gazette.issue", year=issue.year, number=issue.number),
    )  # fmt: skip


def _meeting(ctx: Mapping[str, Any]) -> Article:
    m = ctx["meeting"]
    return Article(
        m.title, m.held_on, m.agency.name, ["会议开放"], m.agency.name, m.minutes_html or m.title,
        url_for("meetings.meeting", slug=m.slug),
    )  # fmt: skip


def _enquiry(ctx: Mapping[str, Any]) -> Article:
    msg = ctx["msg"]
    return Article(
        msg.subject, msg.published_at, msg.agency.name, ["政务咨询", "答复"], msg.agency.name, msg.reply,
        url_for("enquiries.item", enquiry_id=msg.id),
    )  # fmt: skip


def _info_page(ctx: Mapping[str, Any]) -> Article:
    item, category = ctx["item"], ctx.get("category")
    source = item.agency.name if item.agency else ctx["settings"].site_name
    keywords = ["法定主动公开内容", category.name if category else ""]
    return Article(
        item.title, item.published_on, source, keywords, source, item.body_html,
        url_for("xxgk.info", slug=item.slug),
    )  # fmt: skip


# Article pages by template: the builder reads the object the view already gave the template.
ARTICLES: dict[str, Callable[[Mapping[str, Any]], Article]] = {
    "policies/document.html": _document,
    "policies/interpretation.html": _interpretation,
    "consultations/consultation.html": _consultation,
    "consultations/report.html": _consultation_report,
    "gazette/issue.html": _gazette,
    "meetings/meeting.html": _meeting,
    "enquiries/item.html": _enquiry,
    "xxgk/info.html": _info_page,
}


def register_article(template_name: str, builder: Callable[[Mapping[str, Any]], Article]) -> None:
    """For an area's own article pages (the /xxgk/ column, the annual report)."""
    ARTICLES[template_name] = builder


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return (local_day(value) if isinstance(value, datetime) else value).isoformat()


def page_meta(settings: Settings, template_name: str, ctx: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The meta tags of one page, in the order of the norm."""
    column = column_of(template_name)
    name = COLUMN_NAMES[template_name](ctx) if template_name in COLUMN_NAMES else column.name
    tags = [
        ("SiteName", settings.site_name),
        ("SiteDomain", settings.site_domain),
        ("SiteIDCode", settings.site_id_code),
        ("ColumnName", name),
        ("ColumnDescription", column.description),
        ("ColumnKeywords", column.keywords),
        ("ColumnType", column.type),
    ]
    builder = ARTICLES.get(template_name)
    if builder is not None and all(key in ctx for key in _NEEDS.get(template_name, ())):
        art = builder(ctx)
        source = art.source or settings.site_name
        tags += [
            ("ArticleTitle", art.title),
            ("PubDate", _iso(art.published)),
            ("ContentSource", source),
            ("Keywords", ",".join(k for k in art.keywords if k) or column.keywords),
            ("Author", art.author or source),
            ("Description", describe(art.text) or art.title),
            ("Url", settings.base_url.rstrip("/") + art.path),
        ]
    return tags


_NEEDS = {
    "policies/document.html": ("doc",),
    "policies/interpretation.html": ("interp",),
    "consultations/consultation.html": ("c",),
    "consultations/report.html": ("c",),
    "gazette/issue.html": ("issue", "settings"),
    "meetings/meeting.html": ("meeting",),
    "enquiries/item.html": ("msg",),
    "xxgk/info.html": ("item", "settings"),
}


@dataclass(frozen=True)
class FooterLine:
    label: str
    value: str
    url: str = ""


def footer(settings: Settings) -> list[FooterLine]:
    """The identity lines of the footer (NORMS 47), each only when its setting is set."""
    lines = []
    for label, value in (
        ("主办单位", settings.sponsor),
        ("承办单位", settings.organizer),
        ("联系方式", settings.contact),
        ("网站标识码", settings.site_id_code),
    ):
        if value:
            lines.append(FooterLine(label, value))
    if settings.icp_no:
        lines.append(FooterLine("ICP备案号", settings.icp_no, "https://beian.miit.gov.cn/"))
    if settings.police_no:
        digits = re.sub(r"\D", "", settings.police_no)
        url = f"http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={digits}" if digits else ""
        lines.append(FooterLine("公安备案号", settings.police_no, url))
    return lines

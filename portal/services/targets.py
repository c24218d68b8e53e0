"""The yearly disclosure targets (工作目标), computed live from the portal's own records.

Nothing here is typed in: ``content/targets.yml`` declares the goals, and every figure is counted from
documents, interpretations, consultations, pushes and meetings. Each figure keeps the list of items it
was counted from, so that the dashboard can show which items hold a target back.

Pure computation: this module reads the database and never writes.

Rules shared by every metric:

- A year runs from 1 January to 31 December in Beijing time (timestamps are stored in UTC).
- An item belongs to the year of its first publication (documents keep ``published_at`` for good).
- Withdrawn items (and items no longer in the published state) are excluded and listed as excluded.
- A zero denominator gives no value (无数据), never 0% and never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, load_only, selectinload

from portal.models import (
    Agency,
    Consultation,
    Document,
    Interpretation,
    Meeting,
    PublicationWaiver,
    Push,
    Target,
)
from portal.models.documents import STATUS
from portal.models.interpretations import FORMS
from portal.models.targets import DEFAULT_GROWTH_UNIT, GROWTH_UNITS

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
MEETING_AGENCY_KINDS = ("department", "street")  # 部门和街道会议

STATUS_LABELS = {
    "met": "已达标",
    "not_met": "未达标",
    "no_data": "无数据",
    "not_measurable": "暂不可测",
}


# -- items and populations ----------------------------------------------------------------------------


@dataclass
class Item:
    """One record behind a figure: a document, interpretation, consultation or meeting."""

    kind: str  # document | interpretation | consultation | meeting
    id: int
    slug: str
    title: str
    agency: str  # the responsible agency's name (lead issuer for joint documents)
    agency_slug: str
    day: date  # published (or held) on, Beijing time
    counted: bool = False  # in the numerator
    note: str = ""  # why it counts, or what holds it back / why it is excluded
    action: str = ""  # what staff can do about it
    public: bool = True  # has a public page
    fix: str = "edit"  # what staff do about it: "edit" the item, or "add_qa" (write a Q&A interpretation)

    KIND_LABELS = {
        "document": "政策文件",
        "interpretation": "政策解读",
        "consultation": "意见征集",
        "meeting": "会议",
    }

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)


@dataclass
class Population:
    """The items a metric counts for one year: the denominator, and what was left out and why."""

    items: list[Item] = field(default_factory=list)
    excluded: list[Item] = field(default_factory=list)

    @property
    def counted(self) -> list[Item]:
        return [i for i in self.items if i.counted]

    @property
    def holding_back(self) -> list[Item]:
        return [i for i in self.items if not i.counted]

    @property
    def ratio(self) -> Ratio:
        return Ratio(len(self.counted), len(self.items))


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """Percent, or None when there is nothing to divide by (无数据)."""
        if not self.denominator:
            return None
        return 100.0 * self.numerator / self.denominator


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The UTC instants at which a Beijing-time calendar year starts and ends."""
    start = datetime(year, 1, 1, tzinfo=LOCAL_TZ).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ).astimezone(UTC)
    return start, end


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def today_local() -> date:
    return datetime.now(LOCAL_TZ).date()


def _lead_agency(doc: Document) -> Agency | None:
    return doc.issuers[0].agency if doc.issuers else None


def _doc_item(doc: Document, **kw: Any) -> Item:
    agency = _lead_agency(doc)
    return Item(
        "document",
        doc.id,
        doc.slug,
        doc.title,
        agency.name if agency else "",
        agency.slug if agency else "",
        local_day(doc.published_at),
        public=doc.is_public,
        **kw,
    )


def _excluded_reason(status: str) -> str:
    return "已撤回，不计入" if status == "withdrawn" else f"当前状态为“{STATUS.get(status, status)}”，不计入"


# Only what the figures need: the bodies (tens of KB each) and the topics are never loaded here.
_DOC_COLUMNS = (
    Document.id,
    Document.slug,
    Document.title,
    Document.published_at,
    Document.status,
    Document.disclosure,
    Document.normative,
    Document.written_on,
)


def documents_first_published(
    sess: Session, year: int, *, normative_only: bool = False, with_interpretations: bool = False
) -> tuple[list[Document], list[Document]]:
    """Actively disclosed documents first published in ``year``: (published now, withdrawn or unpublished)."""
    start, end = year_bounds(year)
    options = [load_only(*_DOC_COLUMNS), lazyload(Document.topics), selectinload(Document.issuers)]
    if with_interpretations:
        options.append(
            selectinload(Document.interpretations).load_only(
                Interpretation.id, Interpretation.title, Interpretation.form, Interpretation.status
            )
        )
    stmt = (
        select(Document)
        .where(Document.published_at >= start, Document.published_at < end, Document.disclosure == "active")
        .options(*options)
        .order_by(Document.published_at, Document.id)
    )
    if normative_only:
        stmt = stmt.where(Document.normative.is_(True))
    docs = list(sess.scalars(stmt))
    return [d for d in docs if d.status == "published"], [d for d in docs if d.status != "published"]


def qa_population(sess: Session, year: int, today: date) -> Population:
    published, dropped = documents_first_published(sess, year, with_interpretations=True)
    pop = Population()
    for doc in published:
        live = [i for i in doc.interpretations if i.status == "published"]
        qa = [i for i in live if i.form == "qa"]
        if qa:
            pop.items.append(_doc_item(doc, counted=True, note=f"已配发问答解读《{qa[0].title}》"))
        elif live:
            forms = "、".join(sorted({FORMS.get(i.form, i.form) for i in live}))
            pop.items.append(
                _doc_item(doc, note=f"仅有{forms}解读，无问答形式", action="补充问答形式解读", fix="add_qa")
            )
        else:
            pop.items.append(_doc_item(doc, note="未配发政策解读", action="配发问答形式解读", fix="add_qa"))
    pop.excluded = [_doc_item(doc, note=_excluded_reason(doc.status)) for doc in dropped]
    return pop


def meeting_population(sess: Session, year: int, today: date) -> Population:
    meetings = sess.scalars(
        select(Meeting)
        .where(Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= date(year, 12, 31))
        .order_by(Meeting.held_on, Meeting.id)
    )
    pop = Population()
    for m in meetings:
        item = Item(
            "meeting",
            m.id,
            m.slug,
            m.title,
            m.agency.name,
            m.agency.slug,
            m.held_on,
            public=m.is_open and not m.cancelled,
        )
        if m.cancelled:
            item.note = "会议已取消，不计入"
            pop.excluded.append(item)
        elif m.held_on > today:
            item.note = "尚未召开，不计入"
            pop.excluded.append(item)
        elif m.agency.kind not in MEETING_AGENCY_KINDS:
            item.note = "非部门、街道会议（如区政府常务会议），不计入本目标"
            pop.excluded.append(item)
        else:
            if m.is_open:
                ways = m.invited_labels + (["网络直播"] if m.stream_url else [])
                item.counted, item.note = True, "开放：" + "、".join(ways)
            else:
                item.note, item.action = "未邀请公众、专家或媒体列席，也未直播", "下次会议邀请列席或直播"
            pop.items.append(item)
    return pop


def _adoption_day(doc: Document) -> date:
    """When a document was adopted: its 成文日期, or the day it was published when that is unknown."""
    return doc.written_on or local_day(doc.published_at)


def predisclosure_population(sess: Session, year: int, today: date) -> Population:
    published, dropped = documents_first_published(sess, year, normative_only=True)
    consultations: dict[int, list[Consultation]] = {}
    if published:
        for c in sess.scalars(
            select(Consultation)
            .where(Consultation.final_document_id.in_([d.id for d in published]))
            .order_by(Consultation.opens_on)
        ):
            consultations.setdefault(c.final_document_id, []).append(c)
    pop = Population()
    for doc in published:
        linked = consultations.get(doc.id, [])
        before = [c for c in linked if c.status != "draft" and c.opens_on <= _adoption_day(doc)]
        if before:
            c = before[0]
            pop.items.append(
                _doc_item(
                    doc, counted=True, note=f"出台前经意见征集《{c.title}》（{c.opens_on.isoformat()}起）"
                )
            )
        elif linked:
            pop.items.append(
                _doc_item(
                    doc,
                    note="关联的意见征集未发布或晚于文件成文日期",
                    action="核对意见征集与文件的关联和日期",
                )
            )
        else:
            pop.items.append(
                _doc_item(
                    doc,
                    note="出台前未经意见征集（预公开）",
                    action="今后出台前发布意见征集；已征集的，在征集反馈中关联本文件",
                )
            )
    pop.excluded = [_doc_item(doc, note=_excluded_reason(doc.status)) for doc in dropped]
    return pop


PUSH_NOTES = {"pending": "待发送", "failed": "发送失败"}


def _push_state(sess: Session, kind: str, ids: list[int]) -> dict[int, list[Push]]:
    pushes: dict[int, list[Push]] = {}
    if ids:
        for push in sess.scalars(select(Push).where(Push.item_type == kind, Push.item_id.in_(ids))):
            pushes.setdefault(push.item_id, []).append(push)
    return pushes


def _push_verdict(item: Item, pushes: list[Push]) -> Item:
    delivered = [p for p in pushes if p.status == "delivered" and p.channel.new_media]
    if delivered:
        names = "、".join(dict.fromkeys(p.channel.name for p in delivered))
        item.counted, item.note = True, f"已在新媒体渠道送达：{names}"
    elif any(p.channel.new_media for p in pushes):
        states = "、".join(
            sorted({PUSH_NOTES.get(p.status, p.status) for p in pushes if p.channel.new_media})
        )
        item.note, item.action = f"新媒体渠道推送未送达（{states}）", "检查推送队列并重试"
    elif pushes:
        item.note, item.action = "仅推送至非新媒体渠道", "推送至政务新媒体渠道"
    else:
        item.note, item.action = "未推送", "推送至政务新媒体渠道"
    return item


def push_population(sess: Session, year: int, today: date) -> Population:
    """Documents, interpretations and consultations published in the year, and their new-media pushes."""
    pop = Population()
    docs, dropped = documents_first_published(sess, year)
    pushes = _push_state(sess, "document", [d.id for d in docs])
    pop.items += [_push_verdict(_doc_item(d), pushes.get(d.id, [])) for d in docs]
    pop.excluded += [_doc_item(d, note=_excluded_reason(d.status)) for d in dropped]

    start, end = year_bounds(year)
    interps = list(
        sess.scalars(
            select(Interpretation)
            .join(Interpretation.document)
            .where(
                Interpretation.published_at >= start,
                Interpretation.published_at < end,
                Document.disclosure == "active",
            )
            .options(
                load_only(
                    Interpretation.id,
                    Interpretation.slug,
                    Interpretation.title,
                    Interpretation.status,
                    Interpretation.published_at,
                    Interpretation.agency_id,
                ),
                selectinload(Interpretation.agency),
                selectinload(Interpretation.document).options(
                    load_only(Document.id, Document.status, Document.disclosure),
                    lazyload(Document.topics),
                    selectinload(Document.issuers),
                ),
            )
            .order_by(Interpretation.published_at, Interpretation.id)
        )
    )
    live = {i.id for i in interps if i.status == "published" and i.document.status == "published"}
    pushes = _push_state(sess, "interpretation", sorted(live))
    for interp in interps:
        agency = interp.agency or _lead_agency(interp.document)
        item = Item(
            "interpretation",
            interp.id,
            interp.slug,
            interp.title,
            agency.name if agency else "",
            agency.slug if agency else "",
            local_day(interp.published_at),
            public=interp.is_public,
        )
        if interp.id in live:
            pop.items.append(_push_verdict(item, pushes.get(interp.id, [])))
        else:
            status = interp.status if interp.status != "published" else interp.document.status
            item.note = ("所属文件" if interp.status == "published" else "") + _excluded_reason(status)
            pop.excluded.append(item)

    consultations = list(
        sess.scalars(
            select(Consultation)
            .where(
                Consultation.status != "draft",
                Consultation.opens_on >= date(year, 1, 1),
                Consultation.opens_on <= date(year, 12, 31),
            )
            .order_by(Consultation.opens_on, Consultation.id)
        )
    )
    pushes = _push_state(sess, "consultation", [c.id for c in consultations])
    for c in consultations:
        item = Item("consultation", c.id, c.slug, c.title, c.agency.name, c.agency.slug, c.opens_on)
        pop.items.append(_push_verdict(item, pushes.get(c.id, [])))
    pop.items.sort(key=lambda i: (i.day, i.kind, i.id))
    return pop


# -- metrics ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    kind: str  # rate: value >= goal | growth: this year's rate vs last year's | zero: nothing may remain
    numerator_label: str
    denominator_label: str
    definition: str  # 口径说明
    population: Callable[[Session, int, date], Population] | None = None
    unmeasurable: str = ""  # why there is no figure yet, when population is None


METRICS: dict[str, Metric] = {
    m.key: m
    for m in [
        Metric(
            "qa_rate",
            "新出台政策配发问答比率",
            "rate",
            "配发问答解读的文件",
            "当年首次发布的主动公开文件",
            "当年首次发布（按北京时间发布日期）、公开属性为主动公开、当前处于发布状态的政策文件中，"
            "至少有一篇已发布的问答形式（简明问答）政策解读的比例。解读发布时间不限；仅有图解、视频或"
            "文字解读的文件不计入分子。已撤回的文件不计入分母。",
            qa_population,
        ),
        Metric(
            "new_media_push_rate",
            "通过政务新媒体渠道主动推送信息比率",
            "rate",
            "已在新媒体渠道推送的条目",
            "当年发布的文件、解读和意见征集",
            "当年发布的政策文件（首次发布）、政策解读和意见征集（开始征集）中，至少有一次推送在标记为政务新媒体"
            "的渠道上送达成功的比例。推送失败或待发送、仅推送至网站订阅源或邮件等非新媒体渠道的不计入分子。"
            "已撤回的文件和解读（含所属文件已撤回的解读）不计入；未发布的意见征集不在统计范围内。",
            push_population,
        ),
        Metric(
            "predisclosure_rate_growth",
            "行政规范性文件预公开比率",
            "growth",
            "经预公开（意见征集）后出台的规范性文件",
            "当年发布的规范性文件",
            "当年首次发布、当前处于发布状态的行政规范性文件中，出台前经过意见征集（预公开）的比例，与上一年度"
            "同口径比率相比。“经过意见征集”指有一项已发布的意见征集在反馈中关联本文件为最终出台文件，且征集开始"
            "日期不晚于文件成文日期（无成文日期时按发布日期）。已撤回的文件不计入。",
            predisclosure_population,
        ),
        Metric(
            "meeting_openness_growth",
            "部门和街道会议开放比率",
            "growth",
            "开放的会议",
            "当年已召开的部门和街道会议",
            "当年已召开（会议日期不晚于今日、未取消）的区政府部门和街道会议中，邀请企业市民代表、专家学者或"
            "媒体列席，或进行网络直播的会议所占比例，与上一年度同口径比率相比。区政府常务会议等非部门、"
            "街道会议登记在会议开放栏目，但不计入本目标。",
            meeting_population,
        ),
        Metric(
            "zombie_boards",
            "“僵尸留言板”“僵尸电话”",
            "zero",
            "逾期未答复的咨询",
            "当年收到的咨询",
            "当年收到、超过答复期限仍未答复的政务咨询数量，目标为基本消除。",
            None,
            "政务咨询（留言）服务尚未上线，暂不可测量；不以估算数字代替。",
        ),
    ]
}


# -- results ------------------------------------------------------------------------------------------


@dataclass
class Reading:
    """One reading of a growth goal: what this year's rate had to reach, and whether it did."""

    unit: str  # points | relative
    required: float | None  # the rate (percent) this year had to reach
    change: float | None  # percentage points, or percent of last year's rate
    status: str
    declared: bool

    @property
    def unit_label(self) -> str:
        return GROWTH_UNITS[self.unit]


@dataclass
class MonthRow:
    month: int
    ratio: Ratio  # items published (held) in that month
    cumulative: Ratio  # year to date at the end of that month
    previous_cumulative: Ratio | None = None  # growth targets: the year before, to the end of the same month


@dataclass
class AgencyRow:
    agency: str
    agency_slug: str
    ratio: Ratio
    previous: Ratio | None = None  # growth targets: the same agency the year before

    @property
    def holding_back(self) -> int:
        return self.ratio.denominator - self.ratio.numerator


@dataclass
class TargetResult:
    metric: Metric
    target: Target | None
    year: int
    status: str
    population: Population | None = None
    previous: Population | None = None  # growth targets: the year before, same rules
    readings: list[Reading] = field(default_factory=list)
    months: list[MonthRow] = field(default_factory=list)
    agencies: list[AgencyRow] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.metric.key

    @property
    def ratio(self) -> Ratio | None:
        return self.population.ratio if self.population else None

    @property
    def previous_ratio(self) -> Ratio | None:
        return self.previous.ratio if self.previous else None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def unit(self) -> str:
        return (self.target.unit if self.target else "") or DEFAULT_GROWTH_UNIT

    @property
    def declared_reading(self) -> Reading | None:
        return next((r for r in self.readings if r.declared), None)

    @property
    def required(self) -> float | None:
        """The rate this year has to reach: the goal itself, or last year's rate grown by the goal."""
        if self.metric.kind == "rate":
            return self.target.goal if self.target else None
        reading = self.declared_reading
        return reading.required if reading else None

    @property
    def progress(self) -> float | None:
        """How far this year's rate is towards the required rate, 0-100 (for the progress bar)."""
        value = self.ratio.value if self.ratio else None
        if value is None or self.required is None:
            return None
        if self.required <= 0:
            return 100.0
        return min(100.0, 100.0 * value / self.required)

    @property
    def goal_text(self) -> str:
        if self.target is None:
            return "未声明"
        goal = fmt_number(self.target.goal)
        if self.metric.kind == "rate":
            return f"≥ {goal}%"
        if self.metric.kind == "growth":
            return f"较上年提升 {goal}（{GROWTH_UNITS[self.unit]}）"
        return "基本消除" if not self.target.goal else f"≤ {goal}"


def fmt_number(value: float) -> str:
    return f"{value:g}"


def fmt_percent(value: float | None) -> str:
    return "无数据" if value is None else f"{value:.1f}%"


def growth_readings(goal: float, declared_unit: str, previous: Ratio, current: Ratio) -> list[Reading]:
    """Both readings of "提升 goal%": percentage points, and relative to last year's rate.

    A rate cannot pass 100%, so reaching 100% meets either reading. The relative reading has no
    meaning when last year's rate was 0 (any growth from 0 is infinite): it then gives no data.
    """
    prev, cur = previous.value, current.value
    readings = []
    for unit in GROWTH_UNITS:
        declared = unit == declared_unit
        if prev is None or cur is None:
            readings.append(Reading(unit, None, None, "no_data", declared))
            continue
        if unit == "points":
            required, change = min(100.0, prev + goal), cur - prev
        elif prev == 0:
            readings.append(Reading(unit, None, None, "no_data", declared))
            continue
        else:
            required, change = min(100.0, prev * (1 + goal / 100)), 100.0 * (cur - prev) / prev
        # Compare exact fractions, not rounded percents: 3/5 against 60 must count as met.
        met = cur >= required - 1e-9
        readings.append(Reading(unit, required, change, "met" if met else "not_met", declared))
    return readings


def _cumulative(pop: Population, month: int) -> Ratio:
    items = [i for i in pop.items if i.day.month <= month]
    return Ratio(sum(1 for i in items if i.counted), len(items))


def _months(pop: Population, year: int, today: date, previous: Population | None = None) -> list[MonthRow]:
    last = 12 if year < today.year else (today.month if year == today.year else 0)
    rows = []
    for month in range(1, last + 1):
        items = [i for i in pop.items if i.day.month == month]
        rows.append(
            MonthRow(
                month,
                Ratio(sum(1 for i in items if i.counted), len(items)),
                _cumulative(pop, month),
                _cumulative(previous, month) if previous else None,
            )
        )
    return rows


def _by_agency(pop: Population) -> dict[str, AgencyRow]:
    rows: dict[str, AgencyRow] = {}
    for item in pop.items:
        row = rows.setdefault(item.agency_slug, AgencyRow(item.agency, item.agency_slug, Ratio(0, 0)))
        row.ratio = Ratio(row.ratio.numerator + int(item.counted), row.ratio.denominator + 1)
    return rows


def _agencies(pop: Population, previous: Population | None = None) -> list[AgencyRow]:
    rows = _by_agency(pop)
    if previous is not None:
        for slug, before in _by_agency(previous).items():
            row = rows.setdefault(slug, AgencyRow(before.agency, slug, Ratio(0, 0)))
            row.previous = before.ratio
    return sorted(rows.values(), key=lambda r: (-r.holding_back, -r.ratio.denominator, r.agency))


def compute_target(
    sess: Session, year: int, metric: Metric, target: Target | None, today: date | None = None
) -> TargetResult:
    today = today or today_local()
    if metric.population is None:
        return TargetResult(metric, target, year, "not_measurable")
    pop = metric.population(sess, year, today)
    result = TargetResult(metric, target, year, "no_data", pop)
    current = pop.ratio
    if metric.kind == "growth":
        result.previous = metric.population(sess, year - 1, today)
        goal = target.goal if target else 0.0
        result.readings = growth_readings(goal, result.unit, result.previous.ratio, current)
        result.status = result.declared_reading.status if target else "no_data"
    elif current.value is not None and target is not None:
        result.status = "met" if current.value >= target.goal - 1e-9 else "not_met"
    result.months = _months(pop, year, today, result.previous)
    result.agencies = _agencies(pop, result.previous)
    return result


@dataclass
class YearReport:
    year: int
    today: date
    results: list[TargetResult]
    declared_years: list[int]

    @property
    def declared(self) -> bool:
        return bool(self.results)

    @property
    def in_progress(self) -> bool:
        return self.year == self.today.year

    def result(self, key: str) -> TargetResult | None:
        return next((r for r in self.results if r.key == key), None)


def declared_years(sess: Session) -> list[int]:
    return sorted(set(sess.scalars(select(Target.year))), reverse=True)


def year_report(sess: Session, year: int, today: date | None = None) -> YearReport:
    """Every target declared for ``year``, computed now."""
    today = today or today_local()
    targets = sess.scalars(select(Target).where(Target.year == year).order_by(Target.position, Target.id))
    results = [compute_target(sess, year, METRICS[t.key], t, today) for t in targets if t.key in METRICS]
    return YearReport(year, today, results, declared_years(sess))


def target_result(sess: Session, year: int, key: str, today: date | None = None) -> TargetResult | None:
    """One metric for one year; computed even when no goal is declared (the figure still exists)."""
    metric = METRICS.get(key)
    if metric is None:
        return None
    target = sess.scalars(select(Target).where(Target.year == year, Target.key == key)).first()
    return compute_target(sess, year, metric, target, today)


# -- tables: one definition serves the page, the CSV and the JSON export ----------------------------

Cell = str | int


@dataclass
class Row:
    cells: list[Cell]
    ref: str = ""  # what the first cell links to: a target key, an item "kind:slug", an agency slug


@dataclass
class Table:
    name: str
    caption: str
    columns: list[str]
    rows: list[Row]

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row.cells, strict=True)) for row in self.rows]


def _change_text(reading: Reading | None) -> str:
    if reading is None or reading.change is None:
        return "无数据"
    sign = "+" if reading.change >= 0 else ""
    if reading.unit == "points":
        return f"{sign}{reading.change:.1f}个百分点"
    return f"{sign}{reading.change:.1f}%"


def reading_text(reading: Reading) -> str:
    if reading.status == "no_data":
        return "无数据"
    return f"需达到{fmt_percent(reading.required)}，{_change_text(reading)}，{STATUS_LABELS[reading.status]}"


def summary_table(report: YearReport) -> Table:
    columns = ["目标", "目标值", "分子", "分母", "本年比率", "上年比率", "按百分点口径", "按相对口径", "状态"]
    rows = []
    for r in report.results:
        ratio, prev = r.ratio, r.previous_ratio
        by_unit = {reading.unit: reading_text(reading) for reading in r.readings}
        rows.append(
            Row(
                [
                    r.metric.label,
                    r.goal_text,
                    ratio.numerator if ratio else "—",
                    ratio.denominator if ratio else "—",
                    fmt_percent(ratio.value) if ratio else STATUS_LABELS["not_measurable"],
                    fmt_percent(prev.value) if prev else "—",
                    by_unit.get("points", "—"),
                    by_unit.get("relative", "—"),
                    r.status_label,
                ],
                r.key,
            )
        )
    return Table("summary", f"{report.year}年度工作目标完成情况", columns, rows)


def months_table(result: TargetResult) -> Table:
    columns = ["月份", "当月分母", "当月分子", "当月比率", "累计分子", "累计分母", "累计比率"]
    growth = result.metric.kind == "growth"
    if growth:
        columns.append("上年同期累计比率")
    rows = []
    for m in result.months:
        cells: list[Cell] = [
            f"{m.month}月",
            m.ratio.denominator,
            m.ratio.numerator,
            fmt_percent(m.ratio.value),
            m.cumulative.numerator,
            m.cumulative.denominator,
            fmt_percent(m.cumulative.value),
        ]
        if growth:
            cells.append(fmt_percent(m.previous_cumulative.value if m.previous_cumulative else None))
        rows.append(Row(cells))
    return Table("months", f"{result.metric.label}：{result.year}年逐月情况", columns, rows)


def agencies_table(result: TargetResult) -> Table:
    columns = ["单位", "分子", "分母", "比率", "待改进条目"]
    growth = result.metric.kind == "growth"
    if growth:
        columns.append("上年比率")
    rows = []
    for a in result.agencies:
        cells: list[Cell] = [
            a.agency,
            a.ratio.numerator,
            a.ratio.denominator,
            fmt_percent(a.ratio.value),
            a.holding_back,
        ]
        if growth:
            cells.append(fmt_percent(a.previous.value if a.previous else None))
        rows.append(Row(cells, a.agency_slug))
    return Table("agencies", f"{result.metric.label}：{result.year}年分单位情况", columns, rows)


ITEM_TABLES = {
    "counted": "计入分子的条目",
    "holding_back": "拖后腿的条目（计入分母、未计入分子）",
    "excluded": "排除的条目",
}


def items_table(result: TargetResult, name: str) -> Table:
    pop = result.population or Population()
    items = {"counted": pop.counted, "holding_back": pop.holding_back, "excluded": pop.excluded}[name]
    columns = ["类型", "标题", "单位", "日期", "说明"]
    if name == "holding_back":
        columns.append("建议")
    rows = []
    for item in items:
        cells: list[Cell] = [item.kind_label, item.title, item.agency, item.day.isoformat(), item.note]
        if name == "holding_back":
            cells.append(item.action)
        rows.append(Row(cells, f"{item.kind}:{item.slug}"))
    return Table(name, f"{result.metric.label}：{result.year}年{ITEM_TABLES[name]}", columns, rows)


TARGET_TABLES = ("months", "agencies", *ITEM_TABLES)


def target_table(result: TargetResult, name: str) -> Table:
    if name == "months":
        return months_table(result)
    if name == "agencies":
        return agencies_table(result)
    return items_table(result, name)


@dataclass
class Waiver:
    document: Item
    reason: str
    by: str
    at: datetime


def waivers(sess: Session, year: int) -> list[Waiver]:
    """三同步 waivers recorded for documents first published in ``year``: why they went out alone."""
    start, end = year_bounds(year)
    rows = sess.scalars(
        select(PublicationWaiver)
        .join(Document, Document.id == PublicationWaiver.document_id)
        .where(Document.published_at >= start, Document.published_at < end)
        .order_by(PublicationWaiver.at, PublicationWaiver.id)
    )
    out = []
    for w in rows:
        doc = sess.get(Document, w.document_id)
        by = (w.user.display_name or w.user.username) if w.user else ""
        out.append(Waiver(_doc_item(doc), w.reason, by, w.at))
    return out

"""A target computed for a year: status, growth readings, months and agencies, from its population."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import today_local
from portal.models import Target
from portal.models.targets import DEFAULT_GROWTH_UNIT, GROWTH_UNITS
from portal.services.targets.metrics import METRICS, Metric
from portal.services.targets.populations import Population, Ratio

STATUS_LABELS = {
    "met": "已达标",
    "not_met": "未达标",
    "no_data": "无数据",
    "not_measurable": "暂不可测",
}


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
        declared = result.declared_reading
        result.status = declared.status if target and declared else "no_data"
    elif metric.kind == "zero":
        # Counted items are the good ones; what holds the target back (zombie messages) may not pass the goal.
        if pop.items and target is not None:
            result.status = "met" if len(pop.holding_back) <= target.goal else "not_met"
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


def menu_year(sess: Session, this_year: int) -> int:
    """The year the 工作目标 menu opens: the latest declared year up to ``this_year``, else this year."""
    years = [y for y in declared_years(sess) if y <= this_year]
    return years[0] if years else this_year


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

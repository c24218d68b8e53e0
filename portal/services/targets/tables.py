"""Tables of the targets: one definition serves the page, the CSV and the JSON export."""

from __future__ import annotations

from dataclasses import dataclass

from portal.services.targets.populations import Population
from portal.services.targets.results import (
    STATUS_LABELS,
    Reading,
    TargetResult,
    YearReport,
    fmt_percent,
)

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
    "holding_back": "影响达标的条目（计入分母、未计入分子）",
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

"""The yearly disclosure targets (工作目标), computed live from the portal's own records.

Nothing here is typed in: ``content/targets.yml`` declares the goals, and every figure is counted from
documents, interpretations, consultations, pushes and meetings. Each figure keeps the list of items it
was counted from, so that the dashboard can show which items hold a target back.

Computation: this package reads the database; its one write is ``declaration``, which records the declared
goals (with their rules and audit) for ``portal load`` and any later staff form. Its modules, in the order
data flows:
``populations`` (which records count, per metric), ``metrics`` (the targets the portal can compute),
``results`` (a target computed for a year), ``tables`` (the same figures as page, CSV and JSON tables) and
``waivers`` (三同步 waivers behind the Q&A rate).

Rules shared by every metric:

- A year runs from 1 January to 31 December in Beijing time (timestamps are stored in UTC).
- An item belongs to the year of its first publication (documents keep ``published_at`` for good).
- Withdrawn items (and items no longer in the published state) are excluded and listed as excluded.
- A zero denominator gives no value (无数据), never 0% and never an error.
"""

from portal.services.targets.metrics import METRICS, Metric
from portal.services.targets.populations import Item, Population, Ratio
from portal.services.targets.results import (
    STATUS_LABELS,
    TargetResult,
    YearReport,
    declared_years,
    fmt_number,
    fmt_percent,
    growth_readings,
    menu_year,
    target_result,
    year_report,
)
from portal.services.targets.tables import (
    ITEM_TABLES,
    TARGET_TABLES,
    Table,
    agencies_table,
    months_table,
    reading_text,
    summary_table,
    target_table,
)
from portal.services.targets.waivers import Waiver, waivers

__all__ = [
    "ITEM_TABLES",
    "fmt_number",
    "reading_text",
    "METRICS",
    "STATUS_LABELS",
    "TARGET_TABLES",
    "Item",
    "Metric",
    "Population",
    "Ratio",
    "Table",
    "TargetResult",
    "Waiver",
    "YearReport",
    "agencies_table",
    "declared_years",
    "fmt_percent",
    "growth_readings",
    "menu_year",
    "months_table",
    "summary_table",
    "target_result",
    "target_table",
    "waivers",
    "year_report",
]

"""The staff forms of the annual report (/admin/annual-reports/): a new year's report, and a report's
entered figures, table sources, table 3 and 4 cells and six sections.

The figures form declares one field per input the page draws and hands them on as the flat mapping that
``portal.services.annual_reports.workflow.parse_figures`` checks: the one place of those rules, which
the content loader's YAML goes through too.
"""

from __future__ import annotations

from typing import Any

from wtforms import Field, StringField, TextAreaField

from portal.models.annual_reports import ENTERED_FIGURES, SECTIONS
from portal.models.foi import REMEDY_KINDS, REMEDY_RESULTS
from portal.services.annual_reports.workflow import TABLE3_ROWS
from portal.services.foi.report import COLUMNS
from portal.web.forms import Form


class NewReportForm(Form):
    year = StringField("年度")


def _figure_fields() -> dict[str, Field]:
    fields: dict[str, Any] = {}
    for key, (_art, label, _unit) in ENTERED_FIGURES.items():
        fields[f"{key}_value"] = StringField(label)
        fields[f"{key}_source"] = StringField(f"{label}的数据来源")
    for table in ("table3", "table4"):
        fields[f"{table}_source"] = StringField("表格数据来源", default="records")
    for row in TABLE3_ROWS:
        for col in COLUMNS:
            fields[f"t3_{row}_{col}"] = StringField("表三的数字")
    for kind in REMEDY_KINDS:
        for result in (*REMEDY_RESULTS, "total"):
            fields[f"t4_{kind}_{result}"] = StringField("表四的数字")
    for key in SECTIONS:
        fields[f"section_{key}"] = TextAreaField(SECTIONS[key])
    return fields


class FiguresForm(Form):
    def figures(self) -> dict[str, str]:
        """The figure inputs as typed, for ``parse_figures`` and to show again after a refusal."""
        return {name: self[name].data or "" for name in FIGURE_FIELDS}

    def sections(self) -> dict[str, str]:
        return {key: self[f"section_{key}"].data or "" for key in SECTIONS}


_FIELDS = _figure_fields()
FIGURE_FIELDS = [name for name in _FIELDS if not name.startswith("section_")]
ReportForm: type[FiguresForm] = type("ReportForm", (FiguresForm,), _FIELDS)

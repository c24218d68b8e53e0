"""The targets dashboard: /targets/ (this year), /targets/<year>/, a drill-down per figure, exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from flask import Blueprint, Response, abort, current_app, render_template, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import Session

from portal.clock import today_local
from portal.db import session
from portal.models.accounts import STAFF_ROLES as ANY_STAFF
from portal.services import targets as svc
from portal.web.charts import bar_chart
from portal.web.public_urls import public_urls

bp = Blueprint("targets", __name__, url_prefix="/targets")

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
# Where staff fix an item, by (kind, fix): endpoint and its arguments. Only endpoints that exist in
# this build are linked; otherwise the suggested action shows as text.
FIX_ENDPOINTS = {
    ("meeting", "edit"): ("admin_meetings.edit", lambda i: {"meeting_id": i.id}),
    ("document", "edit"): ("admin_documents.edit", lambda i: {"item_id": i.id}),
    ("document", "add_qa"): ("admin_interpretations.new", lambda i: {"document": i.id}),
    ("interpretation", "edit"): ("admin_interpretations.edit", lambda i: {"item_id": i.id}),
    ("consultation", "edit"): ("admin_consultations.manage", lambda i: {"cid": i.id}),
    ("enquiry", "edit"): ("admin_enquiries.detail", lambda i: {"enquiry_id": i.id}),
}
PUBLIC_ENDPOINTS = {
    "document": "policies.document",
    "interpretation": "policies.interpretation",
    "meeting": "meetings.meeting",
    "consultation": "consultations.consultation",
    "enquiry": "enquiries.item",
}


def _check_year(year: int) -> None:
    if not 1990 <= year <= 2100:
        abort(404)


def is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(*ANY_STAFF))


def public_url(item: svc.Item) -> str | None:
    endpoint = PUBLIC_ENDPOINTS.get(item.kind)
    if not item.public or endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **({"enquiry_id": item.id} if item.kind == "enquiry" else {"slug": item.slug}))


def fix_url(item: svc.Item) -> str | None:
    found = FIX_ENDPOINTS.get((item.kind, item.fix))
    if found is None or found[0] not in current_app.view_functions:
        return None
    endpoint, args = found
    return url_for(endpoint, **args(item))


def chart(result: svc.TargetResult) -> object:
    bars = [(f"{m.month}月", m.cumulative.value) for m in result.months]
    desc = "；".join(
        f"{m.month}月累计{svc.fmt_percent(m.cumulative.value)}"
        f"（{m.cumulative.numerator}/{m.cumulative.denominator}）"
        for m in result.months
    )
    if result.required is not None:
        desc += f"。本年需达到{svc.fmt_percent(result.required)}"
    return bar_chart(
        f"chart-{result.key}",
        bars,
        result.required,
        f"{result.metric.label}：{result.year}年逐月累计比率",
        desc or "本年尚无月份数据",
    )


@bp.get("/")
def current() -> str:
    """The 工作目标 menu: the latest year that has targets (this year's are often declared late)."""
    return dashboard(svc.menu_year(session, today_local().year), canonical=True)


@bp.get("/<int:year>/")
def dashboard(year: int, canonical: bool = False) -> str:
    _check_year(year)
    report = svc.year_report(session, year)
    return render_template(
        "targets/dashboard.html",
        report=report,
        canonical=url_for("targets.dashboard", year=year) if canonical else None,
        summary=svc.summary_table(report),
        svc=svc,
        chart=chart,
        staff=is_staff(),
        summary_link=lambda key: url_for("targets.detail", year=year, key=key),
    )


@bp.get("/<int:year>/<key>/")
def detail(year: int, key: str) -> str:
    _check_year(year)
    result = svc.target_result(session, year, key)
    if result is None:
        abort(404)
    pop = result.population or svc.Population()
    items = {f"{i.kind}:{i.slug}": i for i in pop.items + pop.excluded}
    tables = {name: svc.target_table(result, name) for name in svc.TARGET_TABLES}

    def item_link(ref: str) -> str | None:
        return public_url(items[ref]) if ref in items else None

    def fix_cell(ref: str) -> Markup:
        item = items.get(ref)
        if item is None:
            return Markup("")
        href = fix_url(item)
        text = item.action or "编辑"
        return Markup('<a href="{}">{}</a>').format(href, text) if href else Markup("{}").format(item.action)

    def export_links(name: str) -> dict[str, str]:
        return {
            fmt: url_for("targets.table_export", year=year, key=key, table=name, fmt=fmt) for fmt in FORMATS
        }

    return render_template(
        "targets/detail.html",
        result=result,
        tables=tables,
        svc=svc,
        chart=chart,
        staff=is_staff(),
        item_link=item_link,
        fix_cell=fix_cell,
        export_links=export_links,
        waivers=_waivers(year, key),
    )


def _waivers(year: int, key: str) -> list[svc.Waiver]:
    """三同步 waivers (documents published without their interpretation), for staff beside the Q&A rate."""
    if key != "qa_rate" or not is_staff():
        return []
    return svc.waivers(session, year)


def table_body(table: svc.Table, fmt: str, year: int) -> str:
    """A table as CSV or JSON text: the same columns, rows and cell text as on the page."""
    if fmt == "json":
        return json.dumps(
            {
                "year": year,
                "table": table.name,
                "caption": table.caption,
                "columns": table.columns,
                "rows": table.records(),
            },
            ensure_ascii=False,
            indent=1,
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows(row.cells for row in table.rows)
    return out.getvalue()


def export(table: svc.Table, fmt: str, filename: str, year: int) -> Response:
    body = table_body(table, fmt, year)
    if fmt == "csv":
        body = "\ufeff" + body  # BOM: spreadsheet software then reads the Chinese correctly
    response = Response(body, mimetype=FORMATS[fmt].split(";")[0], content_type=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@bp.get("/<int:year>/summary.<fmt>")
def summary_export(year: int, fmt: str) -> Response:
    _check_year(year)
    if fmt not in FORMATS:
        abort(404)
    return export(svc.summary_table(svc.year_report(session, year)), fmt, f"targets-{year}-summary", year)


@bp.get("/<int:year>/<key>/<table>.<fmt>")
def table_export(year: int, key: str, table: str, fmt: str) -> Response:
    _check_year(year)
    result = svc.target_result(session, year, key)
    if result is None or table not in svc.TARGET_TABLES or fmt not in FORMATS:
        abort(404)
    return export(svc.target_table(result, table), fmt, f"targets-{year}-{key}-{table}", year)


@public_urls
def target_urls(sess: Session) -> Iterator[str]:
    """This year's dashboard and every declared year's (the export follows their links to the figures)."""
    yield "/targets/"
    for year in svc.declared_years(sess):
        yield f"/targets/{year}/"

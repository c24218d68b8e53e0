"""Staff pages of the annual report (/admin/annual-reports/): the list with the deadline flags, a year's
tables with their checks, the entered figures and the six sections, and composing the report into its
document, which then goes through the normal workflow (submit → review → publish) on the document pages.

Editors of the reporting body write; its reviewers, and publishers and admins, may look.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.clock import today_local
from portal.db import current_session
from portal.models import AnnualReport
from portal.models.annual_reports import ENTERED_FIGURES, SECTIONS, TABLE_SOURCES
from portal.models.documents import STATUS
from portal.models.foi import REMEDY_KINDS, REMEDY_RESULTS
from portal.services.annual_reports import deadlines, workflow
from portal.services.annual_reports.drafting import table2_html, table3_html, table4_html
from portal.services.annual_reports.table2 import KINDS
from portal.services.annual_reports.tables import compute
from portal.services.foi import report as foi_report
from portal.services.numbers import parse_int
from portal.web.admin import annual_reports_forms as forms
from portal.web.admin.access import roles_required


def _db() -> Session:
    """The request's session itself (``portal.db.session`` is its scoped proxy)."""
    return current_session()


bp = Blueprint("admin_annual_reports", __name__, url_prefix="/admin/annual-reports")
READERS = ("editor", "reviewer", "publisher", "admin")
WRITERS = ("editor",)


def _visible(report_id: int) -> AnnualReport:
    report = workflow.report_by_id(_db(), report_id)
    if report is None:
        abort(404)
    if not workflow.can_see(current_user, report):
        abort(403)
    return report


def _flags() -> list[deadlines.Flag]:
    flags = deadlines.flags(_db())
    if current_user.has_role("publisher", "admin"):
        return flags
    return [f for f in flags if f.agency.id == current_user.agency_id]


@bp.get("/")
@roles_required(*READERS)
def index() -> str:
    agency = workflow.own_agency(_db(), current_user)
    return render_template(
        "admin/annual_reports/index.html",
        reports=workflow.reports(_db(), current_user),
        flags=_flags(),
        states=deadlines.STATES,
        status_labels=STATUS,
        agency=agency,
        can_create=current_user.has_role(*WRITERS) and agency is not None,
        default_year=today_local().year - 1,
    )


@bp.post("/new")
@roles_required(*WRITERS)
def new() -> Response | tuple[str, int]:
    agency = workflow.own_agency(_db(), current_user)
    year = parse_int(forms.NewReportForm().year.data)
    try:
        if agency is None:
            raise workflow.ReportError("您的账号没有所属单位，不能新建年度报告。", status=403)
        if year is None:
            raise workflow.ReportError("请填写年度。", "year")
        report = workflow.create(_db(), current_user, agency, year)
        _db().commit()
    except workflow.ReportError as exc:
        _db().rollback()
        flash(exc.message, "error")
        return redirect(url_for("admin_annual_reports.index"))
    flash(f"已新建{year}年度报告，各部分文字已按统计数据起草，请核对修改。", "success")
    return redirect(url_for("admin_annual_reports.detail", report_id=report.id))


def _page(
    report: AnnualReport, form: forms.FiguresForm | None = None, error: str = "", status: int = 200
) -> tuple[str, int]:
    """The report's page; ``form``: a refused form, shown again as typed."""
    tables = compute(_db(), report)
    allowed, why = workflow.may_write(current_user, report)
    return render_template(
        "admin/annual_reports/detail.html",
        report=report,
        tables=tables,
        table2=table2_html(tables),
        table3=table3_html(tables),
        table4=table4_html(tables),
        values=form.figures() if form is not None else workflow.figure_values(report),
        sections=SECTIONS,
        section_text=(form.sections() if form is not None else report.sections) or {},
        entered=ENTERED_FIGURES,
        sources=TABLE_SOURCES,
        t3_rows=[(k, *_row_label(k)) for k in workflow.TABLE3_ROWS],
        t3_columns=foi_report.COLUMNS,
        column_labels=foi_report.COLUMN_LABELS,
        remedy_kinds=REMEDY_KINDS,
        remedy_results={**REMEDY_RESULTS, "total": "总计"},
        kinds=KINDS,
        can_write=allowed,
        why_not=why,
        status_labels=STATUS,
        error=error,
        due_on=deadlines.due_on(report.agency, report.year),
    ), status


def _row_label(key: str) -> tuple[str, str]:
    from portal.services.foi.outcomes import REPORT_ROWS

    fixed = {
        "new": ("一", "本年新收"),
        "carried_in": ("二", "上年结转"),
        "results_total": ("（七）", "办理结果总计"),
        "carried_out": ("四", "结转下年度继续办理"),
    }
    if key in fixed:
        return fixed[key]
    row = next(r for r in REPORT_ROWS if r.key == key)
    return row.group, row.label


@bp.get("/<int:report_id>")
@roles_required(*READERS)
def detail(report_id: int) -> tuple[str, int]:
    return _page(_visible(report_id))


@bp.post("/<int:report_id>")
@roles_required(*WRITERS)
def save(report_id: int) -> Response | tuple[str, int]:
    report = _visible(report_id)
    form = forms.ReportForm()
    try:
        figures = workflow.parse_figures(form.figures())
        workflow.save(_db(), current_user, report, figures, form.sections())
        _db().commit()
    except workflow.ReportError as exc:
        _db().rollback()
        return _page(report, form, exc.message, exc.status)
    flash("已保存。", "success")
    return redirect(url_for("admin_annual_reports.detail", report_id=report.id))


@bp.post("/<int:report_id>/compose")
@roles_required(*WRITERS)
def compose(report_id: int) -> Response | tuple[str, int]:
    report = _visible(report_id)
    try:
        doc = workflow.compose(_db(), current_user, report)
        _db().commit()
    except workflow.ReportError as exc:
        _db().rollback()
        return _page(report, None, exc.message, 409 if exc.status == 400 else exc.status)
    flash("已生成年度报告文稿：请在文件页面提交审核，审核通过后发布。", "success")
    return redirect(url_for("admin_documents.edit", item_id=doc.id))

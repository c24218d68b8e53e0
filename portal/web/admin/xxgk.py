"""Staff pages of the 政府信息公开专栏: what the column lacks (empty sections, FOI offices with blank
fields, public documents without a category), and the admins' form for an agency's FOI office."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from portal import db
from portal.services.refusals import Refused
from portal.services.xxgk import offices, pages, staff
from portal.web.admin.access import roles_required
from portal.web.admin.workflow import me
from portal.web.admin.xxgk_forms import OfficeForm

bp = Blueprint("admin_xxgk", __name__, url_prefix="/admin/xxgk")
session = db.session  # the app's scoped session, typed as the Session it proxies


@bp.get("/")
@roles_required("editor", "reviewer", "publisher", "admin")
def index() -> str:
    return render_template(
        "admin/xxgk/index.html",
        counts=pages.section_counts(session),
        incomplete=staff.incomplete_offices(session),
        offices=offices.offices(session),
        uncategorised=staff.uncategorised(session, me()),
    )


@bp.route("/offices/<int:agency_id>", methods=["GET", "POST"])
@roles_required("admin")
def office(agency_id: int) -> Any:
    agency = offices.office(session, agency_id)
    if agency is None:
        abort(404)
    form = OfficeForm(data=offices.values_of(agency))
    if request.method == "POST" and form.validate():
        try:
            changed = offices.save(session, me(), agency, form.values())
        except Refused as exc:
            for problem in exc.problems:
                form.fail(problem.field, problem.zh)
        else:
            session.commit()
            flash("政府信息公开工作机构信息已保存。" if changed else "没有修改。", "info")
            return redirect(url_for("admin_xxgk.index"))
    return render_template(
        "admin/xxgk/office.html",
        agency=agency,
        values=form.shown(),
        errors=form.field_errors(),
        fields=offices.OFFICE_FIELDS,
        missing=offices.missing(agency),
    ), (400 if form.errors else 200)

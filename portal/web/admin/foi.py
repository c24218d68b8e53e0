"""Staff pages of 依申请公开 (/admin/foi/): the queue with its watchdog, registration, each step, the
reply letter and the annual-report tables.

Staff see their own agency's requests (admins all, with ID numbers masked); each view of a request is
audited. Every step is one POST to ``/<id>/<step>``, parsed by its WTForms form and done by one service
function, which refuses in Chinese what the rules do not allow.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.2; not in types-WTForms yet

from portal.clock import today_local
from portal.db import session
from portal.models.foi import (
    APPLICANT_TYPES,
    CHANNELS,
    DELIVERY,
    FORMS,
    ID_TYPES,
    REMEDY_KINDS,
    REMEDY_RESULTS,
    STATES,
)
from portal.services.foi import deadlines, fees, letters, pages, report
from portal.services.foi import requests as service
from portal.services.foi.outcomes import OUTCOMES
from portal.web import foi_forms as forms
from portal.web.admin import steps
from portal.web.admin.access import roles_required
from portal.web.forms import choices
from portal.web.inputs import int_arg

bp = Blueprint("admin_foi", __name__, url_prefix="/admin/foi")
READERS = ("foi_officer", "foi_head", "admin")
HANDLERS = ("foi_officer", "foi_head")


def _offices() -> list[tuple[int, str]]:
    return [(a.id, a.name) for a in pages.public_offices(session)]


def _office_choices(exclude: int | None = None) -> list[SelectChoice]:
    return choices((i, n) for i, n in _offices() if i != exclude)


def _visible(request_id: int) -> service.InfoRequest:
    req = pages.get(session, request_id)
    if req is None:
        abort(404)
    if not pages.can_see(current_user, req):
        abort(403)
    return req


@bp.get("/")
@roles_required(*READERS)
def index() -> str:
    queue = pages.queue(session, current_user, request.args.get("state", ""), int_arg("page", 1, 1, 99999))
    return render_template(
        "admin/foi/index.html",
        queue=queue,
        watch=pages.watch(session, current_user),
        per_agency=pages.per_agency(session) if current_user.has_role("admin") else [],
        states=STATES,
        state=request.args.get("state", "") if request.args.get("state", "") in STATES else "",
        today=today_local(),
        repeated=pages.repeated(session, current_user),
    )


def _register_form() -> forms.RegisterForm:
    form = forms.RegisterForm()
    form.agency_id.choices = _office_choices()
    if request.method == "GET" and current_user.agency_id:
        form.agency_id.data = current_user.agency_id
    return form


def _register_page(form: forms.RegisterForm, status: int = 200) -> tuple[str, int]:
    return render_template("admin/foi/new.html", form=form), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*HANDLERS)
def new() -> Response | tuple[str, int]:
    form = _register_form()
    if request.method == "GET":
        return _register_page(form)
    if not form.validate():
        return _register_page(form, 400)
    agency = pages.office(session, form.agency_id.data)
    if agency is None or (current_user.agency_id and agency.id != current_user.agency_id):
        form.fail("agency_id", "只能登记本单位收到的申请。")
        return _register_page(form, 400)
    try:
        assert form.arrived_on.data is not None  # validated: the field is required
        received_on = service.receipt_date(
            form.channel.data or "", form.arrived_on.data, form.signed_on.data, form.confirmed_on.data
        )
        req, password = service.register(
            session,
            current_user,
            form.application(),
            agency,
            form.channel.data or "",
            received_on,
            secret_key=current_app.config["SECRET_KEY"],
            note=form.note.data or "",
        )
        session.commit()
    except service.FoiError as exc:
        session.rollback()
        form.fail(exc.field, exc.message)
        return _register_page(form, exc.status)
    flash(f"已登记申请 {req.receipt_code}，查询密码 {password}（请告知申请人）。", "success")
    return redirect(url_for("admin_foi.detail", request_id=req.id))


def _detail_page(req: service.InfoRequest, status: int = 200, **forms_in_error: Any) -> tuple[str, int]:
    today = today_local()
    step_forms = steps.blank_forms(STEPS, forms_in_error)
    step_forms["transfer"].agency_id.choices = _office_choices(req.agency_id)
    return render_template(
        "admin/foi/detail.html",
        req=req,
        f=step_forms,
        can_handle=pages.can_handle(current_user, req),
        id_shown=pages.shown_id(current_user, req),
        states=STATES,
        channels=CHANNELS,
        applicant_types=APPLICANT_TYPES,
        id_types=ID_TYPES,
        form_labels=FORMS,
        delivery=DELIVERY,
        outcomes=OUTCOMES,
        remedy_kinds=REMEDY_KINDS,
        remedy_results=REMEDY_RESULTS,
        event_labels=pages.EVENT_LABELS,
        fee_methods=fees.METHODS,
        correction_latest=deadlines.correction_latest(req.received_on) if req.received_on else None,
        today=today,
        refusals=[m for form in forms_in_error.values() for m in form.form_errors],
    ), status


@bp.get("/<int:request_id>/")
@roles_required(*READERS)
def detail(request_id: int) -> tuple[str, int]:
    req = _visible(request_id)
    service.audit_view(session, current_user, req)
    session.commit()
    return _detail_page(req)


@bp.get("/<int:request_id>/letter")
@roles_required(*READERS)
def letter(request_id: int) -> str:
    req = _visible(request_id)
    if not req.letter_text:
        abort(404)
    service.audit_view(session, current_user, req)
    session.commit()
    return render_template("admin/foi/letter.html", req=req, issued=letters.issued_date_text(req))


Step = steps.Step[service.InfoRequest]


def _agency_of(form: forms.TransferForm) -> Any:
    agency = pages.office(session, form.agency_id.data)
    if agency is None:
        raise service.FoiError("请选择单位。", "agency_id")
    return agency


STEPS: dict[str, Step] = {
    "confirm": Step(
        forms.DayForm, lambda f, r: service.confirm(session, current_user, r, f.on.data), "已确认收到申请。"
    ),
    "correction": Step(
        forms.CorrectionForm,
        lambda f, r: service.request_correction(
            session, current_user, r, f.on.data, f.what.data, f.deadline.data
        ),
        "已告知补正，答复期限暂停计算。",
    ),
    "correction_received": Step(
        forms.NoteForm,
        lambda f, r: service.correction_received(session, current_user, r, f.on.data, f.note.data or ""),
        "已收到补正材料，答复期限重新计算。",
    ),
    "third_party": Step(
        forms.ThirdPartyForm,
        lambda f, r: service.third_party_sent(session, current_user, r, f.on.data, f.party.data),
        "已记录征求第三方意见，期间不计入答复期限。",
    ),
    "third_party_replied": Step(
        forms.NoteForm,
        lambda f, r: service.third_party_replied(session, current_user, r, f.on.data, f.note.data or ""),
        "已记录第三方答复。",
    ),
    "extend": Step(
        forms.ExtendForm,
        lambda f, r: service.extend(session, current_user, r, f.on.data, f.days.data, f.reason.data),
        "已延长答复期限，请将延期告知书送达申请人。",
    ),
    "fee": Step(
        forms.FeeForm,
        lambda f, r: service.fee_notice(
            session, current_user, r, f.on.data, f.method.data, f.pages.data or 0
        ),
        "已发出收费通知，缴费期间不计入答复期限。",
    ),
    "fee_paid": Step(
        forms.DayForm, lambda f, r: service.fee_paid(session, current_user, r, f.on.data), "已记录缴费。"
    ),
    "lapse": Step(
        forms.DayForm, lambda f, r: service.lapse(session, current_user, r, f.on.data), "已按逾期办结。"
    ),
    "transfer": Step(
        forms.TransferForm,
        lambda f, r: service.transfer(session, current_user, r, _agency_of(f), f.note.data or ""),
        "已转办，收到申请日期和答复期限不变。",
    ),
    "draft": Step(
        forms.DraftForm,
        lambda f, r: service.draft_reply(
            session,
            current_user,
            r,
            f.outcome.data,
            f.detail.data or "",
            f.link.data or "",
            f.body.data or "",
            f.letter_text.data or "",
        ),
        "答复已起草，待负责人审核。",
    ),
    "return": Step(
        forms.RemarkForm,
        lambda f, r: service.return_draft(session, current_user, r, f.remark.data),
        "已退回起草人修改。",
    ),
    "issue": Step(
        forms.DayForm, lambda f, r: service.issue_reply(session, current_user, r, f.on.data), "答复已出具。"
    ),
    "withdraw": Step(
        forms.NoteForm,
        lambda f, r: service.withdraw(session, current_user, r, f.on.data, f.note.data or ""),
        "已记录申请人撤回申请。",
    ),
    "remedy": Step(
        forms.RemedyForm,
        lambda f, r: service.add_remedy(
            session,
            current_user,
            r,
            f.kind.data,
            f.filed_on.data,
            f.result.data,
            f.decided_on.data,
            f.note.data or "",
        ),
        "已记录行政复议或诉讼。",
    ),
}


def _choose_office(form: forms.TransferForm) -> None:
    form.agency_id.choices = _office_choices()


@bp.post("/<int:request_id>/<step>")
@roles_required(*HANDLERS)
def act(request_id: int, step: str) -> Response | tuple[str, int]:
    if step not in STEPS:
        abort(404)
    req = _visible(request_id)
    if not pages.can_handle(current_user, req):
        abort(403)
    refused = steps.take(
        STEPS,
        step,
        req,
        page=_detail_page,
        reload=lambda: pages.get(session, request_id),
        refused=service.FoiError,
        prepare=_choose_office if step == "transfer" else lambda form: None,
    )
    if refused is not None:
        return refused
    if not pages.can_see(current_user, req):  # transferred away: it is now the other agency's
        return redirect(url_for("admin_foi.index"))
    return redirect(url_for("admin_foi.detail", request_id=req.id))


@bp.get("/report")
@roles_required(*READERS)
def annual() -> str:
    year = int_arg("year", today_local().year - 1, 2008, 2100)
    return render_template(
        "admin/foi/report.html",
        r=pages.year_report(session, year),
        year=year,
        columns=report.COLUMNS,
        column_labels=report.COLUMN_LABELS,
        remedy_kinds=REMEDY_KINDS,
        remedy_results=REMEDY_RESULTS,
    )

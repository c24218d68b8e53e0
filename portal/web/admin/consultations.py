"""Staff pages for consultations under /admin/consultations/: create, moderate, enter, close, report, export.

Who may do what: editors create and close; editors and reviewers moderate, enter comments received
offline and answer them; publishers publish the feedback report; any staff member may read and export
(contacts and moderated-away comments only for admins).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.db import session
from portal.models import Consultation
from portal.services import consultations as service
from portal.services.consultations import report as reports
from portal.services.consultations.rules import local_today
from portal.web.admin import consultations_forms as forms
from portal.web.admin.access import any_staff, roles_required
from portal.web.forms import Form
from portal.web.inputs import int_arg

bp = Blueprint("admin_consultations", __name__, url_prefix="/admin/consultations")

CREATE = ("editor", "admin")
MODERATE = ("editor", "reviewer", "admin")
PUBLISH = ("publisher", "admin")


def _consultation(cid: int) -> Consultation:
    c = service.staff_consultation(session, cid)
    if c is None:
        abort(404)
    if not service.in_scope(current_user, c):
        abort(403)
    return c


def _parsed(form: Form) -> Form:
    """The form, parsed; a value it cannot read (a malformed date) is refused like a service refusal."""
    if not form.validate():
        name, message = form.first_error()
        raise service.ConsultationError(message or "页面已过期，请刷新后重试。", field=name)
    return form


def _back(c: Consultation, anchor: str = "", page: str = "manage") -> Response:
    return redirect(url_for(f"admin_consultations.{page}", cid=c.id) + anchor, code=303)


@bp.get("/")
@any_staff
def index() -> str:
    result = service.staff_page(session, current_user, int_arg("page", 1, 1, 999_999))
    return render_template(
        "admin/consultations/index.html",
        result=result,
        rows=result.items,
        can_create=current_user.has_role(*CREATE),
        phase=service.phase,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CREATE)
def new() -> Any:
    form = forms.NewConsultationForm(data={"opens_on": local_today(), "agency_id": current_user.agency_id})
    if request.method == "POST":
        try:
            c = service.create_consultation(session, current_user, _parsed(form).entry())
        except service.ConsultationError as exc:
            session.rollback()
            return _new_page(form, exc.message, exc.field), exc.status
        flash("征集已创建。" if c.status == "draft" else "征集已创建并发布。", "success")
        return _back(c)
    return _new_page(form)


def _new_page(form: forms.NewConsultationForm, error: str = "", field: str = "") -> str:
    return render_template(
        "admin/consultations/new.html",
        values=form.shown(),
        error=error,
        error_field=field,
        agencies=service.agency_choices(session),
        documents=service.document_choices(session),
    )


@bp.get("/<int:cid>/")
@any_staff
def manage(cid: int) -> str:
    c = _consultation(cid)
    state = request.args.get("state", "pending")
    if state not in {"pending", "published", "rejected", "duplicate", "all"}:
        state = "pending"
    return render_template(
        "admin/consultations/manage.html",
        c=c,
        state=state,
        phase=service.phase(c),
        comments=service.staff_comments(session, c, state),
        counts=service.moderation_counts(session, c),
        can_moderate=current_user.has_role(*MODERATE),
        can_close=current_user.has_role(*CREATE),
        can_publish=current_user.has_role(*PUBLISH),
        is_admin=current_user.has_role("admin"),
    )


def _refused(
    c: Consultation, exc: service.ConsultationError, page: str = "manage", anchor: str = ""
) -> Response:
    session.rollback()
    flash(exc.message, "error")
    return _back(c, anchor, page)


@bp.post("/<int:cid>/publish")
@roles_required(*PUBLISH)
def publish(cid: int) -> Response:
    c = _consultation(cid)
    try:
        service.publish_consultation(session, current_user, c)
    except service.ConsultationError as exc:
        return _refused(c, exc)
    flash("征集已发布。", "success")
    return _back(c)


@bp.post("/<int:cid>/moderate")
@roles_required(*MODERATE)
def moderate(cid: int) -> Response:
    c = _consultation(cid)
    form = forms.ModerateForm()
    try:
        _parsed(form)
        n = service.moderate(
            session,
            current_user,
            c,
            form.ids.data,
            form.action.data or "",
            form.reason.data or "",
            form.duplicate_of.data or "",
        )
    except service.ConsultationError as exc:
        return _refused(c, exc, anchor="#queue")
    flash(f"已处理{n}条意见。", "success")
    return redirect(
        url_for("admin_consultations.manage", cid=c.id, state=form.state.data or "pending") + "#queue",
        code=303,
    )


@bp.post("/<int:cid>/block/<int:comment_id>")
@roles_required("reviewer", "admin")
def block(cid: int, comment_id: int) -> Response:
    c = _consultation(cid)
    try:
        form = _parsed(forms.ReasonForm())
        comment = service.comments_by_ids(session, c, [comment_id])[0]
        service.block_sender(session, current_user, comment, form.reason.data or "")
    except service.ConsultationError as exc:
        return _refused(c, exc, anchor="#queue")
    flash("已屏蔽该发送者，其后续意见将被拒收。", "success")
    return _back(c, "#queue")


@bp.post("/<int:cid>/comments")
@roles_required(*MODERATE)
def enter(cid: int) -> Response:
    c = _consultation(cid)
    try:
        form = _parsed(forms.EntryForm())
        comment = service.enter_comment(session, current_user, c, form.entry())
    except service.ConsultationError as exc:
        return _refused(c, exc, anchor="#enter")
    flash(f"已录入意见，回执码 {comment.receipt_code}。", "success")
    return _back(c, "#enter")


@bp.post("/<int:cid>/close")
@roles_required(*CREATE)
def close(cid: int) -> Response:
    c = _consultation(cid)
    try:
        service.close_consultation(session, current_user, c)
    except service.ConsultationError as exc:
        return _refused(c, exc)
    flash("征集已结束，请为已受理的意见给出处理结果。", "success")
    return _back(c, page="feedback")


@bp.get("/<int:cid>/feedback")
@any_staff
def feedback(cid: int) -> str:
    c = _consultation(cid)
    return render_template(
        "admin/consultations/feedback.html",
        c=c,
        comments=service.staff_comments(session, c, "published"),
        report=reports.build_report(session, c),
        documents=service.document_choices(session, public_only=True),
        can_answer=current_user.has_role(*MODERATE),
        can_publish=current_user.has_role(*PUBLISH),
        unnotified=reports.unnotified_count(session, c) if c.status == "reported" else 0,
        missing=service.open_dispositions(session, c),
    )


@bp.post("/<int:cid>/viewpoints")
@roles_required(*MODERATE)
def add_viewpoint(cid: int) -> Response:
    c = _consultation(cid)
    try:
        form = _parsed(forms.ViewpointForm())
        service.add_viewpoint(
            session,
            current_user,
            c,
            form.summary.data or "",
            form.disposition.data or "",
            form.reason.data or "",
        )
    except service.ConsultationError as exc:
        return _refused(c, exc, "feedback", "#viewpoints")
    flash("已添加观点。", "success")
    return _back(c, "#viewpoints", "feedback")


@bp.post("/<int:cid>/dispositions")
@roles_required(*MODERATE)
def dispositions(cid: int) -> Response:
    c = _consultation(cid)
    try:
        form = _parsed(forms.DispositionsForm.posted())
        n = service.save_dispositions(session, current_user, c, form.rows())
    except service.ConsultationError as exc:
        return _refused(c, exc, "feedback", "#dispositions")
    flash(f"已保存{n}条意见的处理结果。", "success")
    return _back(c, "#dispositions", "feedback")


@bp.post("/<int:cid>/report")
@roles_required(*PUBLISH)
def publish_report(cid: int) -> Response:
    c = _consultation(cid)
    try:
        form = _parsed(forms.ReportForm())
        n = reports.publish_report(
            session,
            current_user,
            c,
            form.summary.data or "",
            form.final_document_id.data,
            current_app.extensions["settings"],
        )
    except service.ConsultationError as exc:
        return _refused(c, exc, "feedback", "#publish")
    flash(f"反馈报告已发布，已通知{n}位留有电子邮件地址的意见提出人。", "success")
    return _back(c, page="feedback")


@bp.post("/<int:cid>/notify")
@roles_required(*PUBLISH)
def notify(cid: int) -> Response:
    c = _consultation(cid)
    try:
        n = reports.resend_notifications(session, current_user, c, current_app.extensions["settings"])
    except service.ConsultationError as exc:
        return _refused(c, exc, "feedback")
    flash(f"已发送{n}条意见的通知。", "success")
    return _back(c, page="feedback")


@bp.get("/<int:cid>/comments.csv")
@any_staff
def export(cid: int) -> Response:
    c = _consultation(cid)
    full = request.args.get("full") == "1"
    if full and not current_user.has_role("admin"):
        abort(403)
    body = reports.export_comments_csv(session, current_user, c, full=full)
    name = f"{c.slug}-comments{'-full' if full else ''}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )

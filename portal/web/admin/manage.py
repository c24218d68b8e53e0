"""Admin pages: users, agencies, push channels, the audit log (with CSV export); push records for
publishers and admins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from portal.db import session
from portal.models import Agency, Channel, User
from portal.models.agency import AGENCY_KINDS
from portal.models.push import CHANNEL_KINDS, PUSH_STATUS
from portal.services import accounts, audit_names, auditlog, push, staff_lists
from portal.services import channels as channel_service
from portal.services.editing import FormErrors
from portal.web.admin import manage_forms
from portal.web.admin.access import roles_required
from portal.web.admin.workflow import me
from portal.web.forms import Form, choices

bp = Blueprint("admin_manage", __name__, url_prefix="/admin")


def _page() -> int:
    return staff_lists.page_arg(request.args)


def _found(row: Any) -> Any:
    if row is None:
        abort(404)
    return row


def _agency_choices(blank: str, without: int | None = None) -> list:
    agencies = channel_service.agencies_in_order(session)
    return choices([("", blank), *((a.id, a.name) for a in agencies if a.id != without)])


def _refused(form: Form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        form.fail(name, message)


# -- users ------------------------------------------------------------------------------------------


@bp.get("/users")
@roles_required("admin")
def users() -> str:
    result = staff_lists.users(session, _page())
    return render_template("admin/manage/users.html", users=result.items, result=result)


def _user_form(user: User | None) -> manage_forms.UserForm:
    form = manage_forms.UserForm(obj=user)
    form.agency_id.choices = _agency_choices("无")
    if user is not None:
        form.password.label.text = "重设密码（留空不改）"
        form.password.render_kw = {"autocomplete": "new-password"}
    else:
        form.password.render_kw = {"autocomplete": "new-password", "required": True}
    return form


def _show_user(user: User | None, form: manage_forms.UserForm) -> Any:
    status = 400 if form.form_errors else 200
    return render_template("admin/manage/user_form.html", user=user, form=form), status


def _save_user(user: User | None) -> Any:
    form = _user_form(user)
    if not form.validate_on_submit():
        return _show_user(user, form)
    try:
        saved = accounts.save_user(session, me(), form.account(), user)
    except accounts.AccountError as exc:
        session.rollback()
        form.fail("", str(exc))
        return _show_user(user, form)
    session.commit()
    flash(f"{'已保存' if user else '已创建'}用户 {saved.username}。", "info")
    return redirect(url_for("admin_manage.users"))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user() -> Any:
    return _save_user(None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int) -> Any:
    return _save_user(_found(accounts.get_user(session, user_id)))


@bp.post("/users/<int:user_id>/reset-totp")
@roles_required("admin")
def reset_totp(user_id: int) -> Any:
    user = _found(accounts.get_user(session, user_id))
    accounts.reset_totp(session, me(), user)
    session.commit()
    flash(f"已清除 {user.username} 的动态验证码，其下次登录时需重新绑定（管理员）或可自行启用。", "info")
    return redirect(url_for("admin_manage.edit_user", user_id=user.id))


# -- agencies ---------------------------------------------------------------------------------------


@bp.get("/agencies")
@roles_required("admin")
def agencies() -> str:
    result = staff_lists.agencies(session, _page())
    return render_template(
        "admin/manage/agencies.html", agencies=result.items, result=result, AGENCY_KINDS=AGENCY_KINDS
    )


@bp.route("/agencies/new", methods=["GET", "POST"], defaults={"agency_id": None})
@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_agency(agency_id: int | None) -> Any:
    agency: Agency | None = _found(channel_service.get_agency(session, agency_id)) if agency_id else None
    form = manage_forms.AgencyForm(obj=agency)
    form.parent_id.choices = _agency_choices("无", agency.id if agency else None)
    if form.validate_on_submit():
        try:
            channel_service.save_agency(session, me(), form.agency(), agency)
        except FormErrors as exc:
            session.rollback()
            _refused(form, exc.errors)
        else:
            session.commit()
            flash("部门已保存。", "info")
            return redirect(url_for("admin_manage.agencies"))
    return render_template("admin/manage/agency_form.html", agency=agency, form=form), (
        400 if form.errors else 200
    )


# -- channels ---------------------------------------------------------------------------------------


@bp.get("/channels")
@roles_required("admin")
def channels() -> str:
    result = staff_lists.channels(session, _page())
    return render_template(
        "admin/manage/channels.html", channels=result.items, result=result, CHANNEL_KINDS=CHANNEL_KINDS
    )


def _channel_form(channel: Channel | None) -> manage_forms.ChannelForm:
    form = manage_forms.ChannelForm(obj=channel)
    if channel is not None and request.method == "GET":
        form.url.data = channel.config.get("url", "")
        form.recipients.data = "\n".join(channel.config.get("recipients", []))
    return form


@bp.route("/channels/new", methods=["GET", "POST"], defaults={"channel_id": None})
@bp.route("/channels/<int:channel_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_channel(channel_id: int | None) -> Any:
    channel = _found(channel_service.get_channel(session, channel_id)) if channel_id else None
    form = _channel_form(channel)
    if form.validate_on_submit():
        try:
            fields = channel_service.check_channel(session, form.channel(), channel)
            saved = channel_service.save_channel(session, me(), fields, channel)
        except FormErrors as exc:
            session.rollback()
            _refused(form, exc.errors)
        else:
            session.commit()
            flash("推送渠道已保存。", "info")
            return redirect(url_for("admin_manage.edit_channel", channel_id=saved.id))
    return render_template(
        "admin/manage/channel_form.html", channel=channel, form=form, CHANNEL_KINDS=CHANNEL_KINDS
    ), (400 if form.errors else 200)


# -- push records -----------------------------------------------------------------------------------


@bp.get("/pushes")
@roles_required("publisher", "admin")
def pushes() -> str:
    status = request.args.get("status", "")
    status = status if status in PUSH_STATUS else ""
    result = staff_lists.pushes(session, status=status, page=_page())
    return render_template(
        "admin/manage/pushes.html",
        pushes=result.items,
        result=result,
        status=status,
        PUSH_STATUS=PUSH_STATUS,
    )


@bp.post("/pushes/<int:push_id>/retry")
@roles_required("publisher", "admin")
def retry_push(push_id: int) -> Any:
    record = _found(push.get(session, push_id))
    if record.status == "delivered":
        flash("该推送已送达，无需重试。", "error")
        return redirect(url_for("admin_manage.pushes"))
    push.retry_now(session, me(), record)
    session.commit()
    flash("已安排重新推送，将由推送任务（portal push --run）尽快处理。", "info")
    return redirect(url_for("admin_manage.pushes", status="failed"))


# -- audit log --------------------------------------------------------------------------------------


@bp.app_template_filter("local_time")
def local_time(value: datetime | None) -> str:
    """2026-12-01 21:58:16 in Beijing time: the staff read the log on the clock of their office."""
    if value is None:
        return ""
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(auditlog.LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


@bp.app_template_filter("action_name")
def action_name(action: str) -> str:
    return audit_names.action_name(action)


@bp.get("/audit")
@roles_required("admin")
def audit() -> str:
    query = auditlog.AuditQuery.from_args(request.args)
    entries, current, pages = auditlog.page(session, query)
    return render_template(
        "admin/manage/audit.html",
        entries=entries,
        page=current,
        pages=pages,
        query=query,
        OBJECTS=audit_names.OBJECTS,
    )


@bp.get("/audit.csv")
@roles_required("admin")
def audit_csv() -> Response:
    query = auditlog.AuditQuery.from_args(request.args)
    response = Response(stream_with_context(auditlog.csv_rows(session, query)), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=audit-log.csv"
    return response

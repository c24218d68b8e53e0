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
from sqlalchemy import select

from portal.db import session
from portal.models import ROLES, Agency, Channel, Push, User
from portal.models.agency import AGENCY_KINDS
from portal.models.push import CHANNEL_KINDS, PUSH_STATUS
from portal.services import accounts, audit_names, auditlog, push, staff_lists
from portal.services import channels as channel_service
from portal.services.editing import FormErrors
from portal.services.numbers import parse_int
from portal.web.admin.access import roles_required
from portal.web.admin.workflow import me

bp = Blueprint("admin_manage", __name__, url_prefix="/admin")


def _agencies() -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.position, Agency.id)))


# -- users ------------------------------------------------------------------------------------------


@bp.get("/users")
@roles_required("admin")
def users() -> str:
    result = staff_lists.paginate(session, select(User).order_by(User.username), _page())
    return render_template("admin/manage/users.html", users=result.items, result=result)


def _page() -> int:
    return staff_lists.page_arg(request.args)


def _user_form(values: Any) -> accounts.UserForm:
    raw_agency = (values.get("agency_id") or "").strip()
    return accounts.UserForm(
        username=(values.get("username") or "").strip(),
        display_name=(values.get("display_name") or "").strip(),
        email=(values.get("email") or "").strip(),
        roles=values.getlist("roles"),
        agency_id=parse_int(raw_agency),
        active=values.get("active") in {"1", "on"},
        password=values.get("password") or "",
    )


def _show_user(user: User | None, values: Any, error: str = "", status: int = 200) -> Any:
    return render_template(
        "admin/manage/user_form.html",
        user=user,
        values=values,
        error=error,
        agencies=_agencies(),
        ROLES=ROLES,
    ), status


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user() -> Any:
    if request.method == "GET":
        return _show_user(None, {"active": "1", "roles": []})
    try:
        user = accounts.save_user(session, me(), _user_form(request.form))
    except accounts.AccountError as exc:
        session.rollback()
        return _show_user(None, request.form, str(exc), 400)
    session.commit()
    flash(f"已创建用户 {user.username}。", "info")
    return redirect(url_for("admin_manage.users"))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int) -> Any:
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    if request.method == "GET":
        values = {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "roles": user.roles,
            "agency_id": str(user.agency_id or ""),
            "active": "1" if user.active else "",
        }
        return _show_user(user, values)
    form = _user_form(request.form)
    if user.id == me().id and ("admin" not in form.roles or not form.active):
        return _show_user(user, request.form, "不能取消自己的管理员角色或停用自己的账号。", 400)
    try:
        accounts.save_user(session, me(), form, user)
    except accounts.AccountError as exc:
        session.rollback()
        return _show_user(user, request.form, str(exc), 400)
    session.commit()
    flash(f"已保存用户 {user.username}。", "info")
    return redirect(url_for("admin_manage.users"))


@bp.post("/users/<int:user_id>/reset-totp")
@roles_required("admin")
def reset_totp(user_id: int) -> Any:
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    accounts.reset_totp(session, me(), user)
    session.commit()
    flash(f"已清除 {user.username} 的动态验证码，其下次登录时需重新绑定（管理员）或可自行启用。", "info")
    return redirect(url_for("admin_manage.edit_user", user_id=user.id))


# -- agencies ---------------------------------------------------------------------------------------


@bp.get("/agencies")
@roles_required("admin")
def agencies() -> str:
    # Issuers created on the fly and waiting for review first, then the register in its order.
    stmt = select(Agency).order_by(Agency.needs_review.desc(), Agency.position, Agency.id)
    result = staff_lists.paginate(session, stmt, _page())
    return render_template(
        "admin/manage/agencies.html", agencies=result.items, result=result, AGENCY_KINDS=AGENCY_KINDS
    )


@bp.route("/agencies/new", methods=["GET", "POST"], defaults={"agency_id": None})
@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_agency(agency_id: int | None) -> Any:
    agency = session.get(Agency, agency_id) if agency_id else None
    if agency_id and agency is None:
        abort(404)
    values: Any = request.form
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            channel_service.save_agency(session, me(), request.form, agency)
        except FormErrors as exc:
            session.rollback()
            errors = exc.errors
        else:
            session.commit()
            flash("部门已保存。", "info")
            return redirect(url_for("admin_manage.agencies"))
    elif agency is not None:
        values = {
            "slug": agency.slug,
            "name": agency.name,
            "short_name": agency.short_name,
            "kind": agency.kind,
            "parent_id": str(agency.parent_id or ""),
            "external": "1" if agency.external else "",
        }
    else:
        values = {"kind": "department"}
    return render_template(
        "admin/manage/agency_form.html",
        agency=agency,
        values=values,
        errors=errors,
        agencies=_agencies(),
        AGENCY_KINDS=AGENCY_KINDS,
    ), (400 if errors else 200)


# -- channels ---------------------------------------------------------------------------------------


@bp.get("/channels")
@roles_required("admin")
def channels() -> str:
    result = staff_lists.paginate(session, select(Channel).order_by(Channel.name, Channel.id), _page())
    return render_template(
        "admin/manage/channels.html", channels=result.items, result=result, CHANNEL_KINDS=CHANNEL_KINDS
    )


@bp.route("/channels/new", methods=["GET", "POST"], defaults={"channel_id": None})
@bp.route("/channels/<int:channel_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_channel(channel_id: int | None) -> Any:
    channel = session.get(Channel, channel_id) if channel_id else None
    if channel_id and channel is None:
        abort(404)
    errors: dict[str, str] = {}
    values: Any = request.form
    if request.method == "POST":
        try:
            saved = channel_service.save_channel(
                session, me(), channel_service.parse_channel_form(session, request.form, channel), channel
            )
        except FormErrors as exc:
            session.rollback()
            errors = exc.errors
        else:
            session.commit()
            flash("推送渠道已保存。", "info")
            return redirect(url_for("admin_manage.edit_channel", channel_id=saved.id))
    elif channel is not None:
        values = {
            "name": channel.name,
            "kind": channel.kind,
            "new_media": "1" if channel.new_media else "",
            "active": "1" if channel.active else "",
            "url": channel.config.get("url", ""),
            "recipients": "\n".join(channel.config.get("recipients", [])),
        }
    else:
        values = {"active": "1", "kind": "webhook"}
    return render_template(
        "admin/manage/channel_form.html",
        channel=channel,
        values=values,
        errors=errors,
        CHANNEL_KINDS=CHANNEL_KINDS,
    ), (400 if errors else 200)


# -- push records -----------------------------------------------------------------------------------


@bp.get("/pushes")
@roles_required("publisher", "admin")
def pushes() -> str:
    status = request.args.get("status", "")
    status = status if status in PUSH_STATUS else ""
    stmt = select(Push).order_by(Push.created_at.desc(), Push.id.desc())
    if status:
        stmt = stmt.where(Push.status == status)
    result = staff_lists.paginate(session, stmt, _page())
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
    record = session.get(Push, push_id)
    if record is None:
        abort(404)
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

"""The staff dashboard (工作台): what is waiting for the signed-in user, by role."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from portal.db import session
from portal.services.dashboard import for_user as waiting_for
from portal.web.admin.access import allowed_roles, any_staff

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The navigation; an entry shows only to users whose roles its endpoint allows (see access.py).
NAV = [
    ("admin.dashboard", "工作台"),
    ("admin_documents.index", "政策文件"),
    ("admin_interpretations.index", "政策解读"),
    ("admin_gazette.index", "政府公报"),
    ("admin_consultations.index", "意见征集"),
    ("admin_manage.pushes", "推送记录"),
    ("admin_meetings.index", "会议登记"),
    ("admin_foi.index", "依申请公开"),
    ("admin_enquiries.index", "政务咨询"),
    ("admin_annual_reports.index", "年度报告"),
    ("admin_xxgk.index", "公开专栏"),
    ("admin_manage.users", "用户"),
    ("admin_manage.agencies", "部门"),
    ("admin_manage.channels", "推送渠道"),
    ("admin_manage.audit", "审计日志"),
]


def admin_nav() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    return [
        (endpoint, label)
        for endpoint, label in NAV
        if endpoint in current_app.view_functions and current_user.has_role(*(allowed_roles(endpoint) or ()))
    ]


@bp.record_once
def _register_nav(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals["admin_nav"] = admin_nav


@bp.get("/")
@any_staff
def dashboard() -> str:
    return render_template("admin/dashboard.html", queue=waiting_for(session, current_user))

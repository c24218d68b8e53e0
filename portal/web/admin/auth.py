"""Signing in and out of the staff area: password, then the TOTP second factor where required.

An admin without a second factor enrols one at sign-in, before the session starts: the password step
leaves only a short-lived "pending" marker in the session, and the enrolment page shows the secret once.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal import db
from portal.models import User
from portal.services import accounts
from portal.web.admin.access import any_staff, public_admin
from portal.web.limits import limiter
from portal.web.security import form_field

bp = Blueprint("admin_auth", __name__, url_prefix="/admin")
PENDING_SECONDS = 300
# Failed sign-ins only count (a redirect means success): per account name and per address.
_failed = {"deduct_when": lambda response: response.status_code != 302, "methods": ["POST"]}
ACCOUNT_LIMIT = "5 per minute;20 per hour"
ADDRESS_LIMIT = "30 per 10 minutes"


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/admin/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("admin.dashboard")


def _pending_user() -> User | None:
    token, since = session.get("pending_user"), session.get("pending_at", 0)
    if not token or time.time() - since > PENDING_SECONDS:
        return None
    user_id, _, version = str(token).partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def _start_session(user: User) -> Any:
    target = session.get("pending_next")
    session.clear()
    login_user(user)
    session["seen"] = int(time.time())
    accounts.record_login(db.session, user, request.remote_addr or "")
    db.session.commit()
    return redirect(_safe_next(target))


@bp.route("/login", methods=["GET", "POST"])
@public_admin
@limiter.limit(ACCOUNT_LIMIT, key_func=lambda: "login:" + form_field("username"), **_failed)
@limiter.limit(ADDRESS_LIMIT, **_failed)
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    error = ""
    if request.method == "POST":
        user = accounts.authenticate(db.session, form_field("username"), request.form.get("password", ""))
        if user is None:
            db.session.commit()  # the failed attempt stays in the audit log
            error = "用户名或密码不正确，或账号已停用。"
        else:
            db.session.commit()  # a rehashed password
            session.clear()
            session["pending_next"] = request.args.get("next", "")
            if not accounts.totp_required(user):
                return _start_session(user)
            session["pending_user"] = user.get_id()
            session["pending_at"] = time.time()
            step = "admin_auth.totp" if user.totp_secret else "admin_auth.enrol"
            return redirect(url_for(step))
    return render_template("admin/login.html", error=error), (200 if not error else 401)


@bp.route("/login/totp", methods=["GET", "POST"])
@public_admin
@limiter.limit(ACCOUNT_LIMIT, key_func=lambda: "totp:" + str(session.get("pending_user")), **_failed)
def totp() -> Any:
    user = _pending_user()
    if user is None or not user.totp_secret:
        flash("请重新登录。", "error")
        return redirect(url_for("admin_auth.login"))
    error = ""
    if request.method == "POST":
        if accounts.use_totp(user, request.form.get("code", "")):
            return _start_session(user)  # commits the spent code with the sign-in
        error = "动态验证码不正确。"
    return render_template("admin/totp.html", error=error), (200 if not error else 401)


@bp.route("/login/enrol", methods=["GET", "POST"])
@public_admin
@limiter.limit(ACCOUNT_LIMIT, key_func=lambda: "enrol:" + str(session.get("pending_user")), **_failed)
def enrol() -> Any:
    """First sign-in of an admin: bind an authenticator app before the session starts."""
    user = _pending_user()
    if user is None or user.totp_secret:
        flash("请重新登录。", "error")
        return redirect(url_for("admin_auth.login"))
    secret = session.get("enrol_secret") or accounts.new_totp_secret()
    session["enrol_secret"] = secret
    error = ""
    if request.method == "POST":
        try:
            accounts.enrol_totp(db.session, user, secret, request.form.get("code", ""))
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            return _start_session(user)
    return render_template(
        "admin/enrol.html", secret=secret, uri=accounts.totp_uri(user, secret), error=error
    ), (200 if not error else 400)


@bp.post("/logout")
@any_staff
def logout() -> Any:
    user = db.session.get(User, current_user.id)
    accounts.end_sessions(db.session, user, user, "logout")
    db.session.commit()
    logout_user()
    session.clear()
    flash("您已退出登录，所有设备上的登录均已失效。", "info")
    return redirect(url_for("admin_auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@any_staff
def account() -> Any:
    """Own account: change password (ends every other session), opt in to TOTP."""
    user = db.session.get(User, current_user.id)
    error = ""
    if request.method == "POST":
        try:
            accounts.change_password(
                db.session,
                user,
                request.form.get("current", ""),
                request.form.get("new", ""),
                request.form.get("repeat", ""),
            )
        except accounts.AccountError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            login_user(user)  # this session continues under the new version; all others are dead
            flash("密码已修改，其他设备上的登录均已失效。", "info")
            return redirect(url_for("admin_auth.account"))
    return render_template("admin/account.html", user=user, error=error), (200 if not error else 400)


@bp.route("/account/totp", methods=["GET", "POST"])
@any_staff
def account_totp() -> Any:
    user = db.session.get(User, current_user.id)
    secret = session.get("enrol_secret") or accounts.new_totp_secret()
    session["enrol_secret"] = secret
    error = ""
    if request.method == "POST":
        try:
            accounts.enrol_totp(db.session, user, secret, request.form.get("code", ""))
        except accounts.AccountError as exc:
            error = str(exc)
        else:
            db.session.commit()
            session.pop("enrol_secret", None)
            flash("已启用动态验证码。", "info")
            return redirect(url_for("admin_auth.account"))
    return render_template(
        "admin/enrol.html", secret=secret, uri=accounts.totp_uri(user, secret), error=error, own=True
    ), (200 if not error else 400)

"""Signing in and out of the staff area: password, then the TOTP second factor where required.

A reviewer, publisher or admin without a second factor enrols one at sign-in, before the session starts:
the password step leaves only a short-lived "pending" marker in the session, and the enrolment page shows
the secret (as text and as a QR code) once.

A signed-in session carries three marks, checked on every staff request (:func:`check_session`):
``started`` (absolute lifetime, ``PORTAL_SESSION_MAX_HOURS``), ``seen`` (idle timeout,
``PORTAL_SESSION_IDLE_MINUTES``) and ``mfa`` (the second factor was passed in this session).

Failed sign-ins are throttled per account name and per client address from the database's own rows
(``portal.services.sign_in_limits``), so the limits hold across workers and processes.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie  # the signed cookie; the database's is db.session
from flask_login import current_user, login_user, logout_user

from portal import db
from portal.clock import LOCAL_TZ
from portal.models import ROLES, User
from portal.services import accounts, sign_in_limits
from portal.web.admin.access import ADMIN_PREFIX, any_staff, public_admin
from portal.web.admin.auth_forms import CodeForm, LoginForm, PasswordChangeForm, SignInCodeForm
from portal.web.errors import render_error

bp = Blueprint("admin_auth", __name__, url_prefix="/admin")
PENDING_SECONDS = 300


def _address() -> str:
    return request.remote_addr or ""


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path inside the staff area of this site, else the dashboard.

    Anything else (another host, a scheme, ``//`` or ``\\`` tricks, control characters such as CR/LF that
    would split the Location header, white space) falls back to the dashboard, never to an error.
    """
    fallback = url_for("admin.dashboard")
    if not target or len(target) > 2000:
        return fallback
    if any(ord(c) < 0x21 or ord(c) == 0x7F or c == "\\" for c in target):
        return fallback
    try:
        parts = urlsplit(target)
    except ValueError:
        return fallback
    if parts.scheme or parts.netloc or not parts.path.startswith(ADMIN_PREFIX) or target.startswith("//"):
        return fallback
    return target


def _pending_user() -> User | None:
    token, since = cookie.get("pending_user"), cookie.get("pending_at", 0)
    if not token or time.time() - since > PENDING_SECONDS:
        return None
    return accounts.user_for_token(db.session, str(token))


def _start_session(user: User, *, mfa: bool) -> Any:
    target = cookie.get("pending_next")
    cookie.clear()
    login_user(user)
    now = int(time.time())
    cookie["started"] = now
    cookie["seen"] = now
    cookie["mfa"] = mfa
    accounts.record_login(db.session, user, _address())
    db.session.commit()
    return redirect(safe_next(target))


def _throttled(exc: sign_in_limits.Throttled) -> Any:
    """429 with ``Retry-After`` and a page that says when to try again."""
    seconds = exc.retry_after
    wait = f"{seconds} 秒" if seconds < 120 else f"{-(-seconds // 60)} 分钟"
    at = exc.retry_at.astimezone(LOCAL_TZ).strftime("%H:%M")
    body, status = render_error(
        429,
        f"登录失败次数过多，已暂停登录。请在 {wait}后（北京时间 {at} 以后）再试；"
        "如果不是您本人在尝试，请联系管理员。",
    )
    return body, status, {"Retry-After": str(seconds)}


def _begin_attempt(account: str, step: str) -> sign_in_limits.SignInFailure:
    """Count this attempt as a failure until it succeeds; raise Throttled when over a limit."""
    attempt = sign_in_limits.begin(db.session, account, _address(), step)
    db.session.commit()  # visible to every other worker before the password or code is checked
    try:
        sign_in_limits.check(db.session, attempt)
    except sign_in_limits.Throttled as exc:
        sign_in_limits.forget(db.session, attempt)
        accounts.record_throttled(db.session, account, _address(), str(exc), exc.retry_after)
        db.session.commit()
        raise
    return attempt


def _keep_failure() -> None:
    """The attempt's row stays as a failure; commit it with the audit entry of the failure."""
    sign_in_limits.prune(db.session)
    db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
@public_admin
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("admin/login.html", form=form)
    username = form.account()
    try:
        attempt = _begin_attempt(username, "password")
    except sign_in_limits.Throttled as exc:
        return _throttled(exc)
    user = accounts.authenticate(db.session, username, form.password.data or "", address=_address())
    if user is None:
        _keep_failure()
        form.fail("", "用户名或密码不正确，或账号已停用。")
        return render_template("admin/login.html", form=form), 401
    sign_in_limits.forget(db.session, attempt)
    db.session.commit()  # and a rehashed password
    cookie.clear()
    cookie["pending_next"] = safe_next(request.args.get("next"))
    if not accounts.totp_required(user):
        return _start_session(user, mfa=False)
    cookie["pending_user"] = user.get_id()
    cookie["pending_at"] = time.time()
    return redirect(url_for("admin_auth.totp" if user.totp_secret else "admin_auth.enrol"))


@bp.route("/login/totp", methods=["GET", "POST"])
@public_admin
def totp() -> Any:
    user = _pending_user()
    if user is None or not user.totp_secret:
        flash("请重新登录。", "error")
        return redirect(url_for("admin_auth.login"))
    form = SignInCodeForm()
    if not form.validate_on_submit():
        return render_template("admin/totp.html", form=form)
    try:
        attempt = _begin_attempt(user.username, "totp")
    except sign_in_limits.Throttled as exc:
        return _throttled(exc)
    if accounts.use_totp(user, form.code.data or ""):
        sign_in_limits.forget(db.session, attempt)
        return _start_session(user, mfa=True)  # commits the spent code with the sign-in
    accounts.record_totp_failure(db.session, user, _address())
    _keep_failure()
    form.fail("", "动态验证码不正确。")
    return render_template("admin/totp.html", form=form), 401


def _enrolment_page(user: User, secret: str, form: CodeForm, **extra: Any) -> Any:
    uri = accounts.totp_uri(user, secret)
    return render_template(
        "admin/enrol.html",
        secret=secret,
        uri=uri,
        qr=accounts.totp_qr_svg(uri),
        form=form,
        roles=[ROLES[r] for r in accounts.TOTP_ROLES],
        **extra,
    ), (400 if form.form_errors else 200)


def _enrolment_secret() -> str:
    """The secret being bound: made once, kept in the session until a code from it is shown."""
    secret = cookie.get("enrol_secret") or accounts.new_totp_secret()
    cookie["enrol_secret"] = secret
    return str(secret)


def _bind(user: User, secret: str, form: CodeForm) -> bool:
    """Bind the authenticator if the form carries a code it shows; else the refusal goes on the form."""
    if not form.validate_on_submit():
        return False
    try:
        accounts.enrol_totp(db.session, user, secret, form.code.data or "")
    except accounts.AccountError as exc:
        form.fail("", str(exc))
        return False
    return True


@bp.route("/login/enrol", methods=["GET", "POST"])
@public_admin
def enrol() -> Any:
    """First sign-in of a reviewer, publisher or admin: bind an authenticator app before the session
    starts. The secret is generated here and shown only to whoever passed the password step, so a
    wrong code is a typing error, not a guess, and is not throttled."""
    user = _pending_user()
    if user is None or user.totp_secret:
        flash("请重新登录。", "error")
        return redirect(url_for("admin_auth.login"))
    secret, form = _enrolment_secret(), CodeForm()
    if _bind(user, secret, form):
        return _start_session(user, mfa=True)
    return _enrolment_page(user, secret, form)


def _me() -> User:
    return accounts.signed_in_user(db.session, current_user.id)


@bp.post("/logout")
@any_staff
def logout() -> Any:
    user = _me()
    accounts.end_sessions(db.session, user, user, "logout")
    db.session.commit()
    logout_user()
    cookie.clear()
    flash("您已退出登录，所有设备上的登录均已失效。", "info")
    return redirect(url_for("admin_auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@any_staff
def account() -> Any:
    """Own account: change password (ends every other session), opt in to TOTP."""
    user = _me()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session, user, form.current.data or "", form.new.data or "", form.repeat.data or ""
            )
        except accounts.AccountError as exc:
            db.session.rollback()
            form.fail("", str(exc))
        else:
            db.session.commit()
            login_user(user)  # this session continues under the new version; all others are dead
            flash("密码已修改，其他设备上的登录均已失效。", "info")
            return redirect(url_for("admin_auth.account"))
    return render_template(
        "admin/account.html",
        user=user,
        form=form,
        min_length=accounts.MIN_PASSWORD_LENGTH,
        max_length=accounts.MAX_PASSWORD_LENGTH,
    ), (400 if form.form_errors else 200)


@bp.route("/account/totp", methods=["GET", "POST"])
@any_staff
def account_totp() -> Any:
    user = _me()
    secret, form = _enrolment_secret(), CodeForm()
    if not _bind(user, secret, form):
        return _enrolment_page(user, secret, form, own=True)
    db.session.commit()
    cookie.pop("enrol_secret", None)
    cookie["mfa"] = True  # a code from the new authenticator was just shown
    flash("已启用动态验证码。", "info")
    return redirect(url_for("admin_auth.account"))


def check_session() -> Any:
    """End a staff session past its absolute lifetime or idle too long, or one that lacks the second
    factor its user now needs (e.g. signed in before it was required); runs before the access check."""
    if not request.path.startswith(ADMIN_PREFIX) or not current_user.is_authenticated:
        return None
    settings = current_app.extensions["settings"]
    now = int(time.time())
    started = cookie.get("started")
    if not isinstance(started, int) or now - started > 3600 * settings.session_max_hours:
        message = "登录已超过最长有效时间，请重新登录。"
    elif now - int(cookie.get("seen", now)) > 60 * settings.session_idle_minutes:
        message = "长时间未操作，已自动退出，请重新登录。"
    elif accounts.totp_required(current_user) and not cookie.get("mfa"):
        message = "您的账号须使用动态验证码登录，请重新登录。"
    else:
        cookie["seen"] = now
        return None
    logout_user()
    cookie.clear()
    flash(message, "error")
    return redirect(url_for("admin_auth.login", next=request.full_path))

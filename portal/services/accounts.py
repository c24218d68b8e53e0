"""Staff accounts: password hashing (argon2id), sign-in checks, TOTP, and the admin's user management.

Sessions are ended on the server side by bumping ``User.session_version`` (see web/admin/access.py).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import ROLES, Agency, User
from portal.models.base import utcnow
from portal.services.audit import record

_hasher = PasswordHasher()
# Verifying against this keeps the time of "no such user" equal to that of "wrong password".
_DUMMY_HASH = _hasher.hash("not a password")
MIN_PASSWORD_LENGTH = 10
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
TOTP_ISSUER = "政务公开平台"


class AccountError(ValueError):
    """A refused account operation: ``str()`` is the Chinese message for the browser, ``english``
    the one for the command line."""

    def __init__(self, message: str, english: str = "") -> None:
        super().__init__(message)
        self.english = english or message


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。",
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
        )
    if password.strip() != password or not password.strip():
        raise AccountError("密码首尾不能是空白字符。", "the password must not start or end with white space")


def authenticate(sess: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None (in the same time either way)."""
    user = sess.scalars(select(User).where(func.lower(User.username) == username.strip().lower())).first()
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        if user is not None:
            record(sess, "anonymous", "user.login_failed", user, note="wrong password")
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def totp_required(user: User) -> bool:
    """Admins must use a second factor; others may opt in."""
    return bool(user.totp_secret) or user.has_role("admin")


def verify_totp(secret: str, code: str) -> bool:
    code = re.sub(r"\s+", "", code or "")
    return bool(secret) and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


def use_totp(user: User, code: str) -> bool:
    """Check a sign-in code and spend it: the same code (or an older one) never works twice."""
    code = re.sub(r"\s+", "", code or "")
    if not user.totp_secret or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = totp.timecode(utcnow())
    for step in (now - 1, now, now + 1):
        if step > (user.totp_last_step or 0) and hmac.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def enrol_totp(sess: Session, user: User, secret: str, code: str) -> None:
    if not verify_totp(secret, code):
        raise AccountError("验证码不正确，请确认手机时间准确后重新输入。")
    user.totp_secret = secret
    user.totp_last_step = pyotp.TOTP(secret).timecode(utcnow())  # the enrolment code is spent
    record(sess, user, "user.totp_enrol", user, note="TOTP second factor enrolled")


def record_login(sess: Session, user: User, address: str) -> None:
    user.last_login_at = utcnow()
    record(sess, user, "user.login", user, note=address)


def end_sessions(sess: Session, user: User, actor: User | str, why: str) -> None:
    """Bump the session version: every session cookie issued before is dead."""
    user.session_version = (user.session_version or 1) + 1
    record(sess, actor, f"user.{why}", user, note="all sessions ended")


def change_password(sess: Session, user: User, current: str, new: str, repeat: str) -> None:
    try:
        _hasher.verify(user.password_hash, current)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AccountError("当前密码不正确。") from None
    if new != repeat:
        raise AccountError("两次输入的新密码不一致。")
    check_password_strength(new)
    user.password_hash = hash_password(new)
    end_sessions(sess, user, user, "password_change")


# -- management by admins ---------------------------------------------------------------------------


@dataclass
class UserForm:
    username: str
    display_name: str
    email: str
    roles: list[str]
    agency_id: int | None
    active: bool
    password: str = ""


def _user_state(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "roles": sorted(user.roles or []),
        "agency_id": user.agency_id,
        "active": user.active,
        "totp": bool(user.totp_secret),
    }


def _validate(sess: Session, form: UserForm, user: User | None) -> None:
    if not USERNAME_RE.match(form.username):
        raise AccountError(
            "用户名须为 2–64 位字母、数字、点、下划线或连字符。",
            "user names are 2-64 letters, digits, dots, underscores or hyphens",
        )
    clash = sess.scalars(select(User).where(func.lower(User.username) == form.username.lower())).first()
    if clash is not None and clash is not user:
        raise AccountError(f"用户名“{form.username}”已被使用。", f"the user name {form.username!r} is taken")
    unknown = [r for r in form.roles if r not in ROLES]
    if unknown or not form.roles:
        raise AccountError("请至少选择一个有效的角色。")
    if form.agency_id is not None and sess.get(Agency, form.agency_id) is None:
        raise AccountError("所选部门不存在。")
    if {"editor", "reviewer"} & set(form.roles) and form.agency_id is None:
        raise AccountError("编辑和审核人员必须归属一个部门。")
    if form.email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", form.email):
        raise AccountError("电子邮箱格式不正确。")


def save_user(sess: Session, actor: User | str, form: UserForm, user: User | None = None) -> User:
    """Create (``user`` None, password required) or update a staff account."""
    _validate(sess, form, user)
    before = _user_state(user) if user else None
    if user is None:
        check_password_strength(form.password)
        user = User(username=form.username, password_hash=hash_password(form.password))
        sess.add(user)
    elif form.password:
        check_password_strength(form.password)
        user.password_hash = hash_password(form.password)
    user.username = form.username
    user.display_name = form.display_name or form.username
    user.email = form.email
    user.roles = sorted(set(form.roles))
    user.agency_id = form.agency_id
    was_active = user.active
    user.active = form.active
    sess.flush()
    if before is not None and (form.password or not form.active or before["roles"] != user.roles):
        # New password, fewer rights or a disabled account: old sessions must not keep the old rights.
        user.session_version = (user.session_version or 1) + 1
    record(
        sess,
        actor,
        "user.create" if before is None else "user.update",
        user,
        before=before,
        after=_user_state(user),
        note="password set" if form.password else ("deactivated" if was_active and not form.active else ""),
    )
    return user


def reset_totp(sess: Session, actor: User, user: User) -> None:
    user.totp_secret = ""
    user.session_version = (user.session_version or 1) + 1
    record(sess, actor, "user.totp_reset", user, note="second factor removed; re-enrolment at next sign-in")


def create_admin(sess: Session, username: str, password: str) -> User:
    """The first admin, from the command line. The TOTP second factor is enrolled at first sign-in."""
    return save_user(
        sess,
        "cli",
        UserForm(
            username=username,
            display_name=username,
            email="",
            roles=["admin"],
            agency_id=None,
            active=True,
            password=password,
        ),
    )

"""Staff accounts: password hashing (argon2id), sign-in checks, TOTP, and the admin's user management.

Sessions are ended on the server side by bumping ``User.session_version`` (see web/admin/access.py).
The sign-in throttle is in ``portal.services.sign_in_limits``.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from portal.models import ROLES, Agency, User
from portal.models.base import utcnow
from portal.services.audit import record
from portal.services.numbers import parse_int

_hasher = PasswordHasher()
# Verifying against this keeps the time of "no such user" equal to that of "wrong password".
_DUMMY_HASH = _hasher.hash("not a password")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
# zxcvbn's time grows steeply with length (seconds for 128 random characters): it judges this prefix,
# and a password whose first 32 characters are not guessable is not guessable.
STRENGTH_PREFIX = 32
# Fewer estimated guesses than this (zxcvbn score 0 or 1: the most common passwords and their variants,
# keyboard walks, repeats, dates, names with digits) is refused.
MIN_GUESSES_LOG10 = 6
# Words an attacker of this portal tries first (NIST SP 800-63B 5.1.1.2: context-specific words).
SITE_WORDS = ("xicheng", "xichengqu", "bjxch", "zhengwu", "gongkai", "portal", "gov", "admin")
# Roles that approve, publish or administer must sign in with a second factor (the FOI head approves
# reply letters and extensions); editors and FOI officers may opt in.
TOTP_ROLES = ("reviewer", "publisher", "admin", "foi_head")
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


@cache
def common_passwords_zh() -> tuple[str, ...]:
    """The bundled list of common Chinese passwords, most common first."""
    text = (Path(__file__).with_name("common_passwords_zh.txt")).read_text("utf-8")
    return tuple(w for w in (line.strip() for line in text.splitlines()) if w and not w.startswith("#"))


def check_password_strength(password: str, context: tuple[str, ...] = ()) -> None:
    """Length 8-128 and not guessable; no composition rules (ASVS 6.2.1, 6.2.4, 6.2.5).

    ``context``: the account's own words (user name, display name, e-mail), which must not carry it.
    Guessability is estimated by zxcvbn, whose bundled frequency lists (the 30,000 most common passwords,
    names, English words) are joined by the list of common Chinese passwords shipped beside this module.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。",
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            f"密码最多 {MAX_PASSWORD_LENGTH} 个字符。",
            f"the password must have at most {MAX_PASSWORD_LENGTH} characters",
        )
    if password.strip() != password or not password.strip():
        raise AccountError("密码首尾不能是空白字符。", "the password must not start or end with white space")
    words = [w.lower() for w in context if w] + list(SITE_WORDS) + list(common_passwords_zh())
    estimate = zxcvbn(password[:STRENGTH_PREFIX], user_inputs=words, max_length=STRENGTH_PREFIX)
    if estimate["guesses_log10"] < MIN_GUESSES_LOG10:
        raise AccountError(
            "这个密码太常见或太容易被猜到（如常用密码、键盘顺序、重复字符、姓名或用户名加数字），"
            "请换一个。建议用几个不相关的词或一句话组成较长的密码。",
            "the password is too common or too easy to guess; choose another (a few unrelated words)",
        )


def _user_words(user: User | None, *more: str) -> tuple[str, ...]:
    words = [*more]
    if user is not None:
        words += [user.username, user.display_name, user.email]
    return tuple(dict.fromkeys(part for w in words if w for part in (w, w.split("@", 1)[0])))


def authenticate(sess: Session, username: str, password: str, address: str = "") -> User | None:
    """The active user with this name and password, or None (in the same time either way)."""
    user = sess.scalars(select(User).where(func.lower(User.username) == username.strip().lower())).first()
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        if user is not None:
            record(sess, "anonymous", "user.login_failed", user, note=f"wrong password from {address}")
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def totp_required(user: User) -> bool:
    """Roles that approve, publish or administer (``TOTP_ROLES``) must use a second factor; others may
    opt in."""
    return bool(user.totp_secret) or user.has_role(*TOTP_ROLES)


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


def totp_qr_svg(uri: str) -> Markup:
    """The provisioning URI as an inline SVG QR code (segno): no script, no style, nothing fetched."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, title="动态验证码配置二维码", dark="#000", light="#fff", svgclass="totp-qr"
    )
    return Markup(svg)  # noqa: S704  (segno writes only path data and the fixed title above)


def record_totp_failure(sess: Session, user: User, address: str) -> None:
    record(sess, "anonymous", "user.totp_failed", user, note=f"wrong second-factor code from {address}")


def enrol_totp(sess: Session, user: User, secret: str, code: str) -> None:
    if not verify_totp(secret, code):
        raise AccountError("验证码不正确，请确认手机时间准确后重新输入。")
    user.totp_secret = secret
    user.totp_last_step = pyotp.TOTP(secret).timecode(utcnow())  # the enrolment code is spent
    record(sess, user, "user.totp_enrol", user, note="TOTP second factor enrolled")


def record_login(sess: Session, user: User, address: str) -> None:
    user.last_login_at = utcnow()
    record(sess, user, "user.login", user, note=address)


@dataclass
class Route:
    """A staff page, as the object of an audit entry (``object_type`` "route")."""

    title: str  # method and path
    id: int | None = None


@dataclass
class AccountName:
    """A name typed at sign-in that belongs to no account (``object_type`` "accountname")."""

    title: str
    id: int | None = None


def record_throttled(sess: Session, account: str, address: str, rule: str, retry_after: int) -> None:
    """A sign-in step refused by the throttle (ASVS 16.3.1: audited with the client address)."""
    user = sess.scalars(select(User).where(func.lower(User.username) == account.strip().lower())).first()
    record(
        sess,
        "anonymous",
        "user.login_throttled",
        user if user is not None else AccountName(account[:64]),
        note=f"from {address}: {rule}; retry after {retry_after} s",
    )


def record_forbidden(sess: Session, actor: User | str, path: str, method: str, address: str) -> None:
    """A staff route refused with 403."""
    record(sess, actor, "access.forbidden", Route(f"{method} {path}"[:500]), note=f"from {address}")


def get_user(sess: Session, user_id: int) -> User | None:
    return sess.get(User, user_id)


def signed_in_user(sess: Session, user_id: int) -> User:
    """The row of the user whose session is running (it exists: the session loader found it)."""
    return sess.get_one(User, user_id)


def user_for_token(sess: Session, token: str) -> User | None:
    """The active user a session token names: ``<id>:<session_version>``, so that bumping the version
    (:func:`end_sessions`) ends every session, and a half-finished sign-in with it."""
    raw_id, _, raw_version = token.partition(":")
    user_id, version = parse_int(raw_id), parse_int(raw_version)
    if user_id is None or version is None:
        return None
    user = sess.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


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
    check_password_strength(new, _user_words(user))
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
    if user is not None and actor is user and ("admin" not in form.roles or not form.active):
        raise AccountError("不能取消自己的管理员角色或停用自己的账号。")
    _validate(sess, form, user)
    before = _user_state(user) if user else None
    context = _user_words(user, form.username, form.display_name, form.email)
    if user is None:
        check_password_strength(form.password, context)
        user = User(username=form.username, password_hash=hash_password(form.password))
        sess.add(user)
    elif form.password:
        check_password_strength(form.password, context)
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

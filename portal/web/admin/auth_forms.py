"""The forms of signing in and of one's own account: password, the second factor, a password change.

They parse only: the checks (password, code, strength) are made by ``portal.services.accounts``, whose
refusals the views attach to the form.
"""

from __future__ import annotations

from wtforms import PasswordField, StringField

from portal.web.forms import Form

ACCOUNT_KEY_LENGTH = 64


class LoginForm(Form):
    username = StringField("用户名", render_kw={"autocomplete": "username", "required": True})
    password = PasswordField("密码", render_kw={"autocomplete": "current-password", "required": True})

    def account(self) -> str:
        """The account name as typed, normalised: the key of the sign-in limits and of the look-up."""
        return (self.username.data or "").strip().lower()[:ACCOUNT_KEY_LENGTH]


def _code(label: str) -> StringField:
    return StringField(
        label, render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "required": True}
    )


class CodeForm(Form):
    """A TOTP code when binding an authenticator (white space is allowed: 123 456)."""

    code = _code("验证码")


class SignInCodeForm(Form):
    """The TOTP code of the second sign-in step."""

    code = _code("身份验证器应用中显示的 6 位数字")


class PasswordChangeForm(Form):
    current = PasswordField("当前密码", render_kw={"autocomplete": "current-password", "required": True})
    new = PasswordField("新密码", render_kw={"autocomplete": "new-password", "required": True})
    repeat = PasswordField("再次输入新密码", render_kw={"autocomplete": "new-password", "required": True})

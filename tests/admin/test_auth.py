"""Signing in and out of the staff area: passwords, TOTP, rate limits, CSRF, idle timeout."""

from __future__ import annotations

import time

import pyotp
import pytest

from portal.models import Agency, User
from tests.conftest import csrf_token_for as _token


@pytest.fixture
def agency(sess):  # noqa: ANN201
    a = Agency(slug="gov-office", name="西城区人民政府办公室", short_name="区政府办")
    sess.add(a)
    sess.commit()
    return a


def _login(client, csrf_token, username, password="correct horse battery"):  # noqa: ANN001, ANN202
    return client.post(
        "/admin/login", data={"username": username, "password": password, "csrf_token": csrf_token()}
    )


def test_editor_signs_in_with_password_and_reaches_dashboard(client, csrf_token, make_user, agency):
    make_user("wang", ["editor"], agency=agency)
    assert client.get("/admin/").status_code == 302  # anonymous: sent to the login page
    response = _login(client, csrf_token, "wang")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    page = client.get("/admin/")
    assert page.status_code == 200 and "工作台" in page.get_data(as_text=True)


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client, sess, csrf_token, make_user, agency
):
    make_user("wang", ["editor"], agency=agency)
    for username, password in (("wang", "wrong password!"), ("nobody", "correct horse battery")):
        response = _login(client, csrf_token, username, password)
        assert response.status_code == 401
        assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    from sqlalchemy import select

    from portal.models import AuditEntry

    failed = sess.scalars(select(AuditEntry).where(AuditEntry.action == "user.login_failed")).all()
    assert [e.object_label for e in failed] == ["wang"]


def test_login_form_without_csrf_token_is_refused(client, make_user, agency):
    make_user("wang", ["editor"], agency=agency)
    response = client.post("/admin/login", data={"username": "wang", "password": "correct horse battery"})
    assert response.status_code == 400
    assert "表单来源无法验证" in response.get_data(as_text=True)


def test_failed_logins_are_rate_limited_per_account(client, csrf_token, make_user, agency):
    make_user("wang", ["editor"], agency=agency)
    codes = [_login(client, csrf_token, "wang", "wrong password!").status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    # Even the right password is refused while the account is throttled.
    response = _login(client, csrf_token, "wang")
    assert response.status_code == 429 and "请求过于频繁" in response.get_data(as_text=True)


def test_failed_logins_are_rate_limited_per_address_across_account_names(client, csrf_token):
    # A password sprayer trying one password on many names meets the per-address limit (30 per 10 min).
    codes = [_login(client, csrf_token, f"user{n}", "Winter2026!!").status_code for n in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429


def test_admin_must_enrol_totp_at_first_sign_in_then_use_it(client, csrf_token, make_user, sess):
    make_user("root", ["admin"])
    response = _login(client, csrf_token, "root")
    assert response.headers["Location"].endswith("/admin/login/enrol")
    assert client.get("/admin/").status_code == 302  # not signed in before enrolment completes
    page = client.get("/admin/login/enrol").get_data(as_text=True)
    secret = page.split('<code class="secret">', 1)[1].split("<", 1)[0]
    bad = client.post("/admin/login/enrol", data={"code": "000000", "csrf_token": csrf_token()})
    assert bad.status_code == 400
    ok = client.post(
        "/admin/login/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token()}
    )
    assert ok.status_code == 302
    assert client.get("/admin/users").status_code in (200, 404)  # signed in now
    assert (
        sess.scalars(__import__("sqlalchemy").select(User).where(User.username == "root")).one().totp_secret
        == secret
    )

    client.post("/admin/logout", data={"csrf_token": csrf_token()})
    response = _login(client, csrf_token, "root")
    assert response.headers["Location"].endswith("/admin/login/totp")
    assert (
        client.post("/admin/login/totp", data={"code": "123456", "csrf_token": csrf_token()}).status_code
        == 401
    )
    # The enrolment code is spent; the next one (the authenticator shows it within 30 s) is accepted once.
    assert (
        client.post(
            "/admin/login/totp", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token()}
        ).status_code
        == 401
    )
    code = pyotp.TOTP(secret).at(time.time() + 30)
    ok = client.post("/admin/login/totp", data={"code": code, "csrf_token": csrf_token()})
    assert ok.status_code == 302 and client.get("/admin/").status_code == 200
    client.post("/admin/logout", data={"csrf_token": csrf_token()})
    _login(client, csrf_token, "root")
    replay = client.post("/admin/login/totp", data={"code": code, "csrf_token": csrf_token()})
    assert replay.status_code == 401  # a code seen once (e.g. shoulder-surfed) is useless afterwards


def test_logout_ends_every_session_of_the_user(app, make_user, agency, csrf_token):
    make_user("wang", ["editor"], agency=agency)
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        c.post(
            "/admin/login",
            data={"username": "wang", "password": "correct horse battery", "csrf_token": _token(c)},
        )
        assert c.get("/admin/").status_code == 200
    laptop.post("/admin/logout", data={"csrf_token": _token(laptop)})
    assert laptop.get("/admin/").status_code == 302
    assert phone.get("/admin/").status_code == 302  # the other device is signed out too


def test_password_change_ends_other_sessions_and_keeps_this_one(app, make_user, agency):
    make_user("wang", ["editor"], agency=agency)
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        c.post(
            "/admin/login",
            data={"username": "wang", "password": "correct horse battery", "csrf_token": _token(c)},
        )
    response = laptop.post(
        "/admin/account",
        data={
            "current": "correct horse battery",
            "new": "a much better secret",
            "repeat": "a much better secret",
            "csrf_token": _token(laptop),
        },
    )
    assert response.status_code == 302
    assert laptop.get("/admin/").status_code == 200
    assert phone.get("/admin/").status_code == 302
    weak = laptop.post(
        "/admin/account",
        data={
            "current": "a much better secret",
            "new": "short",
            "repeat": "short",
            "csrf_token": _token(laptop),
        },
    )
    assert weak.status_code == 400 and "至少需要" in weak.get_data(as_text=True)


class TestOverHttps:
    @pytest.fixture
    def app_overrides(self, app_overrides):  # noqa: ANN001, ANN201
        return {**app_overrides, "https": True}

    def test_session_cookie_is_secure_httponly_and_lax(self, client, csrf_token, make_user, agency):
        make_user("wang", ["editor"], agency=agency)
        response = _login(client, csrf_token, "wang")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_idle_session_is_signed_out(app, client, make_user, agency, login_as):
    user = make_user("wang", ["editor"], agency=agency)
    login_as(user)
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as s:
        s["seen"] = int(time.time()) - 31 * 60
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert client.get("/admin/").status_code == 302

"""Signing in and out of the staff area: passwords, TOTP, rate limits, CSRF, idle timeout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from portal.models import Agency, AuditEntry, SignInFailure, User
from portal.models.base import utcnow
from tests.conftest import csrf_token_for as _token

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def agency(sess):  # noqa: ANN201
    a = Agency(slug="gov-office", name="西城区人民政府办公室", short_name="区政府办")
    sess.add(a)
    sess.commit()
    return a


def _login(client, csrf_token, username, password="correct horse battery", **kwargs):  # noqa: ANN001, ANN003, ANN202
    return client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf_token": csrf_token()},
        **kwargs,
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


def test_failed_logins_are_rate_limited_per_account(client, sess, csrf_token, make_user, agency):
    make_user("wang", ["editor"], agency=agency)
    codes = [_login(client, csrf_token, "wang", "wrong password!").status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    # Even the right password is refused while the account is throttled, with the time to come back.
    response = _login(client, csrf_token, "WANG")
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "请求过于频繁" in page and "北京时间" in page
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    throttled = sess.scalars(select(AuditEntry).where(AuditEntry.action == "user.login_throttled")).all()
    assert len(throttled) == 2 and all("127.0.0.1" in e.note for e in throttled)


def test_failed_logins_are_rate_limited_per_address_across_account_names(client, csrf_token):
    # A password sprayer trying one password on many names meets the per-address limit (30 per 10 min).
    responses = [_login(client, csrf_token, f"user{n}", "Winter2026!!") for n in range(31)]
    assert [r.status_code for r in responses] == [401] * 30 + [429]
    assert 1 <= int(responses[30].headers["Retry-After"]) <= 600


WORKER = """
import json, sys
from portal.app import create_app
from tests.conftest import csrf_token_for
app = create_app({"database_url": sys.argv[1], "instance_path": sys.argv[2], "secret_key": "test-secret",
                  "search_index": sys.argv[3], "testing": True})
client = app.test_client()
codes = []
for _ in range(int(sys.argv[4])):
    r = client.post("/admin/login", data={"username": "wang", "password": "wrong password!",
                                          "csrf_token": csrf_token_for(client)})
    codes.append(r.status_code)
print(json.dumps(codes))
"""


def _age_failures(sess, seconds: int) -> None:  # noqa: ANN001
    """Let time pass for the throttle: date every recorded failure ``seconds`` before now."""
    for row in sess.scalars(select(SignInFailure)):
        row.at = utcnow() - timedelta(seconds=seconds)
    sess.commit()


def _other_process(app, tries: int) -> list[int]:  # noqa: ANN001
    """Wrong passwords for "wang" sent by a second portal process on the same database."""
    settings = app.extensions["settings"]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            WORKER,
            settings.sqlalchemy_url,
            str(settings.instance_path / "other"),
            str(settings.search_index) + "-other",
            str(tries),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sign_in_limits_hold_across_processes(app, client, sess, csrf_token, make_user, agency):
    """Two gunicorn workers or two hosts share no memory: the failures are counted in the database."""
    make_user("wang", ["editor"], agency=agency)
    assert _other_process(app, 3) == [401] * 3
    _age_failures(sess, 0)  # a process starts slowly on a busy machine: keep the three inside the minute
    codes = [_login(client, csrf_token, "wang", "wrong password!").status_code for _ in range(3)]
    assert codes == [401, 401, 429]  # 3 there + 2 here = the limit of 5 per minute
    _age_failures(sess, 0)
    assert _other_process(app, 1) == [429]


def test_a_locked_account_opens_for_its_owner_after_the_window(app, sess, csrf_token, make_user, agency):
    make_user("wang", ["editor"], agency=agency)
    attacker = app.test_client()
    for _ in range(5):
        _login(attacker, lambda: _token(attacker), "wang", "wrong password!")
    # The attacker keeps knocking: refused attempts are not failures and do not extend the lock.
    knocks = [_login(attacker, lambda: _token(attacker), "wang", "guess!!!").status_code for _ in range(10)]
    assert knocks == [429] * 10
    _age_failures(sess, 61)
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.20.30.40"  # the owner, at their own desk
    response = _login(owner, lambda: _token(owner), "wang")
    assert response.status_code == 302 and owner.get("/admin/").status_code == 200
    # A successful step is not a failure: only the attacker's five remain on record.
    assert sess.scalar(select(func.count(SignInFailure.id))) == 5


def test_the_hourly_account_limit_outlasts_the_minute(app, sess, csrf_token, make_user, agency):
    make_user("wang", ["editor"], agency=agency)
    client = app.test_client()
    for _ in range(4):
        for _ in range(5):
            assert _login(client, lambda: _token(client), "wang", "wrong password!").status_code == 401
        _age_failures(sess, 61)
    response = _login(client, lambda: _token(client), "wang")
    assert response.status_code == 429  # 20 failures within the hour
    assert 60 * 55 < int(response.headers["Retry-After"]) <= 3600


def test_admin_must_enrol_totp_at_first_sign_in_then_use_it(client, csrf_token, make_user, sess):
    make_user("root", ["admin"])
    response = _login(client, csrf_token, "root")
    assert response.headers["Location"].endswith("/admin/login/enrol")
    assert client.get("/admin/").status_code == 302  # not signed in before enrolment completes
    page = client.get("/admin/login/enrol").get_data(as_text=True)
    secret = page.split('<code class="secret">', 1)[1].split("<", 1)[0]
    bad = client.post("/admin/login/enrol", data={"code": "000000", "csrf_token": csrf_token()})
    assert bad.status_code == 400
    # Codes below are counted from the enrolment's 30 s step, not read from the clock again: a slow run
    # that crosses into the next step must not turn "the spent code" into a fresh one.
    enrolled_at = time.time()
    enrol_code = pyotp.TOTP(secret).at(enrolled_at)
    ok = client.post("/admin/login/enrol", data={"code": enrol_code, "csrf_token": csrf_token()})
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
    spent = client.post("/admin/login/totp", data={"code": enrol_code, "csrf_token": csrf_token()})
    assert spent.status_code == 401
    code = pyotp.TOTP(secret).at(enrolled_at + 30)
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

    def test_session_cookie_is_host_prefixed_secure_httponly_and_lax(
        self, client, csrf_token, make_user, agency
    ):
        make_user("wang", ["editor"], agency=agency)
        response = _login(
            client,
            csrf_token,
            "wang",
            base_url="https://localhost",
            headers={"Referer": "https://localhost/admin/login"},  # CSRF checks the referrer over HTTPS
        )
        assert response.status_code == 302
        cookie = response.headers["Set-Cookie"]
        # __Host-: browsers keep it only if Secure, Path=/ and without Domain, so no subdomain can set it.
        assert cookie.startswith("__Host-session=")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Path=/;" in cookie + ";" and "Domain" not in cookie
        assert client.get("/admin/", base_url="https://localhost").status_code == 200


def test_idle_session_is_signed_out(app, client, make_user, agency, login_as):
    user = make_user("wang", ["editor"], agency=agency)
    login_as(user)
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as s:
        s["seen"] = int(time.time()) - 31 * 60
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert client.get("/admin/").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_however_busy(app, client, make_user, agency, login_as):
    user = make_user("wang", ["editor"], agency=agency)
    login_as(user)
    with client.session_transaction() as s:
        s["started"] = int(time.time()) - 12 * 3600 - 5  # signed in 12 h ago, active a second ago
        s["seen"] = int(time.time())
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "登录已超过最长有效时间" in page


class TestShortSessions:
    @pytest.fixture
    def app_overrides(self, app_overrides):  # noqa: ANN001, ANN201
        return {**app_overrides, "session_max_hours": 1}

    def test_the_lifetime_is_configurable(self, client, make_user, agency, login_as):
        login_as(make_user("wang", ["editor"], agency=agency))
        assert client.get("/admin/").status_code == 200
        with client.session_transaction() as s:
            s["started"] = int(time.time()) - 3601
        assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("role", ["reviewer", "publisher", "admin", "foi_head"])
def test_roles_that_approve_publish_or_administer_must_enrol_a_second_factor(
    client, csrf_token, make_user, agency, role
):
    make_user("zhao", [role], agency=agency)
    response = _login(client, csrf_token, "zhao")
    assert response.headers["Location"].endswith("/admin/login/enrol")
    assert client.get("/admin/").status_code == 302  # not signed in before enrolment completes
    page = client.get("/admin/login/enrol").get_data(as_text=True)
    secret = page.split('<code class="secret">', 1)[1].split("<", 1)[0]
    # The QR code is inline SVG markup (no script, no data: URL), beside the secret in text.
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'class="totp-qr"' in svg and "<path" in svg and "<script" not in page and "data:" not in page
    assert "otpauth://totp/" in page and secret in page
    ok = client.post(
        "/admin/login/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token()}
    )
    assert ok.status_code == 302 and client.get("/admin/").status_code == 200


def test_editors_may_opt_in_to_the_second_factor(client, sess, csrf_token, make_user, agency):
    user = make_user("wang", ["editor"], agency=agency)
    assert _login(client, csrf_token, "wang").headers["Location"].endswith("/admin/")
    page = client.get("/admin/account/totp").get_data(as_text=True)
    assert 'class="totp-qr"' in page
    secret = page.split('<code class="secret">', 1)[1].split("<", 1)[0]
    response = client.post(
        "/admin/account/totp", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token()}
    )
    assert response.status_code == 302 and client.get("/admin/").status_code == 200  # still signed in
    sess.refresh(user)
    assert user.totp_secret == secret


def test_a_session_without_the_second_factor_is_ended_for_roles_that_need_it(
    client, make_user, agency, login_as
):
    """E.g. a reviewer signed in before the rule, or a session forged without the TOTP step."""
    login_as(make_user("zhao", ["reviewer"], agency=agency))
    with client.session_transaction() as s:
        s["mfa"] = False
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert "须使用动态验证码" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_wrong_second_factor_codes_are_audited_and_throttled(client, sess, csrf_token, make_user, agency):
    user = make_user("zhao", ["publisher"], agency=agency)
    user.totp_secret = pyotp.random_base32()
    sess.commit()
    assert _login(client, csrf_token, "zhao").headers["Location"].endswith("/admin/login/totp")
    codes = [
        client.post("/admin/login/totp", data={"code": "000000", "csrf_token": csrf_token()}).status_code
        for _ in range(5)
    ]
    assert codes == [401] * 5
    right = pyotp.TOTP(user.totp_secret).now()
    response = client.post("/admin/login/totp", data={"code": right, "csrf_token": csrf_token()})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    failed = sess.scalars(select(AuditEntry).where(AuditEntry.action == "user.totp_failed")).all()
    assert len(failed) == 5 and all(e.object_label == "zhao" and "127.0.0.1" in e.note for e in failed)
    assert sess.scalars(select(AuditEntry).where(AuditEntry.action == "user.login_throttled")).one()


@pytest.mark.parametrize(
    "target, lands_on",
    [
        ("/admin/documents/", "/admin/documents/"),
        ("/admin/%0d%0aSet-Cookie:%20evil=1", "/admin/"),
        ("/admin/%0aLocation:%20https://evil.example/", "/admin/"),
        ("/admin/%5C%5Cevil.example", "/admin/"),
        ("//evil.example/admin/", "/admin/"),
        ("https://evil.example/admin/", "/admin/"),
        ("/\\evil.example/admin/", "/admin/"),
        ("/admin/%09/x", "/admin/"),
        ("javascript:alert(1)", "/admin/"),
    ],
)
def test_next_after_signing_in_is_a_staff_path_of_this_site(
    client, csrf_token, make_user, agency, target, lands_on
):
    make_user("wang", ["editor"], agency=agency)
    response = client.post(
        "/admin/login?next=" + target,
        data={"username": "wang", "password": "correct horse battery", "csrf_token": csrf_token()},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location
    assert location == lands_on
    assert "evil" not in response.headers.get("Set-Cookie", "")


def test_a_nul_in_next_is_refused_before_signing_in(client, csrf_token, make_user, agency):
    # A NUL anywhere in a query string is a 400 for every route (portal/web/inputs.py): nothing redirects.
    make_user("wang", ["editor"], agency=agency)
    response = client.post(
        "/admin/login?next=/admin/%00",
        data={"username": "wang", "password": "correct horse battery", "csrf_token": csrf_token()},
    )
    assert response.status_code == 400 and "Location" not in response.headers


@pytest.mark.parametrize(
    "password, accepted",
    [
        ("woaini1314", False),
        ("password123", False),
        ("qwertyuiop", False),
        ("1qaz2wsx3edc", False),
        ("wangxiaoer2020", False),  # the user name with a year
        ("P@ssw0rd2024", False),
        ("x" * 129, False),
        ("Tk4#pz9w", True),  # 8 characters, of any kind: no composition rules
        ("湖边的柳树发了新芽", True),
        ("lantern ferry cobalt", True),
        ("a" * 20 + "lantern ferry cobalt" + "b" * 88, True),  # 128 characters
    ],
)
def test_common_passwords_are_refused_in_chinese_and_any_composition_is_allowed(
    app, make_user, agency, password, accepted
):
    user = make_user("wangxiaoer", ["editor"], agency=agency)
    client = app.test_client()
    _login(client, lambda: _token(client), "wangxiaoer")
    response = client.post(
        "/admin/account",
        data={
            "current": "correct horse battery",
            "new": password,
            "repeat": password,
            "csrf_token": _token(client),
        },
    )
    page = response.get_data(as_text=True)
    if accepted:
        assert response.status_code == 302, page
    else:
        assert response.status_code == 400
        assert "太常见或太容易被猜到" in page or "最多 128 个字符" in page
    assert user.username  # the user stays as it was when refused


def test_refused_staff_routes_are_audited_with_the_client_address(
    app, client, sess, make_user, agency, login_as
):
    login_as(make_user("wang", ["editor"], agency=agency))
    response = client.get("/admin/users", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 403
    entry = sess.scalars(select(AuditEntry).where(AuditEntry.action == "access.forbidden")).one()
    assert entry.actor_name == "wang" and entry.object_label == "GET /admin/users"
    assert "192.0.2.7" in entry.note


def test_database_errors_never_show_the_values_of_parameters(sess, make_user, agency):
    """Statements land in logs and error reports; their parameters carry personal data."""
    from sqlalchemy.exc import IntegrityError

    make_user("wang", ["editor"], agency=agency)
    sess.add(User(username="wang", email="zhang.san.13912345678@example.cn"))
    with pytest.raises(IntegrityError) as caught:
        sess.commit()
    sess.rollback()
    assert "13912345678" not in str(caught.value) and "parameters hidden" in str(caught.value)

"""The deployment in deploy/: nginx serves the static export and hands search, forms and everything not
exported to gunicorn, both started on loopback with the very files in deploy/."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from deploy.local_stack import NGINX_MISSING, free_port, nginx_binary, start_gunicorn, start_nginx, stop
from portal import db
from portal.app import create_app
from tests.conftest import BACKENDS, PG_MISSING, PG_URL, _postgres_database, _sqlite_database
from tests.consultations.helpers import make_consultation

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.deploy


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


def _fetch(opener: urllib.request.OpenerDirector, url: str, data: dict | None = None):  # noqa: ANN202
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        response = opener.open(urllib.request.Request(url, data=body), timeout=90)
    except urllib.error.HTTPError as exc:  # 3xx/4xx still have headers and a body worth checking
        response = exc
    return response.status, response.headers, response.read().decode("utf-8", "replace")


def _portal(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "portal", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(
    scope="module",
    # One worker takes all the tests of a backend (--dist loadgroup), so each backend's stack is built once.
    params=[pytest.param(b, marks=pytest.mark.xdist_group(f"deploy-{b}")) for b in BACKENDS],
)
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """One deployment per backend, shared by this module's tests: loading, indexing and freezing the demo
    and starting gunicorn and nginx cost 16 s of a quiet machine, the tests' own requests a few seconds.

    It runs on a database of its own (not the session's ``database``, which is emptied after each test).
    The tests do not disturb one another: the comment test writes as 127.0.0.1, the throttle test as
    127.0.0.2 and 127.0.0.3 (the throttle counts by sender), and the other two only read.
    """
    if nginx_binary() is None:
        pytest.skip(NGINX_MISSING)
    tmp_path = tmp_path_factory.mktemp(f"deploy-{request.param}")
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip(PG_MISSING)
        database = _postgres_database()
    else:
        database = _sqlite_database(tmp_path)
    nginx_port, app_port = free_port(), free_port()
    base = f"http://127.0.0.1:{nginx_port}"
    env = {
        "PORTAL_DATABASE_URL": database.url,
        "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "PORTAL_SEARCH_INDEX": str(tmp_path / "search_index"),
        "PORTAL_SECRET_KEY": "deploy-test",
        "PORTAL_BASE_URL": base,
        "PORTAL_CONTENT_DIR": str(ROOT / "content"),
        "PORTAL_COMMENT_RATE_LIMIT": "3 per minute",
        "PORTAL_ACCESS_LOG": str(tmp_path / "gunicorn-access.log"),
    }
    procs = []
    app = create_app(
        {
            "database_url": database.url,
            "instance_path": tmp_path / "instance",
            "search_index": tmp_path / "search_index",
            "secret_key": "test-secret",
            "testing": True,
        }
    )
    try:
        _portal(env, "load")
        with app.app_context():
            make_consultation(db.session, slug="parking")
            db.session.remove()
        _portal(env, "index", "--rebuild")
        _portal(env, "freeze", "--out", str(tmp_path / "site"))
        # Two workers: the comment throttle must hold across them (it counts the database's rows).
        procs.append(start_gunicorn(env, app_port, workers=2, log=tmp_path / "gunicorn.log"))
        procs.append(
            start_nginx(
                tmp_path / "site",
                tmp_path / "nginx",
                nginx_port,
                app_port,
                app_url=base,
                access_log=str(tmp_path / "nginx-access.log"),
            )
        )
        yield base, tmp_path / "site"
    finally:
        for proc in reversed(procs):
            stop(proc)
        app.extensions["engine"].dispose()
        database.close()


def test_static_pages_come_from_the_export(stack):
    base, site = stack
    opener = urllib.request.build_opener(_NoRedirect)
    status, headers, html = _fetch(opener, f"{base}/policies/2020-key-points/")
    assert status == 200 and headers["X-Portal-Source"] == "static"
    assert "西城区2020年政务公开工作要点" in html
    assert (
        "script-src 'self'" in headers["Content-Security-Policy"]
        and headers["X-Content-Type-Options"] == "nosniff"
    )
    assert "max-age=60" in headers["Cache-Control"] and headers["ETag"]
    status, headers, _ = _fetch(opener, f"{base}/policies/topic/{urllib.parse.quote('政务公开')}/")
    assert status == 200 and headers["X-Portal-Source"] == "static"
    status, headers, css = _fetch(opener, f"{base}/static/css/site.css")
    assert status == 200 and "box-sizing" in css
    conditional = urllib.request.Request(
        f"{base}/policies/2020-key-points/", headers={"If-None-Match": _fetch(opener, f"{base}/")[1]["ETag"]}
    )
    assert urllib.request.urlopen(conditional, timeout=10).status == 200  # another page's ETag: no 304


def test_queries_and_search_go_to_the_app(stack):
    base, _site = stack
    opener = urllib.request.build_opener(_NoRedirect)
    status, headers, html = _fetch(opener, f"{base}/policies/?year=2020&sort=date_asc")
    assert status == 200 and headers["X-Portal-Source"] == "app" and "政策文件" in html
    status, headers, html = _fetch(opener, f"{base}/search?q={urllib.parse.quote('政务公开工作要点')}")
    assert status == 200 and headers["X-Portal-Source"] == "app"
    assert "/policies/2020-key-points/" in html  # the hit (its title is highlighted, so split by <mark>)
    status, headers, _ = _fetch(opener, f"{base}/admin/")
    assert headers["X-Portal-Source"] == "app" and headers["Cache-Control"] == "no-store"


class Browser:
    """A client with its own cookies and its own loopback source address (127.0.0.2, 127.0.0.3, ...): to
    nginx, a different citizen. No redirects followed, a new connection per request (either worker)."""

    def __init__(self, base: str, source: str = "127.0.0.1") -> None:
        parts = urllib.parse.urlsplit(base)
        self.host, self.port, self.source = parts.hostname, parts.port, source
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):  # noqa: ANN201
        # Generous: the first request of a worker compiles templates, slow on a busy shared machine.
        conn = http.client.HTTPConnection(self.host, self.port, timeout=90, source_address=(self.source, 0))
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            html = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, html

    def form(self, path: str, **fields: str) -> dict:
        _status, _headers, html = self.request("GET", path)
        return {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1), **fields}

    def comment(self, body: str, headers: dict | None = None):  # noqa: ANN201
        form = self.form("/consultations/parking/", body=body, clause="", name="", contact="", website="")
        return self.request("POST", "/consultations/parking/comments", form, headers)


def test_comment_form_posts_through_nginx_and_no_receipt_code_reaches_a_url_or_a_log(stack):
    base, site = stack
    assert not (site / "consultations/parking/index.html").exists()  # its form is bound to a session
    assert not (site / "consultations/receipts/index.html").exists()  # so is the lookup form
    citizen = Browser(base)
    status, headers, _ = citizen.request("GET", "/consultations/parking/")
    assert status == 200 and headers["X-Portal-Source"] == "app"
    status, headers, _ = citizen.comment("建议在学校周边增设临时停车位。")
    assert status == 303 and headers["Location"].endswith("/consultations/receipt/")
    status, headers, receipt = citizen.request("GET", "/consultations/receipt/")
    assert status == 200 and "建议在学校周边增设临时停车位。" in receipt
    assert headers["Cache-Control"] == "private, no-store"
    code = re.search(r'class="receipt-code">([^<]+)<', receipt).group(1)
    # The same text again (a back button and a fresh form): the same receipt, no second comment.
    assert citizen.comment("建议在学校周边增设临时停车位。")[0] == 303
    assert code in citizen.request("GET", "/consultations/receipt/")[2]
    # Looked up from another browser: a POST, the code never in a URL.
    other = Browser(base)
    status, headers, _ = other.request(
        "POST", "/consultations/receipts/", other.form("/consultations/receipts/", code=code)
    )
    assert status == 303 and code not in headers["Location"]
    assert code in other.request("GET", "/consultations/receipt/")[2]
    # Old-style links and typed URLs with the code: answered, and the code masked in both access logs.
    referer = {"Referer": f"{base}/consultations/receipts/{code}/"}
    assert other.request("GET", f"/consultations/receipts/{code}/", headers=referer)[0] == 200
    assert other.request("GET", f"/consultations/receipts/?code={code}&x=1")[0] == 200
    for name in ("nginx-access.log", "gunicorn-access.log"):
        path = site.parent / name
        for _ in range(50):  # both write as the request ends; give them a moment
            if path.exists() and "code=***&x=1" in path.read_text():
                break
            time.sleep(0.1)
        text = path.read_text()
        assert "/consultations/receipts/***/" in text and "code=***&x=1" in text, (name, text[-800:])
        assert code not in text, name


def test_two_citizens_behind_nginx_are_throttled_separately(stack):
    base, _site = stack
    for source in ("127.0.0.2", "127.0.0.3"):
        citizen = Browser(base, source)
        codes = [citizen.comment(f"{source} 的第{i}条意见")[0] for i in range(3)]
        assert codes == [303, 303, 303], source
        status, headers, html = citizen.comment(f"{source} 的第4条意见")
        assert status == 429 and 0 < int(headers["Retry-After"]) <= 60
        assert f"{source} 的第4条意见" in html and "您提交意见过于频繁" in html
    # A client that sends its own X-Forwarded-For is still known by the address nginx saw.
    spoofer = Browser(base, "127.0.0.2")
    assert spoofer.comment("换个地址再试", {"X-Forwarded-For": "198.51.100.99"})[0] == 429

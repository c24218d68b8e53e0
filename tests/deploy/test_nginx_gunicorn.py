"""The deployment in deploy/: nginx serves the static export and hands search, forms and everything not
exported to gunicorn, both started on loopback with the very files in deploy/."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from deploy.local_stack import NGINX_MISSING, free_port, nginx_binary, start_gunicorn, start_nginx, stop

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.deploy


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


def _fetch(opener: urllib.request.OpenerDirector, url: str, data: dict | None = None):  # noqa: ANN202
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        response = opener.open(urllib.request.Request(url, data=body), timeout=20)
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


@pytest.fixture
def stack(app, sess, database, tmp_path):  # noqa: ANN001, ANN201
    if nginx_binary() is None:
        pytest.skip(NGINX_MISSING)
    nginx_port, app_port = free_port(), free_port()
    base = f"http://127.0.0.1:{nginx_port}"
    env = {
        "PORTAL_DATABASE_URL": database.url,
        "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "PORTAL_SEARCH_INDEX": str(tmp_path / "search_index"),
        "PORTAL_SECRET_KEY": "deploy-test",
        "PORTAL_BASE_URL": base,
        "PORTAL_CONTENT_DIR": str(ROOT / "content"),
    }
    _portal(env, "load")
    from tests.consultations.helpers import make_consultation

    make_consultation(sess, slug="parking")
    _portal(env, "index", "--rebuild")
    _portal(env, "freeze", "--out", str(tmp_path / "site"))
    procs = []
    try:
        procs.append(start_gunicorn(env, app_port, workers=1, log=tmp_path / "gunicorn.log"))
        procs.append(start_nginx(tmp_path / "site", tmp_path / "nginx", nginx_port, app_port, app_url=base))
        yield base, tmp_path / "site"
    finally:
        for proc in reversed(procs):
            stop(proc)


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


def test_comment_form_posts_through_nginx_and_the_receipt_can_be_looked_up(stack):
    base, site = stack
    assert not (site / "consultations/parking/index.html").exists()  # its form is bound to a session
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    status, headers, html = _fetch(opener, f"{base}/consultations/parking/")
    assert status == 200 and headers["X-Portal-Source"] == "app"
    form = {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1),
        "key": re.search(r'name="key" value="([^"]+)"', html).group(1),
        "body": "建议在学校周边增设临时停车位。",
        "clause": "",
        "name": "",
        "contact": "",
        "website": "",
    }
    action = re.search(
        r'<form[^>]*action="([^"]+)"[^>]*method="post"|<form[^>]*method="post"[^>]*action="([^"]+)"', html
    )
    target = next(g for g in action.groups() if g)
    status, headers, _ = _fetch(opener, urllib.parse.urljoin(base, target), form)
    assert status == 303, status
    receipt_url = urllib.parse.urljoin(base, headers["Location"])
    status, _headers, receipt = _fetch(opener, receipt_url)
    assert status == 200 and "建议在学校周边增设临时停车位。" in receipt
    code = receipt_url.rstrip("/").rsplit("/", 1)[1]
    status, headers, _ = _fetch(
        urllib.request.build_opener(_NoRedirect), f"{base}/consultations/receipts/?code={code}"
    )
    assert status == 303 and headers["Location"].endswith(f"/consultations/receipts/{code}/")

"""Browser tests: Debian's Chromium driven by Playwright against the portal served on loopback.

The portal runs in a thread (werkzeug, threaded) on the test's own database, loaded with the demo content
of ``content/`` plus an open consultation and one staff member per role. Chromium is never downloaded:
without /usr/bin/chromium the tests are skipped with the command that installs it (and ``.ci/run``, strict
about skips, fails). axe-core comes from ``node_modules`` (``npm ci`` at the repository root).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from tests.conftest import STRICT
from tests.demo_snapshot import load_demo

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.browser


def _chromium() -> str | None:
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    executable = _chromium()
    if executable is None:
        pytest.skip(
            "Chromium is not installed: apt-get install -y chromium (tests use /usr/bin/chromium; "
            "Playwright's own browser download is never used)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def read_npm_tool(path: Path, strict: bool = STRICT) -> str:
    """A test tool installed by ``npm ci``. Like a missing Chromium, a missing tool skips the test with the
    command to run, except under PORTAL_TEST_STRICT=1, where nothing may be skipped."""
    if not path.is_file():
        message = f"{path.name} is not installed: run `npm ci` at the repository root"
        if strict:
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return read_npm_tool(AXE)


@pytest.fixture
def demo(app, sess, make_user):  # noqa: ANN001, ANN201
    """The demo content, an open consultation and staff users; returns what the scenarios need."""
    report = load_demo(sess)
    assert report.ok, report.errors
    from portal.models import Agency
    from tests.consultations.helpers import make_consultation

    consultation = make_consultation(sess, slug="parking")
    office = (
        sess.query(Agency).filter_by(slug="xicheng-gov-office").one_or_none() or sess.query(Agency).first()
    )
    staff = SimpleNamespace(
        editor=make_user("editor", ["editor"], agency=office),
        reviewer=make_user("reviewer", ["reviewer"], agency=office),
        publisher=make_user("publisher", ["publisher"], agency=office),
    )
    # Reviewers and publishers sign in with a second factor: their authenticators are already bound.
    import pyotp

    for user in (staff.reviewer, staff.publisher):
        user.totp_secret = pyotp.random_base32()
    sess.commit()
    return SimpleNamespace(consultation=consultation, office=office, staff=staff)


@pytest.fixture
def live_server(app, demo) -> Iterator[str]:  # noqa: ANN001
    """The portal on a free loopback port, served from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def page_at(browser):  # noqa: ANN001, ANN201
    """``page_at(width)``: a fresh browser context (own cookies) at that viewport width."""
    contexts = []

    def make(width: int = 1280, height: int = 900, bypass_csp: bool = False):  # noqa: ANN202
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", bypass_csp=bypass_csp
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def artifact(*parts: str) -> Path:
    path = ARTIFACTS.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page_types(app, sess, demo, live_server) -> dict[str, str]:  # noqa: ANN001
    """One path per kind of page: the first registered public path of every endpoint, plus the pages no
    registry lists (the receipt lookup, the staff login, a 404, a target's figures)."""
    from portal.services import targets
    from portal.web.public_urls import all_public_urls

    adapter = app.url_map.bind("localhost")
    found: dict[str, str] = {}
    for path in all_public_urls(sess):
        if path.endswith("/"):
            endpoint, _args = adapter.match(path)
            found.setdefault(endpoint, path)
    # The receipt page itself shows only to the session that holds its code (no code in any URL):
    # tests/browser/test_comments.py looks at it. Its lookup form is a page type of its own.
    found["consultations.lookup"] = "/consultations/receipts/"
    found["admin_auth.login"] = "/admin/login"
    found["errors.not_found"] = "/policies/no-such-document/"
    for year in targets.declared_years(sess)[:1]:
        report = targets.year_report(sess, year)
        if report.results:
            found["targets.detail"] = f"/targets/{year}/{report.results[0].key}/"
    if any(rule.rule == "/search" for rule in app.url_map.iter_rules()):
        found["search"] = "/search?q=" + "政务公开"
    sess.commit()
    return found

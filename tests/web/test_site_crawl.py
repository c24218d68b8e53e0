"""Crawl the demo site as a visitor would: every internal link works, every page passes the checks,
and one page of each kind is valid HTML5 by the Nu HTML Checker (vnu.jar from npm, run with Java)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.demo_snapshot import load_demo

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HREF = re.compile(r'href="([^"#]*)')
# Pages that are not part of the public site's link graph or are not HTML.
SKIP = ("/admin/", "/static/")
MAX_PAGES = 400


def _kind(path: str) -> str:
    """One representative page per URL shape: /policies/<slug>/ → /policies/*/."""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:1] + ["*"] * (len(parts) - 1)) + ("/" if path.endswith("/") else "")


def crawl(client) -> dict[str, str]:  # noqa: ANN001
    """Fetch every public page reachable from the home page; return {path: html} of HTML pages."""
    seen: set[str] = set()
    queue = ["/"]
    pages: dict[str, str] = {}
    broken: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow_redirects=True)
        if response.status_code != 200:
            broken.append(f"{url} → {response.status_code}")
            continue
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[url] = html
        for href in HREF.findall(html):
            target = urlsplit(urljoin(url, href))
            if target.scheme or target.netloc or not target.path.startswith("/"):
                continue
            if target.path.startswith(SKIP):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen and "page=" not in target.query:
                queue.append(link)
    assert not broken, "broken internal links:\n" + "\n".join(broken)
    return pages


def test_every_public_page_of_the_demo_site_works(client, sess):
    report = load_demo(sess)
    assert report.ok, report.errors
    pages = crawl(client)
    assert "/" in pages and "/policies/" in pages
    assert any(p.startswith("/policies/") and p.count("/") == 3 for p in pages), "no document page reached"


# HTML validity is a property of the templates, not of the database: SQLite only (the crawl above runs
# on both backends).
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_one_page_of_each_kind_is_valid_html5(client, sess, tmp_path):
    java = shutil.which("java")
    if not java or not VNU.exists():
        pytest.skip(
            "HTML5 validation needs Java and node_modules/vnu-jar: run `npm ci` (and apt-get install default-jre-headless)"
        )
    load_demo(sess)
    kinds: dict[str, str] = {}
    for path, html in crawl(client).items():
        kinds.setdefault(_kind(path.split("?")[0]) + ("?" if "?" in path else ""), html)
    files = []
    for i, (_kind_name, html) in enumerate(sorted(kinds.items())):
        file = tmp_path / f"page{i:03d}.html"
        file.write_text(html, encoding="utf-8")
        files.append(str(file))
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", *files], capture_output=True, text=True)
    names = {f"page{i:03d}.html": kind for i, kind in enumerate(sorted(kinds))}
    errors = result.stderr.strip()
    for name, kind in names.items():
        errors = errors.replace(name, kind)
    assert result.returncode == 0, f"Nu HTML Checker found errors:\n{errors}"

"""The commands a new user runs first, each on an instance folder that was never migrated, and
``portal serve`` publishing links to the address it serves."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from deploy.local_stack import free_port, stop, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PYTHONPATH=str(ROOT),
        PORTAL_INSTANCE_PATH=str(tmp_path / "instance"),
        PORTAL_SEARCH_INDEX=str(tmp_path / "search_index"),
        PORTAL_CONTENT_DIR=str(ROOT / "content"),
    )
    return env


def _portal(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "portal", *args],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["load"],
        ["index", "--check"],
        ["report", "targets", "--year", "2020"],
        ["freeze", "--out", "site", "--processes", "1"],
    ],
    ids=["load", "index", "report", "freeze"],
)
def test_commands_on_a_database_never_migrated_work_without_a_traceback(tmp_path, args):
    result = _portal(tmp_path, *args)
    assert "Traceback" not in result.stderr, result.stderr
    assert "no such table" not in result.stdout + result.stderr
    if args[0] == "load":
        assert result.returncode == 0, result.stderr
        assert "created" in result.stdout
    elif args[0] == "index":
        assert result.returncode == 0, result.stdout + result.stderr  # an empty database, an empty index
    elif args[0] == "report":
        # Nothing loaded yet: the year's targets are not declared, said in one line.
        assert result.returncode == 1
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    else:
        assert result.returncode == 0, result.stdout + result.stderr
        assert (tmp_path / "site" / "index.html").is_file()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.read().decode("utf-8")


def test_serve_on_another_port_publishes_links_to_that_port(tmp_path):
    port = free_port()
    log = open(tmp_path / "serve.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--port", str(port), "--workers", "1"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        wait_for_port(port, proc, timeout=120)
        base = f"http://127.0.0.1:{port}"
        robots = _get(f"{base}/robots.txt")
        sitemap = _get(f"{base}/sitemap.xml")
        feed = _get(f"{base}/feeds/all.atom")
        home = _get(f"{base}/")
    finally:
        stop(proc)
        log.close()
    assert f"Sitemap: {base}/sitemap.xml" in robots
    assert f"<loc>{base}/" in sitemap
    assert ":8000" not in sitemap + robots + feed
    assert f"{base}/" in feed
    assert re.search(r'<meta name="SiteDomain" content="127\.0\.0\.1">', home), home[:800]

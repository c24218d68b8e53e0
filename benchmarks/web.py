"""The document page under load, side by side: the app under gunicorn (2 sync workers, deploy/gunicorn.conf.py)
with and without the rendered-page cache, and the same page from the static export under nginx
(deploy/nginx.conf). wrk on loopback, 32 connections, 10 seconds each."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.export import make_site
from deploy.local_stack import free_port, start_gunicorn, start_nginx, stop

WRK_MISSING = "wrk is not installed: apt-get install -y wrk"


@dataclass
class LoadFigures:
    label: str
    requests_per_second: float
    p99_ms: float
    errors: int
    requests: int = 0
    server_cpu_ms: float = 0.0  # CPU of the server's processes per request: independent of the machine's load


def group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the live processes of a process group (master and workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, label: str, seconds: int = 10, connections: int = 32, threads: int = 2) -> LoadFigures:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|Socket errors:.*?timeout)\s*:?\s*(\d+)", out)
    )
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return LoadFigures(label, rps, p99, errors, requests)


def wrk_with_cpu(url: str, label: str, pgid: int, seconds: int) -> LoadFigures:
    before = group_cpu(pgid)
    figures = wrk(url, label, seconds)
    figures.server_cpu_ms = (group_cpu(pgid) - before) * 1000 / max(figures.requests, 1)
    return figures


def first_answer(url: str, seconds: float = 120) -> bytes:
    """The page's body once a worker answers: the port opens before the workers have loaded the app,
    which takes several seconds on a loaded machine."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return urllib.request.urlopen(url, timeout=30).read()
        except (TimeoutError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def measure_pages(seeds_dir: Path, documents: int = 1000, seconds: int = 10) -> tuple[list[LoadFigures], int]:
    """([gunicorn cached, gunicorn uncached, nginx static], page size in bytes)."""
    if shutil.which("wrk") is None:
        raise SystemExit(WRK_MISSING)
    from portal.export import freeze

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        work = Path(tmp)
        app = make_site(work, seeds_dir, documents, page_cache_seconds=0)
        nginx_port, app_port = free_port(), free_port()
        app.extensions["settings"]  # noqa: B018
        report = freeze(app, work / "site")
        assert report.ok, report.errors[:3]
        app.extensions["engine"].dispose()
        path = f"/policies/doc-{documents // 2:06d}/"
        env = {
            "PORTAL_INSTANCE_PATH": str(work / "instance"),
            "PORTAL_SECRET_KEY": "bench",
            "PORTAL_SEARCH_INDEX": str(work / "search_index"),
            "PORTAL_BASE_URL": f"http://127.0.0.1:{nginx_port}",
        }
        for label, cache in (
            ("gunicorn -w2 sync, rendered-page cache", "60"),
            ("gunicorn -w2 sync, every request rendered", "0"),
        ):
            proc = start_gunicorn(
                {**env, "PORTAL_PAGE_CACHE_SECONDS": cache}, app_port, workers=2, log=work / "gunicorn.log"
            )
            try:
                url = f"http://127.0.0.1:{app_port}{path}"
                size = len(first_answer(url))
                wrk(url, "warm-up", seconds=2)
                results.append(wrk_with_cpu(url, label, proc.pid, seconds))
            finally:
                stop(proc)
        proc = start_nginx(work / "site", work / "nginx", nginx_port, app_port, workers=2)
        try:
            url = f"http://127.0.0.1:{nginx_port}{path}"
            wrk(url, "warm-up", seconds=2)
            results.append(wrk_with_cpu(url, "nginx -w2, static export", proc.pid, seconds))
        finally:
            stop(proc)
    return results, size

"""Comment durability under load: every acknowledged comment survives a SIGKILL of the server, exactly once.

``python -m benchmarks.durability [--backend sqlite|postgresql|both] [-n 3000] [--concurrency 32]``

1. A fresh database (SQLite file, or a new PostgreSQL database) is migrated and given one open consultation.
2. The portal runs under gunicorn on loopback (2 gthread workers x 8 threads by default: a comment mostly
   waits for its commit to reach the disk, and threads keep several commits in flight at little CPU cost;
   its own process group), as behind one proxy (``PORTAL_TRUSTED_PROXIES=1``): each client thread sends
   its own ``X-Forwarded-For`` address, so the comment throttle (counted from the comment rows,
   ``PORTAL_COMMENT_RATE_LIMIT``) runs on every comment with a limit set high enough never to refuse one.
   The coarse per-process request limit is off (``PORTAL_FORM_REQUEST_LIMIT=off``).
3. Client threads each load the consultation page once (session cookie + CSRF token, as a browser does) and
   then post comments, each with its own text. The idempotency key is the server's: the session and the
   text. A 303 is followed to the receipt page (the code is never in a URL) and the code it shows is
   recorded: that page is the acknowledgement. A connection error or a 5xx on either request is retried by
   posting the same text again, as a citizen pressing submit again would.
4. When half of the comments are acknowledged the whole gunicorn process group is SIGKILLed (requests in
   flight are cut, some after their commit and before their answer), and gunicorn is started again.
5. At the end every acknowledged receipt must be in the database exactly once under its text, no text may
   have two rows or two receipts, and the database must pass its integrity check (SQLite
   ``PRAGMA integrity_check`` and ``foreign_key_check``; PostgreSQL ``amcheck`` on the comment table's
   B-tree indexes, including the unique ones).

:func:`run` returns the figures as a dict; :func:`main` prints them.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.web import group_cpu
from deploy.local_stack import free_port

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SLUG = "bench"


@dataclass
class Figures:
    backend: str
    comments: int
    concurrency: int
    workers: int
    threads: int = 1
    acknowledged: int = 0
    seconds: float = 0.0
    before_kill_acknowledged: int = 0
    before_kill_seconds: float = 0.0
    outage_seconds: float = 0.0
    retries: int = 0
    lost: int = 0
    duplicated: int = 0
    rows: int = 0
    integrity: str = ""
    refused: dict[str, int] = field(default_factory=dict)
    # CPU the gunicorn processes spent per acknowledged comment after the restart, startup excluded
    # (PostgreSQL's processes not included): a figure that does not depend on what else the machine runs.
    server_cpu_ms_per_comment: float = 0.0
    load_average: str = ""

    @property
    def per_second(self) -> float:
        return self.acknowledged / self.seconds if self.seconds else 0.0

    @property
    def per_second_before_kill(self) -> float:
        return self.before_kill_acknowledged / self.before_kill_seconds if self.before_kill_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "per_second": round(self.per_second, 1),
            "per_second_before_kill": round(self.per_second_before_kill, 1),
        }


# -- database ---------------------------------------------------------------------------------------


class _Database:
    def __init__(self, backend: str, workdir: Path, pg_url: str) -> None:
        self.backend = backend
        self._admin_url = pg_url
        if backend == "sqlite":
            self.url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            self._name = ""
        else:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            self._name = f"portal_bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(make_url(pg_url), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self._name}"'))
            admin.dispose()
            self.url = make_url(pg_url).set(database=self._name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self._name:
            from sqlalchemy import create_engine, text

            admin = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)'))
            admin.dispose()


def _prepare(db_url: str, instance: Path) -> None:
    """Migrate and create one consultation open for the next month."""
    from portal import db
    from portal.app import create_app
    from portal.migrations import upgrade
    from portal.models import Agency
    from portal.services import consultations as service
    from portal.services.consultations.rules import local_today

    upgrade(db_url)
    app = create_app({"database_url": db_url, "instance_path": instance, "secret_key": "bench"})
    with app.app_context():
        agency = Agency(slug="bench", name="基准测试部门")
        db.session.add(agency)
        db.session.commit()
        today = local_today()
        service.create_consultation(
            db.session,
            "benchmark",
            service.ConsultationInput(
                title="基准测试征集",
                agency_id=agency.id,
                kind="other",
                opens_on=today - timedelta(days=1),
                closes_on=today + timedelta(days=30),
                draft_md="第一条 测试。\n\n第二条 测试。",
                slug=SLUG,
            ),
        )
        db.remove_session()
    app.extensions["engine"].dispose()


def _check(db_url: str) -> tuple[dict[str, list[str]], str]:
    """Receipts stored per comment text, and the integrity verdict."""
    from sqlalchemy import select, text

    from portal.db import make_engine
    from portal.models import Comment

    engine = make_engine(db_url)
    stored: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for body, code in conn.execute(select(Comment.body, Comment.receipt_code)):
            stored.setdefault(body, []).append(code)
        if engine.dialect.name == "sqlite":
            rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
            fk = conn.execute(text("PRAGMA foreign_key_check")).all()
            verdict = "ok" if rows == ["ok"] and not fk else f"FAILED: {rows[:3]} {fk[:3]}"
        else:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = [
                r[0]
                for r in conn.execute(
                    text(
                        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'consultation_comment'::regclass"
                    )
                )
            ]
            for index in indexes:  # raises if an index is corrupt or a unique index holds duplicates
                conn.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
            conn.commit()
            verdict = f"ok (amcheck bt_index_check on {len(indexes)} indexes)"
    engine.dispose()
    return stored, verdict


# -- server -----------------------------------------------------------------------------------------


class _Server:
    def __init__(self, db_url: str, instance: Path, port: int, workers: int, threads: int = 1) -> None:
        self.port = port
        self.workers = workers
        self.threads = threads
        self.env = {
            **os.environ,
            "PORTAL_DATABASE_URL": db_url,
            "PORTAL_INSTANCE_PATH": str(instance),
            "PORTAL_SECRET_KEY": "bench-secret",
            # Evaluated on every comment, never reached: ~100 comments per client in a few seconds.
            "PORTAL_COMMENT_RATE_LIMIT": "100000 per minute;1000000 per hour",
            "PORTAL_FORM_REQUEST_LIMIT": "off",
            "PORTAL_TRUSTED_PROXIES": "1",
            "PORTAL_PAGE_CACHE_SECONDS": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.proc: subprocess.Popen | None = None
        self.log = (instance / "gunicorn.log").open("ab")

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync" if self.threads == 1 else "gthread",
                "--threads",
                str(self.threads),
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "portal.wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", f"/consultations/{SLUG}/")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log.name}")
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: nothing gets to finish or clean up."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# -- clients ----------------------------------------------------------------------------------------

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_RECEIPT = re.compile(r'class="receipt-code">([^<]+)<')


class _Client(threading.Thread):
    def __init__(
        self,
        port: int,
        jobs: queue.Queue,
        results: dict,
        lock: threading.Lock,
        stats: Figures,
        address: str = "10.0.0.1",
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.jobs, self.results, self.lock, self.stats = port, jobs, results, lock, stats
        self.address = address  # as the proxy in front would report it (X-Forwarded-For)
        self.cookie = ""

    def _request(self, method: str, path: str, body: str = "", headers: dict | None = None):  # noqa: ANN202
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            sent = {"X-Forwarded-For": self.address, "Cookie": self.cookie, **(headers or {})}
            conn.request(method, path, body=body or None, headers=sent)
            response = conn.getresponse()
            data = response.read()
            cookie = response.headers.get("Set-Cookie", "").split(";", 1)[0]
            if cookie:  # the browser keeps the newest session cookie (it holds the receipt to show)
                self.cookie = cookie
            return response.status, response.headers, data
        finally:
            conn.close()

    def _session(self) -> str:
        while True:
            try:
                status, _headers, data = self._request("GET", f"/consultations/{SLUG}/")
                if status == 200:
                    return _TOKEN.search(data.decode()).group(1)
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)

    def _receipt(self) -> str:
        """The code the receipt page shows ("" if the page could not be had)."""
        status, _headers, data = self._request("GET", "/consultations/receipt/")
        found = _RECEIPT.search(data.decode()) if status == 200 else None
        return found.group(1) if found else ""

    def run(self) -> None:
        token = self._session()
        while True:
            try:
                text = self.jobs.get_nowait()
            except queue.Empty:
                return
            body = urllib.parse.urlencode(
                {"csrf_token": token, "body": text, "clause": "", "name": "", "contact": "", "consent": "1"}
            )
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            while True:
                code = ""
                try:
                    status, _headers, _data = self._request(
                        "POST", f"/consultations/{SLUG}/comments", body, headers
                    )
                    if status == 303:
                        code = self._receipt()
                except (OSError, http.client.HTTPException):  # refused, reset, or cut off mid-answer: retry
                    status = 0
                if code:
                    with self.lock:
                        self.results.setdefault(text, set()).add(code)
                    break
                if status and status < 500 and status != 303:
                    with self.lock:
                        self.stats.refused[str(status)] = self.stats.refused.get(str(status), 0) + 1
                    break
                with self.lock:
                    self.stats.retries += 1
                time.sleep(0.05)


# -- the run ----------------------------------------------------------------------------------------


def run(
    backend: str = "sqlite",
    comments: int = 3000,
    concurrency: int = 32,
    workers: int = 2,
    pg_url: str = DEFAULT_PG,
    kill_at: float = 0.5,
    threads: int = 8,
) -> dict[str, Any]:
    """Run the benchmark once on ``backend`` and return its figures."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-durability-"))
    instance = workdir / "instance"
    instance.mkdir()
    database = _Database(backend, workdir, pg_url)
    stats = Figures(
        backend=backend, comments=comments, concurrency=concurrency, workers=workers, threads=threads
    )
    server = _Server(database.url, instance, free_port(), workers, threads)
    try:
        _prepare(database.url, instance)
        server.start()
        jobs: queue.Queue = queue.Queue()
        run_id = secrets.token_hex(4)
        texts = [f"基准测试意见第{index}号（{run_id}）" for index in range(comments)]
        for text in texts:
            jobs.put(text)
        results: dict[str, set[str]] = {}
        lock = threading.Lock()
        clients = [
            _Client(server.port, jobs, results, lock, stats, address=f"10.{i // 250}.{i % 250}.7")
            for i in range(concurrency)
        ]
        started = time.monotonic()
        for client in clients:
            client.start()
        threshold = int(comments * kill_at)
        while len(results) < threshold and any(c.is_alive() for c in clients):
            time.sleep(0.002)
        stats.before_kill_acknowledged = len(results)
        stats.before_kill_seconds = time.monotonic() - started
        killed_at = time.monotonic()
        server.kill()
        acked_at_kill = len(results)
        server.start()
        cpu_before, acked_at_restart = group_cpu(server.proc.pid), len(results)
        while len(results) == acked_at_kill and any(c.is_alive() for c in clients):
            time.sleep(0.002)
        stats.outage_seconds = time.monotonic() - killed_at
        for client in clients:
            client.join()
        stats.seconds = time.monotonic() - started
        after_restart = len(results) - acked_at_restart
        if after_restart:
            cpu = group_cpu(server.proc.pid) - cpu_before
            stats.server_cpu_ms_per_comment = round(cpu * 1000 / after_restart, 2)
        server.stop()
        stats.load_average = " ".join(f"{x:.1f}" for x in os.getloadavg())

        stored, stats.integrity = _check(database.url)
        stats.acknowledged = len(results)
        stats.rows = sum(len(codes) for codes in stored.values())
        for text, codes in results.items():
            in_db = stored.get(text, [])
            if not set(codes) & set(in_db):
                stats.lost += 1
            if len(codes) > 1:  # the same comment acknowledged with two different receipts
                stats.duplicated += len(codes) - 1
        stats.duplicated += sum(len(codes) - 1 for codes in stored.values() if len(codes) > 1)
        submitted = set(texts)
        stats.duplicated += sum(len(codes) for text, codes in stored.items() if text not in submitted)
        return stats.as_dict()
    finally:
        server.stop()
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def run_all(backends: tuple[str, ...] = ("sqlite", "postgresql"), **options: Any) -> list[dict[str, Any]]:
    """Figures for each backend, for ``python -m benchmarks``."""
    return [run(backend, **options) for backend in backends]


def format_figures(figures: dict[str, Any]) -> str:
    f = figures
    return (
        f"{f['backend']:<10} {f['acknowledged']:>5}/{f['comments']} acknowledged in {f['seconds']:.1f} s "
        f"= {f['per_second']:.0f}/s overall, {f['per_second_before_kill']:.0f}/s before the kill; "
        f"outage {f['outage_seconds']:.1f} s, {f['retries']} retries; "
        f"lost {f['lost']}, duplicated {f['duplicated']}, rows {f['rows']}; integrity {f['integrity']}; "
        f"server CPU {f['server_cpu_ms_per_comment']} ms/comment; load average {f['load_average']}"
        + (f"; refused {f['refused']}" if f["refused"] else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("-n", "--comments", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=8, help="threads per worker (gthread; 1: sync workers)"
    )
    parser.add_argument("--pg-url", default=os.environ.get("PORTAL_BENCH_PG_URL", DEFAULT_PG))
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    ok = True
    for backend in backends:
        figures = run(
            backend,
            comments=args.comments,
            concurrency=args.concurrency,
            workers=args.workers,
            pg_url=args.pg_url,
            threads=args.threads,
        )
        print(format_figures(figures), flush=True)
        ok = (
            ok
            and figures["lost"] == 0
            and figures["duplicated"] == 0
            and figures["integrity"].startswith("ok")
        )
        ok = ok and figures["acknowledged"] == figures["comments"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

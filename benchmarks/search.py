"""Search benchmark: build throughput, index size, query latency, recall and the search page under wrk.

    python -m benchmarks.search                 # N = 1,000, 10,000 and 50,000, both backends
    python -m benchmarks.search -n 1000         # a quick run
    python -m benchmarks.search -n 10000 --backend whoosh --no-web

The corpus is ``benchmarks.corpus`` (documents recombined from the seed texts, every fifth with a Q&A
interpretation; deterministic). The 200 queries are drawn deterministically from the same texts: 60 single
words, 40 pairs of words, 40 phrases, 20 文号 and 40 of those again with a year filter; each is timed
through the backend's ``search`` (matching, total, facet counts and the top 20), once to warm up, then
measured. Wall time is what a user waits on this machine; CPU time is the work, which is what the figures
mean on a machine that is not shared (the load average is printed with the run). Recall compares the
complete result set of 20 queries with a literal substring scan of every item's text.

``measure(n, backend)`` returns the figures as data for ``python -m benchmarks``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.corpus import build_corpus
from benchmarks.seeds import find_seeds
from deploy.local_stack import free_port

RECALL_WORDS = [
    "预公开",
    "政务新媒体",
    "僵尸留言板",
    "问责",
    "一网通办",
    "政务公开",
    "形式主义",
    "基层减负",
    "考核",
    "督查检查",
    "转作风",
    "营商环境",
    "12345",
    "常务会议",
    "依申请公开",
]
PG_ADMIN_URL = os.environ.get("PORTAL_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


@dataclass
class SearchFigures:
    backend: str
    documents: int  # documents in the corpus
    items: int  # indexed items (documents, interpretations)
    build_seconds: float
    build_docs_per_s: float
    index_mb: float
    raw_text_mb: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    cpu_p99_ms: float
    year_p95_ms: float  # the 40 queries with a year filter
    cold_p50_ms: float  # the first pass over the queries (nothing cached), wall
    cold_p95_ms: float
    recall_queries: int
    recall_missed: int
    recall_over: int
    server_cpu_p50_ms: float | None = None  # postgres: CPU of the server process answering, when it is local
    server_cpu_p95_ms: float | None = None
    page_cpu_ms: float = 0.0  # one /search page rendered in-process (Flask test client), warm, mean
    page_wall_ms: float = 0.0
    page_rps: float | None = None  # /search under wrk, page cache off
    page_p99_ms: float | None = None
    page_cached_rps: float | None = None  # as deployed (rendered-page cache on)
    load_average: float = 0.0
    notes: list[str] = field(default_factory=list)


# -- queries ----------------------------------------------------------------------------------------


def make_queries(
    texts: list[str], doc_numbers: list[str], seed: int = 3
) -> list[tuple[str, str, dict[str, str]]]:
    """200 (kind, query text, filters): words, two words, phrases, 文号, and some of them with a year."""
    rng = random.Random(seed)
    runs = [run for text in texts[:2000] for run in _CJK_RUN.findall(text) if len(run) >= 6]

    def word() -> str:
        run = rng.choice(runs)
        size = rng.choice([2, 2, 3, 4])
        start = rng.randrange(0, len(run) - size + 1)
        return run[start : start + size]

    def phrase() -> str:
        run = rng.choice([r for r in runs if len(r) >= 8] or runs)
        size = rng.randint(5, min(10, len(run)))
        start = rng.randrange(0, len(run) - size + 1)
        return run[start : start + size]

    queries = [("word", word(), {}) for _ in range(60)]
    queries += [("two words", f"{word()} {word()}", {}) for _ in range(40)]
    queries += [("phrase", phrase(), {}) for _ in range(40)]
    queries += [("文号", rng.choice(doc_numbers), {}) for _ in range(20)]
    queries += [
        (f"{kind}+year", q, {"year": str(rng.randint(2018, 2023))}) for kind, q, _ in rng.sample(queries, 40)
    ]
    return queries


def _search_paths(queries: list[tuple[str, str, dict[str, str]]]) -> list[str]:
    from urllib.parse import urlencode

    # 文号 queries are left out: the page answers them with a redirect, not a search.
    return [f"/search?{urlencode({'q': q, **f})}" for kind, q, f in queries if kind != "文号"]


def page_cost(app, queries: list[tuple[str, str, dict[str, str]]]) -> tuple[float, float]:  # noqa: ANN001
    """(CPU ms, wall ms) per /search page rendered in-process, mean over the queries, warm."""
    client = app.test_client()
    paths = _search_paths(queries)
    for path in paths:
        client.get(path)
    cpu, wall = time.process_time(), time.perf_counter()
    for path in paths:
        assert client.get(path).status_code == 200
    return ((time.process_time() - cpu) * 1000 / len(paths), (time.perf_counter() - wall) * 1000 / len(paths))


def _children_cpu() -> float:
    """CPU seconds of finished child processes (the index build's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# -- sites ------------------------------------------------------------------------------------------


def _make_app(workdir: Path, backend: str, database_url: str):  # noqa: ANN202
    import portal.models  # noqa: F401
    from portal.app import create_app
    from portal.db import Base

    app = create_app(
        {
            "instance_path": workdir / "instance",
            "search_index": workdir / "search_index",
            "secret_key": "bench",
            "database_url": database_url,
            "search_backend": backend,
            "page_cache_seconds": 0,
        }
    )
    Base.metadata.create_all(app.extensions["engine"])
    return app


def _postgres_database() -> tuple[str, callable]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"portal_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


# -- the search page under wrk ----------------------------------------------------------------------


def wrk_search_page(
    workdir: Path,
    env: dict[str, str],
    queries: list[tuple[str, str, dict[str, str]]],
    seconds: int = 10,
    connections: int = 32,
    warmup: int = 20,
) -> tuple[float, float] | None:
    """(requests/s, p99 ms) of /search cycling through ``queries``, 2 sync gunicorn workers; None without wrk."""
    if not shutil.which("wrk"):
        return None
    port = free_port()
    paths = _search_paths(queries)
    script = workdir / "paths.lua"
    script.write_text(
        "paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
        "counter = 0\n"
        "request = function()\n  counter = counter + 1\n"
        "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n",
        "utf-8",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "portal.wsgi:app",
        ],
        env={**os.environ, **env, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        # Warm both workers before measuring: cached searcher, facet arrays and the postings of every query
        # (the first pass reads them from the index; its cost is the benchmark's "first pass" column).
        subprocess.run(
            ["wrk", "-t2", "-c4", f"-d{warmup}s", "-s", str(script), f"http://127.0.0.1:{port}"],
            capture_output=True,
            check=False,
        )
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99[2]] if p99 else 0
    return rps, float(p99[1]) * scale if p99 else float("nan")


# -- one measurement --------------------------------------------------------------------------------


def measure(
    n: int, backend: str = "whoosh", web: bool = True, seeds_dir: Path | None = None
) -> SearchFigures:
    """Build an n-document corpus and its index on ``backend`` (whoosh | postgres) and measure it."""
    from sqlalchemy.orm import Session

    from portal import db, search
    from portal.search.base import SearchRequest
    from portal.search.text import parse_query

    seeds_dir = seeds_dir or find_seeds()
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-search-{backend}-"))
    drop = None
    if backend == "postgres":
        database_url, drop = _postgres_database()
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    try:
        app = _make_app(workdir, backend, database_url)
        with app.app_context():
            build_corpus(db.session, seeds_dir, n)
            db.remove_session()
        engine = app.extensions["engine"]
        if backend == "postgres":
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        with Session(engine) as sess:
            docs = list(search.all_docs(sess))
        texts = {d.key: "\n".join([d.title, d.doc_number, d.questions, d.body]) for d in docs}
        raw_bytes = sum(len(t.encode("utf-8")) for t in texts.values())
        index = search.get_backend(app)

        started, cpu, workers = time.perf_counter(), time.process_time(), _children_cpu()
        stats = index.rebuild(iter(docs))
        build_seconds = time.perf_counter() - started
        notes = [
            f"build CPU {time.process_time() - cpu:.1f} s in this process + "
            f"{_children_cpu() - workers:.1f} s in worker processes"
        ]

        queries = make_queries(list(texts.values()), sorted({d.doc_number for d in docs if d.doc_number}))
        requests = [SearchRequest(parse_query(q), filters=f) for _k, q, f in queries]
        cold = []
        for request in requests:  # warm: cached searcher, facet arrays, postings, PostgreSQL buffers
            t0 = time.perf_counter()
            index.search(request)
            cold.append((time.perf_counter() - t0) * 1000)
        wall, cpu_times, year, server = [], [], [], []
        server_cpu = _server_cpu_clock(engine) if backend == "postgres" else None
        for (kind, _q, _f), request in zip(queries, requests, strict=True):
            t0, c0 = time.perf_counter(), time.process_time()
            s0 = server_cpu() if server_cpu else 0
            index.search(request)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu_times.append((time.process_time() - c0) * 1000)
            if server_cpu:
                server.append((server_cpu() - s0) / 1e6)
            if kind.endswith("+year"):
                year.append(wall[-1])

        cache = getattr(index, "_cache", None)
        if cache is not None:  # memory: what the warm queries keep, and this process's resident size
            notes.append(f"postings cache {cache.size / 1e6:.0f} MB used of {cache.budget / 1e6:.0f} MB")
        notes.append(f"RSS {_rss_mb():.0f} MB after the queries")

        missed = over = 0
        recall = [w for w in RECALL_WORDS if any(w in t for t in texts.values())]
        for word in recall:
            expected = {k for k, t in texts.items() if word in t}
            result = index.search(SearchRequest(parse_query(word), limit=len(texts)))
            found = {f"{h.type}:{h.id}" for h in result.hits}
            missed += len(expected - found)
            over += len(found - expected)

        figures = SearchFigures(
            backend=backend,
            documents=n,
            items=len(docs),
            build_seconds=build_seconds,
            build_docs_per_s=len(docs) / build_seconds,
            index_mb=stats.size_bytes / 1e6,
            raw_text_mb=raw_bytes / 1e6,
            p50_ms=_percentile(wall, 50),
            p95_ms=_percentile(wall, 95),
            p99_ms=_percentile(wall, 99),
            cpu_p50_ms=_percentile(cpu_times, 50),
            cpu_p95_ms=_percentile(cpu_times, 95),
            cpu_p99_ms=_percentile(cpu_times, 99),
            year_p95_ms=_percentile(year, 95),
            cold_p50_ms=_percentile(cold, 50),
            cold_p95_ms=_percentile(cold, 95),
            recall_queries=len(recall),
            recall_missed=missed,
            recall_over=over,
            load_average=os.getloadavg()[0],
            notes=notes,
        )
        if server:
            figures.server_cpu_p50_ms, figures.server_cpu_p95_ms = (
                _percentile(server, 50),
                _percentile(server, 95),
            )
        figures.page_cpu_ms, figures.page_wall_ms = page_cost(app, queries)
        if web:
            env = {
                "PORTAL_DATABASE_URL": database_url,
                "PORTAL_SEARCH_BACKEND": backend,
                "PORTAL_SEARCH_INDEX": str(workdir / "search_index"),
                "PORTAL_INSTANCE_PATH": str(workdir / "instance"),
                "PORTAL_SECRET_KEY": "bench",
            }
            measured = wrk_search_page(workdir, {**env, "PORTAL_PAGE_CACHE_SECONDS": "0"}, queries)
            if measured:
                figures.page_rps, figures.page_p99_ms = measured
                cached = wrk_search_page(workdir, env, queries)
                figures.page_cached_rps = cached[0] if cached else None
            else:
                figures.notes.append("wrk not installed: apt-get install -y wrk")
        engine.dispose()
        search.get_backend(app).close() if hasattr(search.get_backend(app), "close") else None
        return figures
    finally:
        if drop:
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


def _server_cpu_clock(engine):  # noqa: ANN001, ANN202
    """A clock of the CPU nanoseconds used by the PostgreSQL server processes connected to the benchmark's
    database (this process's pool alone: the database is its own), read from /proc: None when the server
    is not on this machine. On a shared machine the wall time of a query waits for a CPU; this is the work.
    """
    with engine.connect() as conn:
        sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        stats = [Path(f"/proc/{pid}/schedstat") for pid in conn.exec_driver_sql(sql).scalars()]
    if not stats or not all(stat.exists() for stat in stats):
        return None

    def clock() -> int:
        return sum(int(stat.read_text().split()[0]) for stat in stats if stat.exists())

    return clock


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(sizes: list[int], backends: list[str], web: bool = True) -> list[SearchFigures]:
    return [measure(n, backend, web=web) for n in sizes for backend in backends]


def print_table(rows: list[SearchFigures]) -> None:
    def fmt(value: float | None, spec: str = ".0f") -> str:
        return "–" if value is None else format(value, spec)

    def server(r: SearchFigures) -> str:
        if r.server_cpu_p95_ms is None:
            return ""
        return f" (server {r.server_cpu_p50_ms:.1f} / {r.server_cpu_p95_ms:.1f})"

    print(
        "| backend | N docs (items) | build items/s | index MB (raw text MB) | p50 / p95 / p99 ms wall "
        "| p50 / p95 / p99 ms CPU | p95 ms with year | first pass p50 / p95 ms | recall (queries: missed / over) "
        "| page CPU ms | /search req/s (p99 ms) | req/s page cache on | load avg |"
    )
    print("|---|---:|---:|---:|---|---|---:|---|---|---:|---|---:|---:|")
    for r in rows:
        print(
            f"| {r.backend} | {r.documents:,} ({r.items:,}) | {r.build_docs_per_s:.0f} "
            f"| {r.index_mb:.1f} ({r.raw_text_mb:.1f}) | {r.p50_ms:.1f} / {r.p95_ms:.1f} / {r.p99_ms:.1f} "
            f"| {r.cpu_p50_ms:.1f} / {r.cpu_p95_ms:.1f} / {r.cpu_p99_ms:.1f}{server(r)} | {r.year_p95_ms:.1f} "
            f"| {r.cold_p50_ms:.1f} / {r.cold_p95_ms:.1f} "
            f"| {r.recall_queries}: {r.recall_missed} / {r.recall_over} | {r.page_cpu_ms:.1f} "
            f"| {fmt(r.page_rps)} ({fmt(r.page_p99_ms)}) | {fmt(r.page_cached_rps)} | {r.load_average:.1f} |"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-n",
        "--documents",
        type=int,
        action="append",
        help="corpus size (repeatable; default 1000, 10000 and 50000)",
    )
    parser.add_argument(
        "--backend",
        choices=["whoosh", "postgres"],
        action="append",
        help="backend (repeatable; default both)",
    )
    parser.add_argument("--no-web", action="store_true", help="skip the search page under wrk")
    args = parser.parse_args(argv)
    rows = []
    for n in args.documents or [1000, 10000, 50000]:
        for backend in args.backend or ["whoosh", "postgres"]:
            rows.append(measure(n, backend, web=not args.no_web))
            print(asdict(rows[-1]), file=sys.stderr, flush=True)
    print_table(rows)


if __name__ == "__main__":
    main()

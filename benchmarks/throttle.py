"""What the comment throttle costs per comment: ``python -m benchmarks.throttle [--backend sqlite|postgresql|both]``.

The throttle (``PORTAL_COMMENT_RATE_LIMIT``, counted from the comment rows) adds, inside the transaction
that stores a comment, one round trip: on PostgreSQL one call of a function that locks the sender and
then reads its recent rows (``portal.models.throttle_functions``), on SQLite one count.
This measures exactly that, on a table of ``--rows`` comments from ``--senders`` senders
received over the last hour (so that many senders have rows inside the windows), for ``-n`` comments of
senders drawn at random, each inserted, counted and rolled back. It prints the median, p99 and mean in ms.

Wall times on a shared machine mostly measure its load (each round trip waits for the server process to be
scheduled), so it also prints CPU times, which load hardly changes: this process's, and on PostgreSQL the
server backend's (read from ``/proc/<pid>/schedstat`` when the server runs on this machine). Their sum is
what a comment costs; on an idle machine the wall time is that plus one loopback round trip.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.durability import DEFAULT_PG, _Database, _prepare

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

LIMIT = "5 per minute;30 per hour"


def run(backend: str = "sqlite", rows: int = 100_000, senders: int = 5_000, comments: int = 2_000) -> dict:
    from sqlalchemy import insert, select, text
    from sqlalchemy.orm import Session

    from portal.db import make_engine
    from portal.models import Comment, Consultation
    from portal.services import consultations as service
    from portal.services import throttles
    from portal.services.consultations import commenting

    workdir = Path(tempfile.mkdtemp(prefix="bench-throttle-"))
    database = _Database(backend, workdir, os.environ.get("PORTAL_BENCH_PG_URL", DEFAULT_PG))
    try:
        (workdir / "instance").mkdir()
        _prepare(database.url, workdir / "instance")
        engine = make_engine(database.url)
        hashes = [
            service.sender_hash("bench", f"10.{i // 250 % 250}.{i % 250}.{i // 62500}")
            for i in range(senders)
        ]
        now = datetime.now(UTC)
        with Session(engine) as sess:
            consultation_id = sess.scalar(select(Consultation.id))
            batch = []
            for i in range(rows):
                batch.append(
                    {
                        "consultation_id": consultation_id,
                        "body": "意见",
                        "receipt_code": f"B{i:09d}",
                        "idempotency_key": f"bench-{i:012d}-xxxxxx",
                        "sender_hash": random.choice(hashes),
                        "received_at": now - timedelta(seconds=random.uniform(0, 3600)),
                    }
                )
                if len(batch) == 5000:
                    sess.execute(insert(Comment), batch)
                    batch = []
            if batch:
                sess.execute(insert(Comment), batch)
            sess.commit()
        windows = throttles.parse_windows(LIMIT)
        timings: list[float] = []
        # This process's CPU: all of the throttle's for SQLite (in-process), the client side for PostgreSQL.
        cpu: list[float] = []
        refused = 0
        with Session(engine) as sess:
            if backend == "postgresql":
                sess.execute(text("ANALYZE consultation_comment"))
                sess.commit()
            backend_cpu = _BackendCpu(sess) if backend == "postgresql" else None
            server: list[float] = []
            for i in range(comments):
                sender = random.choice(hashes)
                sess.add(
                    Comment(
                        consultation_id=consultation_id,
                        body="新意见",
                        receipt_code=f"N{i:09d}",
                        idempotency_key=secrets.token_urlsafe(24),
                        sender_hash=sender,
                        received_at=datetime.now(UTC),
                    )
                )
                sess.flush()
                server_started = backend_cpu.ns() if backend_cpu else 0
                started, cpu_started = time.perf_counter(), time.thread_time()
                # What the throttle adds to a submission: lock (PostgreSQL) and count in one round trip, compare.
                try:
                    commenting._check_throttle(sess, sender, windows, now)  # noqa: SLF001
                except service.ConsultationError:
                    refused += 1  # a sender over the limit: counted, refused, rolled back
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - cpu_started) * 1000)
                if backend_cpu:
                    server.append((backend_cpu.ns() - server_started) / 1e6)
                sess.rollback()
        engine.dispose()
        timings.sort()
        return {
            "backend": backend,
            "rows": rows,
            "senders": senders,
            "comments": comments,
            "median_ms": round(statistics.median(timings), 3),
            "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 3),
            "mean_ms": round(statistics.fmean(timings), 3),
            "cpu_median_ms": round(statistics.median(cpu), 3),
            "cpu_mean_ms": round(statistics.fmean(cpu), 3),
            "refused": refused,
            "server_cpu_median_ms": round(statistics.median(server), 3) if server else None,
            "server_cpu_mean_ms": round(statistics.fmean(server), 3) if server else None,
            "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        }
    finally:
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


class _BackendCpu:
    """CPU time of the PostgreSQL backend serving ``sess`` (nanoseconds on a CPU, from the kernel's
    schedstat), when that server runs on this machine; falsy otherwise."""

    def __init__(self, sess: Session) -> None:
        from sqlalchemy import text

        pid = sess.scalar(text("SELECT pg_backend_pid()"))
        self.path = Path(f"/proc/{pid}/schedstat")

    def __bool__(self) -> bool:
        return self.path.is_file()

    def ns(self) -> int:
        return int(self.path.read_text().split()[0])


def format_figures(f: dict) -> str:
    return (
        f"{f['backend']:<10} comment throttle ({LIMIT}) on {f['rows']:,} comments from {f['senders']:,} "
        f"senders: wall median {f['median_ms']} ms, p99 {f['p99_ms']} ms, mean {f['mean_ms']} ms; "
        f"CPU of this process median {f['cpu_median_ms']} ms, mean {f['cpu_mean_ms']} ms per comment "
        f"({f['comments']:,} comments, {f['refused']} of them over the limit; load average {f['load_average']})"
        + (
            f"; PostgreSQL backend CPU median {f['server_cpu_median_ms']} ms, mean {f['server_cpu_mean_ms']} ms"
            if f.get("server_cpu_median_ms") is not None
            else ""
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--senders", type=int, default=5_000)
    parser.add_argument("-n", "--comments", type=int, default=2_000)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    ok = True
    for backend in backends:
        figures = run(backend, args.rows, args.senders, args.comments)
        print(format_figures(figures), flush=True)
        ok = ok and figures["median_ms"] < 1.0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""``python -m benchmarks``: every figure of the performance suite, measured side by side in one run.

Prints one table: the document page under gunicorn (with and without the rendered-page cache) against the
same page from the static export under nginx, the export throughput for 1,000 and 10,000 documents, the
/data/ bulk files' build (CPU and statements, demo and 5,000 documents), search
at 50,000 documents on both backends side by side, and comment durability.
Options: ``--quick`` (fewer documents, shorter wrk runs) for a smoke test.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.seeds import find_seeds

Row = tuple[str, str, str, str]  # (what, figure, target, anchor)


def _machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor(),
    )
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in meminfo if line.startswith("MemTotal")), 0)
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem} GiB, Python {platform.python_version()}, "
        f"load average before the run {os.getloadavg()[0]:.1f}"
    )


def web_rows(quick: bool) -> list[Row]:
    from benchmarks.web import measure_pages

    figures, size = measure_pages(find_seeds(), documents=200 if quick else 1000, seconds=3 if quick else 10)
    rows = []
    for f in figures:
        target = "≥ 1,500 req/s, p99 < 30 ms" if f.label.startswith("gunicorn") else ""
        anchor = (
            "2,450 req/s, p99 16 ms (minimal page)"
            if f.label.startswith("gunicorn")
            else "85,000 req/s, p99 4.3 ms"
        )
        errors = f", {f.errors} errors" if f.errors else ""
        # A worker recycled during the run (max_requests) takes its CPU with it: then there is no figure.
        cpu = (
            f"server CPU {f.server_cpu_ms:.2f} ms/request (≈ {2000 / f.server_cpu_ms:,.0f} req/s on 2 idle cores)"
            if f.server_cpu_ms > 0
            else "server CPU n/a (a worker was recycled during the run)"
        )
        rows.append(
            (
                f"document page ({size / 1024:.0f} KB), {f.label}",
                f"{f.requests_per_second:,.0f} req/s, p99 {f.p99_ms:.1f} ms{errors}; {cpu}",
                target,
                anchor,
            )
        )
    return rows


def export_rows(quick: bool) -> list[Row]:
    from benchmarks.export import measure_export

    rows = []
    for n in (200,) if quick else (1000, 10000):
        f = measure_export(find_seeds(), n)
        rows.append(
            (
                f"export, {n:,} documents ({f.pages:,} pages)",
                f"{f.pages_per_second:,.0f} pages/s ({f.seconds:.1f} s, {f.processes} processes); "
                f"CPU {f.cpu_seconds:.1f} s = {f.pages / max(f.cpu_seconds, 1e-9):,.0f} pages per CPU-second",
                "≥ 1,000 pages/s",
                "Jinja2 3,500 / Frozen-Flask 1,250 pages/s",
            )
        )
        rows.append(
            (
                f"re-export after one publication, {n:,} documents",
                f"{f.rewrite_rendered:,} pages in {f.rewrite_seconds:.1f} s = {f.rewrite_pages_per_second:,.0f} "
                f"pages/s; {f.rewrite_pages:,} files rewritten",
                "only changed pages",
                "",
            )
        )
    return rows


def bulk_rows(quick: bool) -> list[Row]:
    from benchmarks.bulk import measure

    rows = []
    for corpus in ("demo", "200") if quick else ("demo", "5000"):
        f = measure(corpus)
        rows.append(
            (
                f"/data/ bulk files, {f.corpus} ({f.documents:,} documents, {f.interpretations:,} interpretations)",
                f"{f.files} files in {f.cpu_seconds:.2f} s CPU, {f.statements:,} statements; one API record: "
                f"document {f.api_document_statements}, interpretation {f.api_interpretation_statements} statements",
                "statements independent of N",
                "before the page builders: 3.40 s CPU, 1,174 statements" if corpus == "5000" else "",
            )
        )
    return rows


def search_rows(quick: bool) -> list[Row]:
    """The search benchmark's figures (benchmarks/search.py) at 50,000 documents, both backends side by side
    (PostgreSQL at ``PORTAL_BENCH_PG_URL``; a note instead when it is not reachable)."""
    from benchmarks import search

    n = 200 if quick else 50_000
    rows: list[Row] = []
    for backend in ("whoosh", "postgres"):
        try:
            f = search.measure(n, backend, web=not quick)
        except Exception as error:  # noqa: BLE001 - a missing PostgreSQL must not lose the other figures
            if backend != "postgres":
                raise
            rows.append((f"search, {n:,} documents, postgres", f"not measured: {error}"[:200], "", ""))
            continue
        name = f"{backend} (default)" if backend == "whoosh" else backend
        server = (
            f"; server CPU p50 {f.server_cpu_p50_ms:.1f} / p95 {f.server_cpu_p95_ms:.1f}"
            if f.server_cpu_p95_ms is not None
            else ""
        )
        notes = "; ".join(f.notes)
        rows += [
            (
                f"search latency, {f.documents:,} documents ({f.items:,} items), {name}, 200-query mix",
                f"p50 {f.p50_ms:.1f} / p95 {f.p95_ms:.1f} / p99 {f.p99_ms:.1f} ms wall "
                f"(CPU {f.cpu_p50_ms:.1f} / {f.cpu_p95_ms:.1f} / {f.cpu_p99_ms:.1f}{server}); with a year p95 "
                f"{f.year_p95_ms:.1f}; first pass p50 {f.cold_p50_ms:.1f} / p95 {f.cold_p95_ms:.1f} ms; "
                f"load average {f.load_average:.1f}",
                "p95 < 50 ms (50k)",
                "whoosh-bigram 49.7 / 315 / 426 ms (10k)",
            ),
            (
                f"search index build, {f.items:,} items, {backend}",
                f"{f.build_docs_per_s:,.0f} items/s, {f.index_mb:,.0f} MB for {f.raw_text_mb:,.0f} MB of text; {notes}",
                "≥ 800 docs/s",
                "whoosh 55 docs/s",
            ),
            (
                f"search recall, {backend}, {f.recall_queries} queries vs substring scan",
                f"{f.recall_missed} missed, {f.recall_over} over",
                "0 missed",
                "",
            ),
        ]
        if f.page_rps is not None:
            cached = f", {f.page_cached_rps:,.0f} req/s with the page cache" if f.page_cached_rps else ""
            rows.append(
                (
                    f"/search page, {backend}, gunicorn, 32 connections",
                    f"{f.page_rps:,.0f} req/s, p99 {f.page_p99_ms:.0f} ms{cached}",
                    "≥ 300 req/s",
                    "382 req/s (fts5-bigram, gthread)",
                )
            )
    return rows


def durability_rows(quick: bool) -> list[Row]:
    """The comment durability figures (benchmarks/durability.py): gunicorn SIGKILLed mid-run."""
    from benchmarks import durability

    rows = []
    backends = ("sqlite",) if quick else ("sqlite", "postgresql")
    for f in durability.run_all(backends, comments=300 if quick else 1000):
        rows.append(
            (
                f"comment durability, {f['backend']}, {f['comments']:,} comments, kill -9 at half",
                f"{f['acknowledged']:,} acknowledged, {f['per_second']:.0f}/s; lost {f['lost']}, "
                f"duplicated {f['duplicated']}; integrity {f['integrity']}",
                "0 lost, 0 duplicated",
                "",
            )
        )
    return rows


def module_rows(name: str, quick: bool) -> list[Row]:
    """Another area's figures, or a note when its benchmark is not in this checkout."""
    try:
        importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError:
        return [(f"{name} benchmark", "not present in this checkout", "", "")]
    return {"search": search_rows, "durability": durability_rows}[name](quick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["web", "export", "bulk", "search", "durability"], action="append")
    args = parser.parse_args()
    started = time.time()
    machine = _machine()
    sections = {
        "web": lambda: web_rows(args.quick),
        "export": lambda: export_rows(args.quick),
        "bulk": lambda: bulk_rows(args.quick),
        "search": lambda: module_rows("search", args.quick),
        "durability": lambda: module_rows("durability", args.quick),
    }
    rows: list[Row] = []
    for name, run in sections.items():
        if args.only and name not in args.only:
            continue
        print(f"… {name}", file=sys.stderr, flush=True)
        rows += run()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"\nMachine: {machine}")
    print(
        f"Command: python -m benchmarks{' --quick' if args.quick else ''} (commit {commit or '?'}, "
        f"{time.time() - started:.0f} s)\n"
    )
    print("| measurement | figure | target | anchor |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()

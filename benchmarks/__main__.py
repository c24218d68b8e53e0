"""``python -m benchmarks``: every figure of the performance suite, measured side by side in one run.

Prints one table: the document page under gunicorn (with and without the rendered-page cache) against the
same page from the static export under nginx, the export throughput for 1,000 and 10,000 documents, and
the figures of the search and comment-durability benchmarks when those modules are present.
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
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
               platform.processor())
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in meminfo if line.startswith("MemTotal")), 0)
    return (f"{os.cpu_count()} cores ({cpu}), {mem} GiB, Python {platform.python_version()}, "
            f"load average before the run {os.getloadavg()[0]:.1f}")


def web_rows(quick: bool) -> list[Row]:
    from benchmarks.web import measure_pages

    figures, size = measure_pages(find_seeds(), documents=200 if quick else 1000, seconds=3 if quick else 10)
    rows = []
    for f in figures:
        target = "≥ 1,500 req/s, p99 < 30 ms" if f.label.startswith("gunicorn") else ""
        anchor = "2,450 req/s, p99 16 ms (minimal page)" if f.label.startswith("gunicorn") else "85,000 req/s, p99 4.3 ms"
        errors = f", {f.errors} errors" if f.errors else ""
        rows.append((f"document page ({size / 1024:.0f} KB), {f.label}",
                     f"{f.requests_per_second:,.0f} req/s, p99 {f.p99_ms:.1f} ms{errors}", target, anchor))
    return rows


def export_rows(quick: bool) -> list[Row]:
    from benchmarks.export import measure_export

    rows = []
    for n in (200,) if quick else (1000, 10000):
        f = measure_export(find_seeds(), n)
        rows.append((f"export, {n:,} documents ({f.pages:,} pages)",
                     f"{f.pages_per_second:,.0f} pages/s ({f.seconds:.1f} s)", "≥ 1,000 pages/s",
                     "Jinja2 3,500 / Frozen-Flask 1,250 pages/s"))
        rows.append((f"re-export after one publication, {n:,} documents",
                     f"{f.rewrite_pages:,} files rewritten in {f.rewrite_seconds:.1f} s", "only changed pages", ""))
    return rows


def module_rows(name: str, quick: bool) -> list[Row]:
    """Rows from another area's benchmark: ``benchmarks.<name>.table_rows(quick=...)`` when it exists."""
    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError:
        return [(f"{name} benchmark", "not present in this checkout", "", "")]
    rows_of = getattr(module, "table_rows", None)
    if rows_of is None:
        return [(f"{name} benchmark", f"run `python -m benchmarks.{name}` (no table_rows())", "", "")]
    return [tuple(str(c) for c in (*row, "", "", ""))[:4] for row in rows_of(quick=quick)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["web", "export", "search", "durability"], action="append")
    args = parser.parse_args()
    started = time.time()
    machine = _machine()
    sections = {"web": lambda: web_rows(args.quick), "export": lambda: export_rows(args.quick),
                "search": lambda: module_rows("search", args.quick),
                "durability": lambda: module_rows("durability", args.quick)}
    rows: list[Row] = []
    for name, run in sections.items():
        if args.only and name not in args.only:
            continue
        print(f"… {name}", file=sys.stderr, flush=True)
        rows += run()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"\nMachine: {machine}")
    print(f"Command: python -m benchmarks{' --quick' if args.quick else ''} (commit {commit or '?'}, "
          f"{time.time() - started:.0f} s)\n")
    print("| measurement | figure | target | anchor |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()

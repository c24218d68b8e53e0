"""Export throughput: ``portal freeze`` over synthetic corpora of 1,000 and 10,000 documents."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus import build_corpus


@dataclass
class ExportFigures:
    documents: int
    pages: int
    seconds: float
    rewrite_pages: int  # files rewritten by a second export after one more publication
    rewrite_seconds: float
    cpu_seconds: float = 0.0  # CPU of the first export (its forked processes too): what it costs whatever
    # else the machine runs
    processes: int = 1
    load_average: float = 0.0  # of the machine just before the first export (it is shared)
    # Pages the re-export rendered: all of them (it compares bytes to know what to rewrite), in a process
    # whose templates are compiled, as every export after the first one on a running site.
    rewrite_rendered: int = 0

    @property
    def rewrite_pages_per_second(self) -> float:
        return self.rewrite_rendered / self.rewrite_seconds

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds


def make_site(workdir: Path, seeds_dir: Path, documents: int, **overrides: object):  # noqa: ANN201
    """An app on a fresh SQLite file holding ``documents`` synthetic documents."""
    import portal.models  # noqa: F401
    from portal import db
    from portal.app import create_app
    from portal.db import Base

    app = create_app(
        {
            "instance_path": workdir / "instance",
            "search_index": workdir / "search_index",
            "secret_key": "bench",
            **overrides,
        }
    )
    Base.metadata.create_all(app.extensions["engine"])
    with app.app_context():
        build_corpus(db.session, seeds_dir, documents)
        db.remove_session()
    return app


def measure_export(seeds_dir: Path, documents: int) -> ExportFigures:
    from portal import db
    from portal.export import freeze

    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        work = Path(tmp)
        app = make_site(work, seeds_dir, documents, page_cache_seconds=0)
        load = os.getloadavg()[0]
        cpu = _cpu_seconds()
        first = freeze(app, work / "site")
        cpu = _cpu_seconds() - cpu
        with app.app_context():  # one more publication, then the incremental re-export
            build_corpus(db.session, seeds_dir, 1, seed=99, slug_prefix="new")
            db.remove_session()
        second = freeze(app, work / "site")
        app.extensions["engine"].dispose()
    return ExportFigures(
        documents,
        first.pages,
        first.seconds,
        second.written,
        second.seconds,
        cpu,
        first.processes,
        load,
        second.pages,
    )


def _cpu_seconds() -> float:
    """User and system CPU of this process and of its children that have exited (the export's forks)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


if __name__ == "__main__":
    import sys

    from benchmarks.seeds import find_seeds

    for n in [int(a) for a in sys.argv[1:]] or [1000]:
        f = measure_export(find_seeds(), n)
        print(
            f"{n} documents: {f.pages} pages in {f.seconds:.2f} s = {f.pages_per_second:,.0f} pages/s "
            f"({f.processes} processes; CPU {f.cpu_seconds:.2f} s = {f.pages / f.cpu_seconds:,.0f} pages per "
            f"CPU-second; load average before {f.load_average:.1f}); "
            f"re-export after one publication: {f.rewrite_rendered} pages in {f.rewrite_seconds:.2f} s = "
            f"{f.rewrite_pages_per_second:,.0f} pages/s, {f.rewrite_pages} files rewritten"
        )

"""The open-data bulk files (``/data/``): CPU and statements to build every file, for the demo content and
for synthetic corpora, and the statements of one API document and interpretation record.

``python -m benchmarks.bulk [N ...]`` (``demo`` for the demo content; default: demo 5000). CPU is this
process's (``time.process_time``), the figure that holds on a shared machine; the load average is printed
beside it. The digest of the files' bytes lets two versions of the code be compared for identical output.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class BulkFigures:
    corpus: str
    documents: int
    interpretations: int
    files: int
    cpu_seconds: float
    statements: int
    digest: str
    api_document_statements: int
    api_interpretation_statements: int
    load_average: float


def _site(work: Path, corpus: str):  # noqa: ANN202
    import portal.models  # noqa: F401
    from benchmarks.corpus import build_corpus
    from benchmarks.seeds import find_seeds
    from portal import db
    from portal.app import create_app
    from portal.db import Base
    from portal.services.loader import load_content

    app = create_app(
        {
            "instance_path": work / "instance",
            "search_index": work / "search_index",
            "secret_key": "bench",
            "page_cache_seconds": 0,
        }
    )
    Base.metadata.create_all(app.extensions["engine"])
    with app.app_context():
        if corpus == "demo":
            assert load_content(db.session, ROOT / "content").ok
        else:
            build_corpus(db.session, find_seeds(), int(corpus))
        db.remove_session()
    return app


class _Counter:
    def __init__(self, engine) -> None:  # noqa: ANN001
        self.engine, self.n = engine, 0

    def _count(self, *_args: object) -> None:
        self.n += 1

    def __enter__(self) -> _Counter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def measure(corpus: str) -> BulkFigures:
    from portal import db
    from portal.models import Document, Interpretation
    from portal.services.policies import queries
    from portal.web.api import bulk

    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        app = _site(Path(tmp), corpus)
        engine = app.extensions["engine"]
        load = os.getloadavg()[0]
        with app.test_request_context("/", base_url=app.extensions["settings"].base_url):
            with _Counter(engine) as building:
                cpu = time.process_time()
                built = list(bulk.build(db.session))
                cpu = time.process_time() - cpu
            digest = hashlib.sha256()
            for f, body in built:
                digest.update(f.name.encode() + b"\0" + body)
            public_docs = queries.public_documents().with_only_columns(Document.slug).order_by(Document.id)
            slugs = db.session.scalars(public_docs).all()
            interps = db.session.scalars(
                queries.public_interpretations()
                .with_only_columns(Interpretation.slug)
                .order_by(Interpretation.id)
            ).all()
            db.remove_session()
        client = app.test_client()
        # Warm first (the agency map, compiled statements), then count one record of each.
        urls = {
            "document": f"/api/v1/documents/{slugs[0]}",
            "interpretation": f"/api/v1/interpretations/{interps[0]}",
        }
        counts = {}
        for name, url in urls.items():
            assert client.get(url).status_code == 200
            with _Counter(engine) as one:
                assert client.get(url).status_code == 200
            counts[name] = one.n
        engine.dispose()
    return BulkFigures(
        corpus,
        len(slugs),
        len(interps),
        len(built),
        cpu,
        building.n,
        digest.hexdigest()[:16],
        counts["document"],
        counts["interpretation"],
        load,
    )


def main(corpora: list[str]) -> None:
    for corpus in corpora or ["demo", "5000"]:
        f = measure(corpus)
        print(
            f"bulk files, {f.corpus} ({f.documents:,} documents, {f.interpretations:,} interpretations): "
            f"{f.files} files in {f.cpu_seconds:.2f} s CPU, {f.statements:,} statements "
            f"(load average {f.load_average:.1f}); digest {f.digest}; "
            f"API record statements: document {f.api_document_statements}, "
            f"interpretation {f.api_interpretation_statements}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])

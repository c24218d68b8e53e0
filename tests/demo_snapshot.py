"""``load_demo(sess)``: what ``load_content(sess, CONTENT)`` does, paid once per test worker and database.

Loading the demo content costs 2.5 s of CPU on SQLite and more on PostgreSQL (the YAML, about a thousand
rows, the search index), and dozens of tests start from the demo site. The first call in a worker loads it
for real and keeps a copy of the result; a later call on an empty database puts that copy back instead:

- the rows: SQLite's backup API copies the whole file; on PostgreSQL a schema holds a copy of each table
  that has rows, and the id sequences are set back to where the load left them;
- the Whoosh index folder (the PostgreSQL search backend keeps its index in tables, copied with the rest);
- the public-version stamp is bumped, as after any write made outside the ORM.

The copy is reused only where a real load would produce the same: the same database, search backend and
secret key (the FOI and enquiry hashes), on the same Beijing day (consultations open relative to today),
and only into a database with no rows at all. Anywhere else ``load_demo`` is ``load_content``.

The loader itself is tested by the tests that load their own content (tests/ingest and others) and by
the real first load of each worker, whose report every later call returns.
"""

from __future__ import annotations

import atexit
import copy
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.clock import today_local
from portal.db import Base
from portal.services import public_version
from portal.services.loader import LoadReport, load_content

CONTENT = Path(__file__).resolve().parents[1] / "content"


@dataclass
class _Snapshot:
    report: LoadReport
    folder: Path  # sqlite: db.sqlite3; whoosh: search_index/
    schema: str = ""  # PostgreSQL: the schema holding the copied tables
    tables: tuple[str, ...] = ()  # PostgreSQL: the tables that had rows
    sequences: tuple[tuple[str, int, bool], ...] = ()  # PostgreSQL: (sequence, last_value, is_called)


_snapshots: dict[tuple, _Snapshot] = {}
_scratch = Path(tempfile.mkdtemp(prefix="portal-demo-snapshots-"))
atexit.register(shutil.rmtree, _scratch, True)


def load_demo(sess: Session) -> LoadReport:
    """The demo content of ``content/`` loaded into the current app's (empty) database; its load report."""
    app = current_app
    settings = app.extensions["settings"]
    engine: Engine = sess.get_bind().engine
    key = (
        engine.url.render_as_string(hide_password=False),
        settings.search_backend,
        app.config["SECRET_KEY"],
        today_local(),
    )
    empty = _is_empty(sess)
    sess.commit()  # no transaction of the test's session stays open across the copy
    snapshot = _snapshots.get(key)
    if snapshot is None or not empty:
        report = load_content(sess, CONTENT)
        if empty and report.ok and key not in _snapshots:
            _snapshots[key] = _take(engine, settings, report, len(_snapshots))
        return report
    _restore(engine, settings, snapshot)
    public_version.bump()
    return copy.deepcopy(snapshot.report)


def _is_empty(sess: Session) -> bool:
    probe = " UNION ALL ".join(
        f'SELECT 1 WHERE EXISTS (SELECT 1 FROM "{t.name}")' for t in Base.metadata.sorted_tables
    )
    return sess.connection().exec_driver_sql(probe).first() is None


def _whoosh_folder(settings) -> Path | None:  # noqa: ANN001
    return Path(settings.search_index) if settings.search_backend == "whoosh" else None


def _take(engine: Engine, settings, report: LoadReport, n: int) -> _Snapshot:  # noqa: ANN001
    folder = _scratch / f"demo-{n}"
    folder.mkdir()
    snapshot = _Snapshot(copy.deepcopy(report), folder)
    index = _whoosh_folder(settings)
    if index is not None and index.exists():
        shutil.copytree(index, folder / "search_index", symlinks=True)
    if engine.dialect.name == "sqlite":
        _copy_sqlite(Path(engine.url.database), folder / "db.sqlite3")
        return snapshot
    snapshot.schema = f"demo_snapshot_{n}"
    with engine.begin() as conn:
        tables = Base.metadata.sorted_tables
        probe = " UNION ALL ".join(
            f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
        )
        snapshot.tables = tuple(row[0] for row in conn.exec_driver_sql(probe))
        conn.exec_driver_sql(f'CREATE SCHEMA "{snapshot.schema}"')
        for name in snapshot.tables:
            conn.exec_driver_sql(f'CREATE TABLE "{snapshot.schema}"."{name}" AS TABLE public."{name}"')
        sequences = []
        for table in tables:
            for column in table.primary_key.columns:
                seq = conn.exec_driver_sql(
                    f"SELECT pg_get_serial_sequence('public.\"{table.name}\"', '{column.name}')"
                ).scalar()
                if seq:
                    last, called = conn.exec_driver_sql(f"SELECT last_value, is_called FROM {seq}").one()
                    sequences.append((seq, last, called))
        snapshot.sequences = tuple(sequences)
    return snapshot


def _copy_sqlite(source: Path, target: Path) -> None:
    """Every page of ``source`` into ``target``, through SQLite (the app's connections see the change)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target, timeout=30)) as dst:
        src.backup(dst)


def _restore(engine: Engine, settings, snapshot: _Snapshot) -> None:  # noqa: ANN001
    index = _whoosh_folder(settings)
    if index is not None and (snapshot.folder / "search_index").exists():
        shutil.rmtree(index, ignore_errors=True)
        shutil.copytree(snapshot.folder / "search_index", index, symlinks=True)
    if engine.dialect.name == "sqlite":
        _copy_sqlite(snapshot.folder / "db.sqlite3", Path(engine.url.database))
        return
    with engine.begin() as conn:
        # The rows are a copy of a consistent database: foreign keys (and the audit trigger, which only
        # guards UPDATE and DELETE) need not be checked row by row, nor tables be put in order.
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        script = [
            f'INSERT INTO public."{t}" SELECT * FROM "{snapshot.schema}"."{t}"' for t in snapshot.tables
        ]
        script += [f"SELECT setval('{seq}', {last}, {called})" for seq, last, called in snapshot.sequences]
        conn.exec_driver_sql("; ".join(script))

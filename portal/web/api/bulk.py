"""Bulk downloads (``/data/``): every public item, one file per type and year, as JSON Lines and as CSV.

A row is the item's detail record of the API (:mod:`portal.web.api.records`, validated by the same
response model), so a file never holds a field the API does not. CSV is UTF-8 with a byte-order mark, which
is what makes Excel read Chinese correctly; nested values (lists of objects) are JSON inside their cell.

The files are built from the database and kept on disk until public content changes (the stamp of
:mod:`portal.services.public_version`) or the day changes (a consultation's phase follows the date). A
build takes long (5.5 s of CPU at 10,000 documents, ``python -m benchmarks.bulk 10000``), so no request
waits for one: after a change the page and the files of the last complete build are served at once while
one thread rebuilds in the background, and the page says when its files were built. Only the very first
build (an instance that has none) is made while the request waits, and ``portal freeze`` builds before it exports, so that the static
files are current. ``portal freeze`` writes them beside the pages (registered with ``public_urls``).
Links inside the files are built on ``settings.base_url``, whatever host asked first.
"""

from __future__ import annotations

import csv
import dataclasses
import fcntl
import io
import json
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, render_template
from pydantic import BaseModel
from sqlalchemy.orm import Session

from portal.clock import LOCAL_TZ, local_day, today_local
from portal.db import session
from portal.services import open_data, public_version
from portal.services.policies import pages as policy_pages
from portal.web.api import records, schemas
from portal.web.api.blueprint import cors_read_only
from portal.web.public_urls import public_urls

bp = Blueprint("data", __name__, url_prefix="/data")
log = logging.getLogger(__name__)

FORMATS = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}
TYPE_LABELS = {
    "documents": "政策文件（含年度报告）",
    "interpretations": "政策解读",
    "consultations": "意见征集（含已公开意见和反馈报告）",
    "gazette": "政府公报",
    "meetings": "会议开放",
    "enquiries": "政务咨询（已公开）",
}
MODELS: dict[str, type[BaseModel]] = {
    "documents": schemas.DocumentDetail,
    "interpretations": schemas.InterpretationDetail,
    "consultations": schemas.ConsultationDetail,
    "gazette": schemas.GazetteDetail,
    "meetings": schemas.MeetingDetail,
    "enquiries": schemas.EnquiryDetail,
}


@dataclass(frozen=True)
class BulkFile:
    kind: str
    year: int
    fmt: str
    rows: int
    size: int

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.year}.{self.fmt}"

    @property
    def label(self) -> str:
        return TYPE_LABELS[self.kind]


def _record(kind: str, item: Any) -> dict[str, Any]:
    if kind == "consultations":
        data = records.consultation_detail(item)
    elif kind == "gazette":
        data = records.gazette_detail(item)
    elif kind == "meetings":
        data = records.meeting_detail(item)
    else:
        data = records.enquiry_detail(item)
    return MODELS[kind].model_validate(data).model_dump(mode="json")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "；".join(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _files_of(kind: str, year: int, rows: list[dict[str, Any]]) -> Iterator[tuple[BulkFile, bytes]]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    yield BulkFile(kind, year, "jsonl", len(rows), len(jsonl)), jsonl
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = list(MODELS[kind].model_fields)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    body = "\ufeff".encode() + out.getvalue().encode("utf-8")
    yield BulkFile(kind, year, "csv", len(rows), len(body)), body


def _by_year(
    kind: str, found: Iterable[tuple[datetime | None, int, dict[str, Any]]]
) -> dict[int, list[dict[str, Any]]]:
    """Records (publication time, id, record) by the local year of publication, oldest first (a file that grows at
    its end), each validated by the type's response model."""
    dated = sorted(
        ((at, item_id, data) for at, item_id, data in found if at is not None), key=lambda r: r[:2]
    )
    by_year: dict[int, list[dict[str, Any]]] = {}
    for at, _id, data in dated:
        by_year.setdefault(local_day(at).year, []).append(
            MODELS[kind].model_validate(data).model_dump(mode="json")
        )
    return by_year


def _pages_by_year(sess: Session, kind: str) -> dict[int, list[dict[str, Any]]]:
    """Every public document's or interpretation's record by year, from the data of its page (the static
    export's builders: one query per few hundred items, so the page and the row cannot disagree)."""
    if kind == "documents":
        return _by_year(
            kind,
            (
                (p.doc.published_at, p.doc.id, records.document_detail(p))
                for p in policy_pages.iter_document_pages(sess)
            ),
        )
    return _by_year(
        kind,
        (
            (p.interp.published_at, p.interp.id, records.interpretation_detail(p))
            for p in policy_pages.iter_interpretation_pages(sess)
        ),
    )


def build(sess: Session) -> Iterator[tuple[BulkFile, bytes]]:
    """Every bulk file with its bytes, built now (types in a fixed order, newest year first)."""
    for kind in open_data.BULK_TYPES:
        if kind in open_data.FROM_PAGES:  # all years at once, from the pages' builders
            by_year = _pages_by_year(sess, kind)
            for year in sorted(by_year, reverse=True):
                yield from _files_of(kind, year, by_year[year])
        else:
            for year in open_data.bulk_years(sess, kind):
                yield from _files_of(
                    kind, year, [_record(kind, item) for item in open_data.bulk_items(sess, kind, year)]
                )


@dataclass(frozen=True)
class Build:
    """One complete build: its folder (named after the content stamp and date it was built from), when it
    was finished, its files, and whether it is the build of the current content."""

    folder: Path
    built_at: datetime
    files: list[BulkFile]
    current: bool


def _folder() -> Path:
    return Path(current_app.extensions["settings"].instance_path) / "bulk"


def _key() -> str:
    """The build the current public content and date call for."""
    return f"{public_version.current() or 'initial'}-{today_local().isoformat()}"


def _load(folder: Path, key: str) -> Build | None:
    """The build in ``folder`` if it is complete (its ``index.json`` is written last), else None."""
    path = folder / "index.json"
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(index, list):  # written before builds recorded their time: the file's is as good
            index = {
                "files": index,
                "built_at": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(),
            }
    except (FileNotFoundError, NotADirectoryError):
        return None
    return Build(
        folder,
        datetime.fromisoformat(index["built_at"]),
        [BulkFile(**f) for f in index["files"]],
        folder.name == key,
    )


def _latest(root: Path, key: str) -> Build | None:
    """The most recently finished complete build, of whatever content."""
    builds = [b for d in _builds(root) if (b := _load(d, key)) is not None]
    return max(builds, key=lambda b: b.built_at, default=None)


def _builds(root: Path) -> list[Path]:
    try:
        return [d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")]
    except FileNotFoundError:
        return []


@contextmanager
def _builder_lock(root: Path, *, wait: bool) -> Iterator[bool]:
    """One builder at a time across processes and threads (a lock on a file of the bulk folder, released
    by the system if the builder dies). Yields whether it was had (always, when ``wait``)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as handle:  # each open() is a lock of its own, even in one process
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True  # closing the file releases the lock


def _write_build(app: Flask, root: Path, key: str) -> Build:
    """Build the files of ``key`` into a temporary folder and rename it into place (a reader sees a whole
    build or none). Called with the builder lock held, so any other temporary folder is a dead builder's."""
    for old in root.glob(".build-*"):
        shutil.rmtree(old, ignore_errors=True)
    tmp = root / f".build-{os.getpid()}-{uuid.uuid4().hex}"
    tmp.mkdir(parents=True)
    listed = []
    with app.test_request_context("/", base_url=app.extensions["settings"].base_url):
        for f, body in build(session):
            (tmp / f.name).write_bytes(body)
            listed.append(dataclasses.asdict(f))
    built_at = datetime.now(UTC)
    index = {"built_at": built_at.isoformat(), "files": listed}
    (tmp / "index.json").write_text(json.dumps(index), encoding="utf-8")
    final = root / key
    shutil.rmtree(final, ignore_errors=True)  # an incomplete folder of an earlier version of this code
    os.replace(tmp, final)
    # Older builds go, except the one before (a request may have listed it and not read its file yet).
    kept = {final, *(b.folder for b in [_latest_other(root, final)] if b)}
    for old in _builds(root):
        if old not in kept:
            shutil.rmtree(old, ignore_errors=True)
    return Build(final, built_at, [BulkFile(**f) for f in listed], True)


def _latest_other(root: Path, final: Path) -> Build | None:
    builds = [b for d in _builds(root) if d != final and (b := _load(d, "")) is not None]
    return max(builds, key=lambda b: b.built_at, default=None)


def build_current(app: Flask) -> Build:
    """The build of the current content, made now if it is missing (waiting for a builder at work in
    another process or thread, whose result may be the one needed). Needs an app context."""
    root, key = _folder(), _key()
    with _builder_lock(root, wait=True):
        return _load(root / key, key) or _write_build(app, root, key)


_starting = threading.Lock()


def _rebuild_in_background(app: Flask) -> None:
    """Start the thread that builds the current content, unless this process runs one already."""
    with _starting:
        running = app.extensions.get("bulk_rebuild")
        if running is not None and running.is_alive():
            return
        thread = threading.Thread(target=_rebuild, args=(app,), name="bulk-rebuild", daemon=True)
        app.extensions["bulk_rebuild"] = thread
        thread.start()


def _rebuild(app: Flask) -> None:
    with app.app_context():  # its own database session, removed when the context ends
        root = _folder()
        try:
            with _builder_lock(root, wait=False) as mine:
                if not mine:
                    return  # another process is building; a later request starts again if needed
                key = _key()  # the content as it is now, which may have changed again since the request
                if _load(root / key, key) is None:
                    _write_build(app, root, key)
        except Exception:
            log.exception("building the bulk files failed; the previous files are still served")


def wait_for_rebuild(app: Flask, timeout: float | None = None) -> None:
    """Until this process's background build (if any) has finished (tests, ``portal freeze``)."""
    running = app.extensions.get("bulk_rebuild")
    if running is not None:
        running.join(timeout)


def current_build() -> Build:
    """The files to serve now: the build of the current content and date if it is complete; otherwise the
    last complete build, while a background thread makes the current one. Only an instance that has no
    build at all builds while the request waits."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = _key()
    cached: Build | None = app.extensions.get("bulk_build")
    if cached is not None and cached.current and cached.folder.name == key:
        return cached
    root = _folder()
    found = _load(root / key, key)
    if found is None:
        latest = _latest(root, key)
        if latest is None:
            found = build_current(app)
        else:
            _rebuild_in_background(app)
            return latest
    app.extensions["bulk_build"] = found
    return found


def bulk_files() -> list[BulkFile]:
    """The files of :func:`current_build`."""
    return current_build().files


@bp.after_request
def _cors(response: Response) -> Response:
    return cors_read_only(response)


@bp.get("/")
def index() -> Response:
    found = current_build()
    by_kind: dict[str, list[tuple[int, dict[str, BulkFile]]]] = {}
    for f in found.files:
        years = by_kind.setdefault(f.kind, [])
        if not years or years[-1][0] != f.year:
            years.append((f.year, {}))
        years[-1][1][f.fmt] = f
    page = render_template(
        "api/bulk.html",
        by_kind=by_kind,
        labels=TYPE_LABELS,
        built_at=found.built_at.astimezone(LOCAL_TZ),
        current=found.current,
    )
    return stale_uncached(Response(page, content_type="text/html; charset=utf-8"), found)


def stale_uncached(response: Response, served: Build) -> Response:
    """An answer from a build that is being replaced: kept by no cache (the page cache keys on the content
    stamp, which will not change when the new build is done), so that the next request sees the new one."""
    if not served.current:
        response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<name>")
def file(name: str) -> Response:
    served = current_build()
    found = next((f for f in served.files if f.name == name), None)
    if found is None:
        abort(404)
    try:
        body = (served.folder / found.name).read_bytes()
    except FileNotFoundError:  # its build was removed between the listing and the read (two builds later)
        abort(404)
    return stale_uncached(Response(body, content_type=FORMATS[found.fmt]), served)


@public_urls
def data_urls(sess: Session) -> Iterator[str]:
    """The download page and every file (``portal freeze`` writes them; the sitemap lists them). These
    are the files of the current content, built now if need be: a static export must not carry the
    previous build (nor a page saying a new one is under way)."""
    del sess
    yield "/data/"
    for f in build_current(current_app._get_current_object()).files:  # type: ignore[attr-defined]
        yield f"/data/{f.name}"

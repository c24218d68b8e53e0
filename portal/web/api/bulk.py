"""Bulk downloads (``/data/``): every public item, one file per type and year, as JSON Lines and as CSV.

A row is the item's detail record of the API (:mod:`portal.web.api.records`, validated by the same
response model), so a file never holds a field the API does not. CSV is UTF-8 with a byte-order mark, which
is what makes Excel read Chinese correctly; nested values (lists of objects) are JSON inside their cell.

The files are built from the database on first request and kept per process until public content changes
(the stamp of :mod:`portal.services.public_version`) or the day changes (a consultation's phase follows the
date); ``portal freeze`` writes them as static files beside the pages (registered with ``public_urls``).
Links inside the files are built on ``settings.base_url``, whatever host asked first.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template
from pydantic import BaseModel
from sqlalchemy.orm import Session

from portal.clock import today_local
from portal.db import session
from portal.services import open_data, public_version
from portal.services.policies import pages as policy_pages
from portal.web.api import records, schemas
from portal.web.api.blueprint import cors_read_only
from portal.web.public_urls import public_urls

bp = Blueprint("data", __name__, url_prefix="/data")

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


def _record(sess: Session, kind: str, item: Any) -> dict[str, Any]:
    if kind == "documents":
        data = records.document_detail(sess, item)
    elif kind == "interpretations":
        data = records.interpretation_detail(sess, item)
    elif kind == "consultations":
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


def _documents_by_year(sess: Session) -> dict[int, list[dict[str, Any]]]:
    """Every public document's record by year of publication, loaded a few hundred at a time with their
    links, versions, attachments and consultations (the static export's bulk reader): a handful of
    queries per chunk instead of six per document."""
    found: list[tuple[Any, int, dict[str, Any]]] = []
    for doc, _interps, links, helpers in policy_pages.iter_public_documents(sess):
        if doc.published_at is None:
            continue
        data = records.document_detail(sess, doc, links, helpers)
        record = schemas.DocumentDetail.model_validate(data).model_dump(mode="json")
        found.append(((doc.published_at, doc.id), doc.published_at.year, record))
    by_year: dict[int, list[dict[str, Any]]] = {}
    for _key, year, record in sorted(found, key=lambda item: item[0]):
        by_year.setdefault(year, []).append(record)
    return by_year


def build(sess: Session) -> Iterator[tuple[BulkFile, bytes]]:
    """Every bulk file with its bytes, built now (types in a fixed order, newest year first)."""
    for kind, years in open_data.bulk_years(sess).items():
        documents = _documents_by_year(sess) if kind == "documents" else {}
        for year in years:
            if kind == "documents":
                rows = documents.get(year, [])
            else:
                rows = [_record(sess, kind, item) for item in open_data.bulk_items(sess, kind, year)]
            yield from _files_of(kind, year, rows)


def _folder() -> Path:
    return Path(current_app.extensions["settings"].instance_path) / "bulk"


def bulk_files() -> list[BulkFile]:
    """The current bulk files, rebuilt when public content or the date changed.

    Kept on disk in the instance folder (a 10,000-document site makes a few hundred megabytes, too much
    to hold in every worker), one folder per content stamp and date, whose ``index.json`` is written last:
    a worker that finds it complete uses it, the first to miss it builds into a temporary folder and renames
    it into place (a second builder's rename fails and it takes the winner's)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = f"{public_version.current() or 'initial'}-{today_local().isoformat()}"
    cached = app.extensions.get("bulk_files")
    if cached is not None and cached[0] == key:
        return cached[1]
    root = _folder()
    final = root / key
    if not (final / "index.json").is_file():
        tmp = root / f".build-{os.getpid()}-{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        listed = []
        with app.test_request_context("/", base_url=app.extensions["settings"].base_url):
            for f, body in build(session):
                (tmp / f.name).write_bytes(body)
                listed.append(dataclasses.asdict(f))
        (tmp / "index.json").write_text(json.dumps(listed), encoding="utf-8")
        try:
            os.replace(tmp, final)
        except OSError:  # another process put the same build in place first
            shutil.rmtree(tmp, ignore_errors=True)
        for old in root.iterdir():  # earlier builds (and any abandoned temporary folder)
            if old.name != final.name and not old.name.startswith(".build-"):
                shutil.rmtree(old, ignore_errors=True)
    files = [BulkFile(**f) for f in json.loads((final / "index.json").read_text(encoding="utf-8"))]
    app.extensions["bulk_files"] = (key, files)
    return files


@bp.after_request
def _cors(response: Response) -> Response:
    return cors_read_only(response)


@bp.get("/")
def index() -> str:
    files = bulk_files()
    by_kind: dict[str, list[tuple[int, dict[str, BulkFile]]]] = {}
    for f in files:
        years = by_kind.setdefault(f.kind, [])
        if not years or years[-1][0] != f.year:
            years.append((f.year, {}))
        years[-1][1][f.fmt] = f
    return render_template("api/bulk.html", by_kind=by_kind, labels=TYPE_LABELS)


@bp.get("/<name>")
def file(name: str) -> Response:
    found = next((f for f in bulk_files() if f.name == name), None)
    if found is None:
        abort(404)
    try:
        body = _read(found)
    except FileNotFoundError:  # replaced by a newer build between the listing and the read
        abort(404)
    return Response(body, content_type=FORMATS[found.fmt])


def _read(found: BulkFile) -> bytes:
    key = current_app.extensions["bulk_files"][0]
    return (_folder() / key / found.name).read_bytes()


@public_urls
def data_urls(sess: Session) -> Iterator[str]:
    """The download page and every file (``portal freeze`` writes them; the sitemap lists them)."""
    del sess
    yield "/data/"
    for f in bulk_files():
        yield f"/data/{f.name}"

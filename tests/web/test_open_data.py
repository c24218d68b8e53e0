"""The open-data API on both backends: every public type with its filters, stable paging links, ETag and
304, CORS for reading only, nothing private or unpublished in any answer or bulk file, and bulk files whose
rows match the API."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlsplit

import pytest
from openapi_spec_validator import validate

from portal.export import freeze
from portal.services import meetings
from portal.web.api.spec import undocumented
from tests.web.open_data_world import EXTRA_DOCS, SECRETS, build_world


@pytest.fixture
def app_overrides(app_overrides: dict) -> dict:
    return {**app_overrides, "page_cache_seconds": 0}


@pytest.fixture
def world(sess, tmp_path):  # noqa: ANN001, ANN201
    build_world(sess, tmp_path)


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _types_and_filters(client, sess) -> None:  # noqa: ANN001
    docs = client.get("/api/v1/documents").get_json()
    assert (docs["total"], docs["pages"], docs["per_page"]) == (EXTRA_DOCS + 2, 2, 20)
    assert [d["slug"] for d in client.get("/api/v1/documents?year=2019").get_json()["documents"]] == ["old"]
    assert [d["title"] for d in client.get("/api/v1/documents?q=第3号").get_json()["documents"]] == [
        "第3号通知"
    ]
    assert client.get("/api/v1/documents?q=2019]2号").get_json()["total"] == 1  # 文号
    assert client.get("/api/v1/documents?validity=repealed").get_json()["total"] == 0
    assert client.get("/api/v1/documents?topic=政务公开").get_json()["total"] == EXTRA_DOCS + 2

    good = client.get("/api/v1/documents/good").get_json()
    assert good["interpretations"][0]["slug"] == "good" and good["measures"][0]["no"] == "1"
    assert (
        good["gazette"][0]["number"] == 3 and good["consultations"][0]["slug"] == "2020-zhuanzuofeng-cuoshi"
    )
    # Loaded through the workflow: version 1 is the first publication, dated as the file says.
    assert good["versions"] == [{"number": 1, "date": "2020-04-24", "change_note": "首次发布"}]
    assert good["attachments"] == []

    interps = client.get("/api/v1/interpretations").get_json()
    assert [i["slug"] for i in interps["interpretations"]] == ["good"]
    assert client.get("/api/v1/interpretations?year=2019").get_json()["total"] == 0

    consultations = client.get("/api/v1/consultations").get_json()
    assert consultations["total"] == 2
    reported = client.get("/api/v1/consultations/2020-zhuanzuofeng-cuoshi").get_json()
    assert reported["report"]["adopted"] >= 1 and reported["final_document"]["slug"] == "good"
    assert reported["comments"] and all("name" not in c for c in reported["comments"])
    assert client.get("/api/v1/consultations?year=2020").get_json()["total"] == 1

    issues = client.get("/api/v1/gazette?year=2020").get_json()["issues"]
    assert [(i["year"], i["number"]) for i in issues] == [(2020, 3)]
    issue = client.get("/api/v1/gazette/2020/3").get_json()
    assert issue["sections"][0]["documents"][0]["slug"] == "good"

    listed = client.get("/api/v1/meetings").get_json()
    assert listed["total"] == len(meetings.public_meetings(sess))
    assert client.get("/api/v1/meetings?year=2019").get_json()["total"] == len(
        meetings.public_meetings(sess, 2019)
    )
    one = client.get(listed["meetings"][0]["api_url"]).get_json()
    assert one["slug"] == listed["meetings"][0]["slug"] and "minutes_html" in one

    board = client.get("/api/v1/enquiries").get_json()
    assert [e["subject"] for e in board["enquiries"]] == ["公开的留言标题"]
    msg = client.get(board["enquiries"][0]["api_url"]).get_json()
    assert msg["question"] is None and msg["reply"] == "您好！这是公开的答复。"
    assert client.get("/api/v1/enquiries?q=不存在的词").get_json()["total"] == 0

    years = client.get("/api/v1/targets").get_json()["years"]
    assert years == [2020]
    figures = client.get("/api/v1/targets/2020").get_json()["targets"]
    assert figures and all(f["status"] in {"met", "not_met", "no_data", "not_measurable"} for f in figures)

    ignored = client.get("/api/v1/meetings?year=abc&page=0").get_json()
    assert ignored["ignored"] == ["year“abc”", "page“0”"] and ignored["page"] == 1


def _annual_reports(client) -> None:  # noqa: ANN001
    index = client.get("/api/v1/").get_json()
    assert "genre=" in index["collections"]["annual_reports"]
    assert client.get(local(index["collections"]["annual_reports"])).get_json()["total"] == 0  # none loaded


def _paging_links(client) -> None:  # noqa: ANN001
    one = client.get("/api/v1/documents?year=2020&topic=政务公开")
    other = client.get("/api/v1/documents?topic=政务公开&year=2020&page=1&normative=")
    assert one.get_json()["links"] == other.get_json()["links"]
    assert one.headers["Link"] == other.headers["Link"]
    links = one.get_json()["links"]
    assert links["prev"] is None and links["next"].endswith("page=2") and links["first"] == links["self"]
    assert f'<{links["next"]}>; rel="next"' in one.headers["Link"]
    second = client.get(local(links["next"])).get_json()
    assert second["links"]["prev"] == links["self"] and second["links"]["next"] is None
    assert second["links"]["self"] == links["last"]
    slugs = [d["slug"] for d in one.get_json()["documents"] + second["documents"]]
    assert len(slugs) == len(set(slugs)) == one.get_json()["total"]


def _etag_and_cors(client) -> None:  # noqa: ANN001
    first = client.get("/api/v1/documents/good")
    etag = first.headers["ETag"]
    assert (
        first.headers["Access-Control-Allow-Origin"] == "*"
        and "ETag" in first.headers["Access-Control-Expose-Headers"]
    )
    again = client.get("/api/v1/documents/good", headers={"If-None-Match": etag, "Cookie": "session=x"})
    assert again.status_code == 304 and again.data == b""
    changed = client.get("/api/v1/documents/good", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == etag

    preflight = client.options(
        "/api/v1/documents", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    refused = client.options(
        "/api/v1/documents",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in refused.headers
    post = client.post("/api/v1/documents", headers={"Origin": "https://example.org"})
    assert post.status_code == 405 and "Access-Control-Allow-Origin" not in post.headers
    assert client.get("/data/").headers["Access-Control-Allow-Origin"] == "*"


def _links_in(value, found: list[str]) -> None:  # noqa: ANN001
    """Every absolute link to the API or a bulk file inside a JSON answer."""
    if isinstance(value, str) and value.startswith("http") and ("/api/v1/" in value or "/data/" in value):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _links_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _links_in(item, found)


def _walk(client) -> dict[str, bytes]:  # noqa: ANN001
    """Every answer reachable from the API's index: lists (every page), details, the bulk files."""
    seen: dict[str, bytes] = {}
    queue = ["/api/v1/", "/api/v1/openapi.json", "/api/v1/docs", "/data/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        seen[path] = response.data
        if response.mimetype != "application/json":
            continue
        data = response.get_json()
        found: list[str] = []
        if path != "/api/v1/openapi.json":
            _links_in(data, found)
        queue += [local(u) for u in found if local(u) not in seen]
    return seen


def _nothing_private(client) -> None:  # noqa: ANN001
    seen = _walk(client)
    assert any(p.startswith("/api/v1/consultations/") for p in seen)
    assert any(p.startswith("/data/enquiries-") for p in seen) and any(p.endswith(".csv") for p in seen)
    for path, body in seen.items():
        text = body.decode("utf-8")
        leaked = [s for s in SECRETS if s in text]
        assert not leaked, f"{path} carries {leaked}"
    assert client.get("/api/v1/documents/draft").status_code == 404


def _bulk_files(app, client, tmp_path) -> None:  # noqa: ANN001
    listing = client.get("/api/v1/bulk").get_json()["files"]
    totals: dict[str, int] = {}
    for f in listing:
        body = client.get(local(f["url"])).data
        assert len(body) == f["bytes"]
        if f["format"] == "jsonl":
            rows = [json.loads(line) for line in body.decode("utf-8").splitlines()]
            totals[f["type"]] = totals.get(f["type"], 0) + len(rows)
        else:
            assert body.startswith("\ufeff".encode())  # so Excel reads UTF-8
            rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert len(rows) == f["rows"], f["url"]
    api = {
        "documents": "/api/v1/documents",
        "interpretations": "/api/v1/interpretations",
        "consultations": "/api/v1/consultations",
        "gazette": "/api/v1/gazette",
        "meetings": "/api/v1/meetings",
        "enquiries": "/api/v1/enquiries",
    }
    assert totals == {kind: client.get(path).get_json()["total"] for kind, path in api.items()}
    page = client.get("/data/").get_data(as_text=True)
    assert "documents-2020.jsonl" in page and f'<td class="rows">{EXTRA_DOCS + 1}</td>' in page

    out = tmp_path / "site"
    report = freeze(app, out, copy_static=False, processes=1)
    assert report.ok, report.errors + report.broken_links
    assert (out / "data" / "index.html").is_file()
    for f in listing:
        assert (out / "data" / f"{f['type']}-{f['year']}.{f['format']}").stat().st_size == f["bytes"]


# Two tests share the world (loading it is most of their time): reading, and what leaves in bulk.
def test_types_filters_paging_etag_and_cors(client, sess, world):
    """Every type with its filters; annual reports are documents of their genre; paging links are the
    same however the query was spelled; ETag answers 304 even with a cookie; CORS for reading only."""
    _types_and_filters(client, sess)
    _annual_reports(client)
    _paging_links(client)
    _etag_and_cors(client)


def test_nothing_private_leaves_and_bulk_files_match(app, client, world, tmp_path):
    """Walking every answer and bulk file from the index finds no draft and no personal data; each bulk
    file has the rows the API counts, CSV has a BOM, and ``portal freeze`` writes the same files."""
    _nothing_private(client)
    _bulk_files(app, client, tmp_path)


def test_description_covers_every_route_and_is_valid(app, client):
    assert undocumented(app) == []
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    for path in spec["paths"]:
        assert f"GET {path}" in docs


def test_a_document_record_names_what_amends_it_and_what_it_amends(client, sess, world):  # noqa: ANN001
    from sqlalchemy import select

    from portal.models import Document, DocumentLink

    good, old = (
        sess.scalars(select(Document).where(Document.slug == slug)).one() for slug in ("good", "old")
    )
    sess.add(DocumentLink(source_id=good.id, target_id=old.id, kind="amends"))
    sess.commit()
    amended = client.get("/api/v1/documents/old").get_json()
    amending = client.get("/api/v1/documents/good").get_json()
    assert [(d["slug"], d["kind"]) for d in amended["amended_or_repealed_by"]] == [("good", "amends")]
    assert amended["amends_or_repeals"] == []
    assert [(d["slug"], d["kind"]) for d in amending["amends_or_repeals"]] == [("old", "amends")]
    assert amending["amended_or_repealed_by"] == []


def test_a_document_published_on_new_years_eve_utc_is_in_the_local_years_file(app, sess, world):  # noqa: ANN001
    """20:00 UTC on 31 December is 04:00 on 1 January in the district: the record says 2021-01-01, so it
    belongs in the 2021 file, not in 2020's."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from portal.models import Document
    from portal.web.api import bulk

    doc = sess.scalars(select(Document).where(Document.slug == "good")).one()
    doc.published_at = datetime(2020, 12, 31, 20, 0, tzinfo=UTC)
    sess.commit()
    with app.test_request_context():
        files = {f.name: body for f, body in bulk.build(sess)}
    rows = [json.loads(line) for line in files["documents-2021.jsonl"].decode().splitlines()]
    assert [(r["slug"], r["published_on"]) for r in rows] == [("good", "2021-01-01")]
    assert "good" not in files["documents-2020.jsonl"].decode()

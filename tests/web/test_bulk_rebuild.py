"""The bulk files after a change of public content: ``/data/`` answers at once with the last complete
build and says a new one is under way; one background builder at a time makes the new build, which a later
request serves; no request ever sees a file of an unfinished build."""

from __future__ import annotations

import threading
import time

from click.testing import CliRunner

from portal.cli import main
from portal.web.api import bulk
from tests.consultations.helpers import make_consultation
from tests.web.test_open_data import local


def _consultation_rows(client) -> tuple[int, dict]:  # noqa: ANN001
    listing = client.get("/api/v1/bulk").get_json()
    rows = sum(f["rows"] for f in listing["files"] if f["type"] == "consultations" and f["format"] == "jsonl")
    return rows, listing


def _every_file_whole(client, listing: dict) -> None:  # noqa: ANN001
    for f in listing["files"]:
        body = client.get(local(f["url"])).data
        assert len(body) == f["bytes"], f["url"]


def test_after_a_publication_the_previous_build_is_served_at_once_and_the_new_one_later(
    app, client, sess, monkeypatch
):
    make_consultation(sess)
    first = client.get("/data/").get_data(as_text=True)  # an instance with no build: built while it waits
    assert "生成于" in first and "正在生成" not in first
    assert _consultation_rows(client)[0] == 1

    # The next build stops after its first file, until released: a slow build caught half-way.
    started, release, calls = threading.Event(), threading.Event(), []
    real_build = bulk.build

    def slow_build(sess):  # noqa: ANN001, ANN202
        calls.append(1)
        for n, item in enumerate(real_build(sess)):
            yield item
            if n == 0:
                started.set()
                assert release.wait(60)

    monkeypatch.setattr(bulk, "build", slow_build)
    make_consultation(sess, slug="second-round", title="第二项征集")  # a publication: the files are stale

    begun = time.monotonic()
    page = client.get("/data/").get_data(as_text=True)
    assert started.wait(30), "no background build started"
    assert time.monotonic() - begun < 5  # it did not wait for the build
    assert "正在生成" in page
    rows, listing = _consultation_rows(client)
    assert rows == 1 and listing["current"] is False  # the previous build, complete
    assert any(p.name.startswith(".build-") for p in bulk_folder(app).iterdir())  # half-written, unseen
    _every_file_whole(client, listing)

    # A second builder (another process; here this thread, with a lock file handle of its own) finds the
    # builder lock taken and leaves.
    bulk._rebuild(app)  # noqa: SLF001
    assert len(calls) == 1

    release.set()
    bulk.wait_for_rebuild(app, 60)
    rows, listing = _consultation_rows(client)
    assert rows == 2 and listing["current"] is True
    page = client.get("/data/").get_data(as_text=True)
    assert "正在生成" not in page
    _every_file_whole(client, listing)
    builds = [p for p in bulk_folder(app).iterdir() if p.is_dir()]
    assert len(builds) == 2  # the new build and the one before it (a reader may still be on it)


def bulk_folder(app):  # noqa: ANN001, ANN201
    return app.extensions["settings"].instance_path / "bulk"


def test_portal_data_build_makes_the_current_build_so_no_request_waits_or_sees_an_old_one(
    app, client, sess, monkeypatch
):
    settings = app.extensions["settings"]
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.sqlalchemy_url)
    make_consultation(sess)
    client.get("/data/")
    make_consultation(sess, slug="second-round", title="第二项征集")
    result = CliRunner().invoke(main, ["data", "--build"])
    assert result.exit_code == 0, result.output
    assert "bulk files of the current content" in result.output
    rows, listing = _consultation_rows(client)
    assert rows == 2 and listing["current"] is True
    assert app.extensions.get("bulk_rebuild") is None  # no background build was needed

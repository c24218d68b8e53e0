"""``portal freeze`` never writes or deletes outside ``--out``, whatever a facet value or a link says.

Reproduces the review's attack: a topic ``x/../../../somewhere/app.conf`` on a published document made
the export overwrite ``somewhere/app.conf`` beside the output folder, and the next export delete it.
The values are stored directly (as before the facet_values rule, or through any other writer).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.export import freeze
from portal.models import Document, Topic
from portal.services.loader import load_content
from tests.ingest.test_content_loader import GOOD, make_content

BASE = "https://app.example.gov.cn"
ATTACK = "x/../../../somewhere/app.conf"
CONFIG = b"listen 443; # the operator's file\n"


@pytest.fixture
def app_overrides(app_overrides: dict) -> dict:
    return {**app_overrides, "page_cache_seconds": 0, "base_url": BASE}


@pytest.fixture
def victim(app, sess, tmp_path):  # noqa: ANN001, ANN201
    """A published document and, beside the export folder, a file the export must never touch."""
    load_content(sess, make_content(tmp_path, good=GOOD))
    target = tmp_path / "srv" / "somewhere" / "app.conf"
    target.parent.mkdir(parents=True)
    target.write_bytes(CONFIG)
    return target


def _files_outside(root, out) -> list[str]:  # noqa: ANN001
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and out not in p.parents)


def _set_facets(sess, topic: str | None = None, genre: str | None = None) -> None:  # noqa: ANN001
    doc = sess.scalars(select(Document).where(Document.slug == "good")).one()  # freeze expunges: load again
    if topic is not None:
        doc.topics = [*doc.topics, Topic(name=topic)]
    if genre is not None:
        doc.genre = genre
    sess.commit()


def test_topic_with_dot_segments_writes_nothing_outside_the_export(app, sess, victim, tmp_path):
    _set_facets(sess, topic=ATTACK, genre="..")
    out = tmp_path / "srv" / "site"
    report = freeze(app, out)
    assert victim.read_bytes() == CONFIG
    assert _files_outside(tmp_path / "srv", out) == ["somewhere/app.conf"]
    # The ".." genre would have made /policies/genre/../ overwrite the library's first page.
    listing = (out / "policies/index.html").read_text("utf-8")
    assert "/policies/good/" in listing and "西城区2020年政务公开工作要点" in listing
    assert not (out / "policies/genre").exists()
    # The unsafe values are still listed, by query string: pages of the app, not files.
    assert f"{BASE}/policies/?topic=x/../../../somewhere/app.conf" in listing or (
        f"{BASE}/policies/?topic=x%2F..%2F..%2F..%2Fsomewhere%2Fapp.conf" in listing
    )
    assert report.ok, (report.errors, report.broken_links)

    # The next export (the value gone) deletes nothing outside either.
    doc = sess.scalars(select(Document).where(Document.slug == "good")).one()
    doc.topics = [t for t in doc.topics if t.name != ATTACK]
    sess.commit()
    again = freeze(app, out)
    assert again.ok and victim.read_bytes() == CONFIG


def test_manifest_of_an_earlier_export_cannot_make_it_delete_outside(app, sess, victim, tmp_path):
    """An export made before the fix listed the outside file in its manifest: it is refused, not deleted."""
    out = tmp_path / "srv" / "site"
    assert freeze(app, out).ok
    manifest = json.loads((out / ".freeze-manifest.json").read_text())
    manifest[f"policies/?topic={ATTACK}"] = "0" * 32
    manifest["/tmp/../etc/hostname"] = "0" * 32  # absolute: refused before any system call
    (out / ".freeze-manifest.json").write_text(json.dumps(manifest))
    report = freeze(app, out)
    assert victim.read_bytes() == CONFIG and (tmp_path / "srv" / "somewhere").is_dir()
    assert any("refused to delete" in e and "app.conf" in e for e in report.errors), report.errors
    assert not report.ok  # the operator hears about it once (exit status 1 from the command) ...
    assert freeze(app, out).ok  # ... and the new manifest no longer names it


def test_folder_linked_outside_the_export_is_not_written_through(app, sess, victim, tmp_path):
    out = tmp_path / "srv" / "site"
    elsewhere = tmp_path / "srv" / "somewhere"
    out.mkdir(parents=True)
    (out / "feeds").symlink_to(elsewhere, target_is_directory=True)
    report = freeze(app, out)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["app.conf"]
    assert any("/feeds/all.atom: refused" in e for e in report.errors), report.errors
    assert (out / "policies/good/index.html").is_file()  # the rest of the site is still exported


def test_link_with_encoded_dots_does_not_replace_a_page(app, sess, victim, tmp_path):
    """An author's link to /policies/topic/%2E%2E/ routes (value "..") but is no file of the export."""
    doc = sess.scalars(select(Document).where(Document.slug == "good")).one()
    doc.body_html += '<p><a href="/policies/topic/%2E%2E/">x</a><a href="/%2E%2E/%2E%2E/x/">y</a></p>'
    sess.commit()
    out = tmp_path / "srv" / "site"
    report = freeze(app, out)
    assert "/policies/good/" in (out / "policies/index.html").read_text("utf-8")
    assert _files_outside(tmp_path / "srv", out) == ["somewhere/app.conf"]
    assert not report.errors
    assert any("/policies/topic/../ (refused" in link for link in report.broken_links), report.broken_links


def test_freeze_command_fails_when_it_refused_a_path(app, sess, victim, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from portal.cli import main

    out = tmp_path / "srv" / "site"
    assert freeze(app, out).ok
    manifest = json.loads((out / ".freeze-manifest.json").read_text())
    manifest[f"policies/?topic={ATTACK}"] = "0" * 32
    (out / ".freeze-manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("PORTAL_DATABASE_URL", app.extensions["settings"].sqlalchemy_url)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["freeze", "--out", str(out), "--base-url", BASE])
    assert result.exit_code == 1 and "refused to delete" in result.output
    assert victim.read_bytes() == CONFIG

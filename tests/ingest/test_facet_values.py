"""``portal load`` refuses topic and genre values that could not be one path segment of the site.

Such a value (``x/../../../somewhere/app.conf``) became a path of the static export; see
tests/export/test_freeze_paths.py for the export's own checks.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from portal.cli import main
from portal.models import Document, Topic
from portal.services.facet_values import facet_value_problem
from portal.services.loader import load_content
from tests.ingest.test_content_loader import GOOD, make_content


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("x/../../../somewhere/app.conf", "slash"),
        ("a\\b", "slash"),
        ("..", "dots"),
        ("a..b", "dots"),
        (".", "dots"),
        ("政务\x00公开", "control"),
        ("政务\u202e公开", "control"),  # a right-to-left override: reads backwards in a path
        ("政务\t公开", "control"),
        ("长" * 33, "length"),
        ("长" * 32, None),
        ("政务公开", None),
        ("a.b", None),
        ("COVID-19 防控", None),
    ],
)
def test_facet_value_rule(value: str, problem: str | None) -> None:
    assert facet_value_problem(value) == problem


def test_load_refuses_unsafe_topic_and_genre_naming_file_and_line(sess, tmp_path):
    root = make_content(
        tmp_path,
        good=GOOD,
        escape=GOOD.replace(
            "topics: [政务公开, 综合政务]", 'topics: [政务公开, "x/../../../somewhere/app.conf"]'
        ),
        dots=GOOD.replace("topics:", "genre: ..\ntopics:"),
        long=GOOD.replace("topics: [政务公开, 综合政务]", f"topics: [{'长' * 33}]"),
        hidden=GOOD.replace("topics: [政务公开, 综合政务]", 'topics: ["政务\\u0007公开"]'),
    )
    report = load_content(sess, root)
    errors = "\n".join(report.errors)
    assert (
        "escape.md:7: topics value 'x/../../../somewhere/app.conf' must not contain '/' or '\\'" in errors
    ), errors
    assert "dots.md:7: genre value '..' must not contain '..' or be '.'" in errors, errors
    assert "long.md:7: topics value" in errors and "must be at most 32 characters" in errors
    assert "hidden.md:7: topics value '政务\\x07公开' must not contain control" in errors, errors
    assert len(report.errors) == 4
    # Nothing of a refused file is written: no document, no new topic.
    assert sess.scalars(select(Document.slug)).all() == ["good"]
    assert sorted(sess.scalars(select(Topic.name))) == ["政务公开", "综合政务"]


def test_load_command_exits_1_with_an_english_message(app, sess, tmp_path, monkeypatch):
    root = make_content(tmp_path, bad=GOOD.replace("topics: [政务公开, 综合政务]", "topics: [a/b]"))
    monkeypatch.setenv("PORTAL_DATABASE_URL", app.extensions["settings"].sqlalchemy_url)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["load", str(root)])
    assert result.exit_code == 1
    assert "bad.md:7: topics value 'a/b' must not contain '/'" in result.output
    sess.expire_all()
    assert sess.scalar(select(func.count(Document.id))) == 0

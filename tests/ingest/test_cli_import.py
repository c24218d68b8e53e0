"""``portal import``: files written for review, warnings on standard error, bad input refused cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from portal.cli import main
from portal.ingest.content import load_content, read_source
from portal.models import Document, Interpretation

AGENCIES = Path(__file__).resolve().parents[2] / "content" / "agencies.yml"

QA_TEXT = """关于《西城区2020年政务公开工作要点》的解读

问：为什么要制定本要点？
答：为了深化政务公开，

打造政务公开示范区。

问：新出台政策配发问答的比率要达到多少？
答：达到60%。
"""

NUMBERED_QA = """政策问答
1.哪些单位负责疫情防控信息公开？
区政府各部门、各街道按照各自职责负责。
2.政策解读采取什么形式？
原则上以简明问答为主。
鼓励采用图表图解。
"""


@pytest.fixture
def content_dir(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "content"
    (root / "policies").mkdir(parents=True)
    shutil.copy(AGENCIES, root / "agencies.yml")
    monkeypatch.setenv("PORTAL_CONTENT_DIR", str(root))
    return root


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, ["import", *args])


def test_out_dash_prints_the_file_and_warnings_go_to_stderr(seeds, content_dir):
    result = run(str(seeds["003"]), "--out", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("---\ntitle: 西咸新区2022年整治形式主义为基层减负专项工作机制工作方案\n")
    assert "warning" not in result.stdout
    assert "doc_number" in result.stderr and "written_on" in result.stderr
    assert not list((content_dir / "policies").iterdir())


def test_default_path_is_content_policies_slug(seeds, content_dir):
    result = run(str(seeds["000"]))
    assert result.exit_code == 0, result.output
    path = content_dir / "policies" / "2020-measures-4.md"
    src = read_source(path)
    assert src.meta["doc_number"] == "西政发〔2020〕4号"
    assert src.meta["written_on"] == "2020-06-02"
    assert len(src.meta["measures"]) == 36
    assert result.stderr.strip() == f"wrote {path}"
    # A second import does not overwrite a file that may have been reviewed since.
    again = run(str(seeds["000"]))
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert run(str(seeds["000"]), "--force").exit_code == 0


def test_out_path(seeds, content_dir, tmp_path):
    target = tmp_path / "elsewhere" / "rules.md"
    result = run(str(seeds["002"]), "--out", str(target))
    assert result.exit_code == 0, result.output
    assert read_source(target).meta["title"] == "北京市西城区人民政府工作规则"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"\xb9\xfa\xbc\xd2", "not UTF-8"), (b"  \n\n", "empty"), (b"", "empty")],
)
def test_bad_input_is_refused_and_nothing_written(content_dir, tmp_path, content, message):
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out.md"
    result = run(str(path), "--out", str(out))
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not list((content_dir / "policies").iterdir())


def test_imported_seeds_load_once_the_reviewer_names_the_agency(sess, seeds, content_dir):
    """Every seed imports to a file the loader accepts; 003 and 004 name no agency, so the reviewer adds it."""
    for key, path in seeds.items():
        assert run(str(path), "--slug", f"seed-{key}").exit_code == 0
    for key in ("003", "004"):
        path = content_dir / "policies" / f"seed-{key}.md"
        path.write_text(path.read_text("utf-8").replace("agency: ''", "agency: 区政府办", 1), "utf-8")
    report = load_content(sess, content_dir)
    assert report.ok, report.errors
    assert len(report.created) == len(AGENCIES.read_text("utf-8").split("- slug:")) - 1 + 5
    doc = sess.query(Document).filter_by(slug="seed-004").one()
    assert doc.status == "draft"  # imported texts wait for review
    assert len(doc.measures) == 42
    assert sess.query(Document).filter_by(slug="seed-000").one().measures[27].units == [
        "区科学技术和信息化局"
    ]


def test_interpretation_in_question_answer_form(sess, seeds, content_dir, tmp_path):
    assert run(str(seeds["004"]), "--slug", "plan").exit_code == 0
    plan = content_dir / "policies" / "plan.md"
    plan.write_text(plan.read_text("utf-8").replace("agency: ''", "agency: 区政府办", 1), "utf-8")
    qa = tmp_path / "qa.txt"
    qa.write_text(QA_TEXT, "utf-8")
    result = run("--interpretation", str(qa), "--for", "plan")
    assert result.exit_code == 0, result.output
    src = read_source(content_dir / "interpretations" / "plan-qa.md")
    assert src.meta["title"] == "关于《西城区2020年政务公开工作要点》的解读"
    assert src.meta["document"] == "plan"
    assert [item["q"] for item in src.meta["qa"]] == [
        "为什么要制定本要点？",
        "新出台政策配发问答的比率要达到多少？",
    ]
    assert src.meta["qa"][0]["a"] == "为了深化政务公开，打造政务公开示范区。"
    report = load_content(sess, content_dir)
    assert report.ok, report.errors
    interp = sess.query(Interpretation).one()
    assert interp.document.slug == "plan"
    assert [item.question for item in interp.items][1] == "新出台政策配发问答的比率要达到多少？"


def test_interpretation_with_numbered_questions(content_dir, tmp_path):
    (content_dir / "policies" / "plan.md").write_text("---\ntitle: 要点\nagency: 区政府办\n---\n", "utf-8")
    qa = tmp_path / "qa.txt"
    qa.write_text(NUMBERED_QA, "utf-8")
    result = run("--interpretation", str(qa), "--for", "plan", "--out", "-")
    assert result.exit_code == 0, result.output
    meta = yaml.safe_load(result.stdout.split("---\n")[1])
    assert meta["title"] == "政策问答"
    assert meta["qa"] == [
        {"q": "哪些单位负责疫情防控信息公开？", "a": "区政府各部门、各街道按照各自职责负责。"},
        {"q": "政策解读采取什么形式？", "a": "原则上以简明问答为主。\n\n鼓励采用图表图解。"},
    ]


def test_interpretation_refusals(content_dir, tmp_path):
    qa = tmp_path / "qa.txt"
    qa.write_text(QA_TEXT, "utf-8")
    no_for = run("--interpretation", str(qa))
    assert no_for.exit_code == 1 and "--for" in no_for.stderr
    unknown = run("--interpretation", str(qa), "--for", "nope")
    assert unknown.exit_code == 1 and "unknown document 'nope'" in unknown.stderr
    (content_dir / "policies" / "plan.md").write_text("---\ntitle: 要点\nagency: 区政府办\n---\n", "utf-8")
    prose = tmp_path / "prose.txt"
    prose.write_text("这是一段没有问答的文字。\n", "utf-8")
    no_qa = run("--interpretation", str(prose), "--for", "plan")
    assert no_qa.exit_code == 1 and "no questions and answers" in no_qa.stderr
    assert not (content_dir / "interpretations").exists()


def test_slugs_are_checked(seeds, content_dir, tmp_path):
    result = run(str(seeds["000"]), "--slug", "../escape")
    assert result.exit_code == 1 and "not a slug" in result.stderr
    assert not (content_dir / "escape.md").exists()

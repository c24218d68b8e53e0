"""``portal import``: files written for review, warnings on standard error, bad input refused cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from portal.cli import main
from portal.models import Document, Interpretation
from portal.services.loader import load_content, read_source

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
    [
        (None, "no such file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (b"  \n\n", "empty"),
        (b"", "empty"),
        (b"\x80\xff" * 6, "neither UTF-8 nor GBK"),
    ],
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


# -- files as offices have them, and garbage ------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "importer"


def _blank_pdf(path: Path) -> None:
    """A PDF with a page and no text layer, as a scanner makes it (pypdf writes it)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as handle:
        writer.write(handle)


def _docx_bomb(path: Path) -> None:
    """A small zip whose document.xml inflates a thousandfold."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b" " * (30 * 1024 * 1024))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(bytes(range(256)) * 64), "not a text file"),
        (lambda p: p.write_bytes(b"\n \n"), "empty"),
        (lambda p: p.write_bytes(b"a" * (50 * 1024 * 1024)), "50 MB"),
        (_blank_pdf, "no text layer"),
        (_docx_bomb, "zip bomb"),
        (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "not a Word .docx"),
        (lambda p: p.write_bytes(b"%PDF-1.7\n garbage"), "could not read the PDF"),
    ],
    ids=["binary", "empty", "50MB", "scanned-pdf", "docx-bomb", "broken-docx", "broken-pdf"],
)
def test_garbage_gets_one_clear_line_and_exit_1(content_dir, tmp_path, make, message):
    path = tmp_path / "input.bin"
    make(path)
    for args in ([str(path), "--out", "-"], ["--interpretation", str(path), "--for", "plan"]):
        result = run(*args)
        assert result.exit_code == 1
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stdout == "" and "Traceback" not in result.output
    assert not list((content_dir / "policies").iterdir())


@pytest.mark.parametrize(
    "name",
    ["gd-growth.gbk.txt", "wf-emergency.gb18030.txt", "ls-tasks.docx", "cd-report.pdf", "wh-exam.docx"],
)
def test_gbk_docx_and_pdf_files_import_like_their_text(content_dir, name):
    key = name.split(".")[0]
    from_file = run(str(CORPUS / "files" / name), "--out", "-")
    from_text = run(str(CORPUS / "texts" / f"{key}.txt"), "--out", "-")
    assert from_file.exit_code == 0, from_file.output
    file_meta = yaml.safe_load(from_file.stdout.split("---\n")[1])
    text_meta = yaml.safe_load(from_text.stdout.split("---\n")[1])
    for field in ("title", "doc_number", "agency", "agencies", "written_on"):
        assert file_meta.get(field) == text_meta.get(field), field
    assert [m["units"] for m in file_meta["measures"]] == [m["units"] for m in text_meta["measures"]]


def test_every_measure_without_units_is_reported(content_dir):
    result = run(str(CORPUS / "texts" / "ls-tasks.txt"), "--out", "-")
    assert result.exit_code == 0
    meta = yaml.safe_load(result.stdout.split("---\n")[1])
    assert meta["title"] == "立山区政府2023年重点工作任务分解和责任分工方案"
    assert (
        meta["notice_title"]
        == "立山区人民政府关于印发《立山区政府2023年重点工作任务分解和责任分工方案》的通知"
    )
    assert len(meta["measures"]) == 7 and meta["measures"][6]["units"] == []
    assert "measure 7: no units" in result.stderr
    assert "measure 6" not in result.stderr


PROSE = """关于《西城区政务公开清单管理办法》的解读
新华社北京2月20日电
2021年，区政府办公室印发了《西城区政务公开清单管理办法》。
一、起草背景
为落实条例要求，规范清单管理，制定本办法。
二、主要内容
办法共三章，明确了清单的编制、发布和调整。
三、实施时间
自发布之日起施行。
"""


def test_a_prose_interpretation_imports_as_a_text_interpretation(sess, content_dir, tmp_path):
    (content_dir / "policies" / "plan.md").write_text(
        "---\ntitle: 西城区政务公开清单管理办法\nagency: 区政府办\n---\n", "utf-8"
    )
    prose = tmp_path / "prose.txt"
    prose.write_text(PROSE, "utf-8")
    result = run("--interpretation", str(prose), "--for", "plan")
    assert result.exit_code == 0, result.output
    assert "imported as a text interpretation (3 sections)" in result.stderr
    assert "interprets" not in result.stderr  # the policy it names is the one --for names
    src = read_source(content_dir / "interpretations" / "plan-interpretation.md")
    assert src.meta["form"] == "text" and src.meta["title"] == "关于《西城区政务公开清单管理办法》的解读"
    assert src.meta["interpreted_on"] == "2021-02-20"  # the dateline, with the year the text gives
    assert "## 一、起草背景" in src.body and "## 三、实施时间" in src.body
    report = load_content(sess, content_dir)
    assert report.ok, report.errors
    interp = sess.query(Interpretation).one()
    assert interp.form == "text" and "起草背景" in interp.body_md


def test_questions_run_together_in_one_paragraph(content_dir):
    (content_dir / "policies" / "plan.md").write_text(
        "---\ntitle: 若干措施\nagency: 区政府办\n---\n", "utf-8"
    )
    result = run("--interpretation", str(CORPUS / "texts" / "ba-qa.txt"), "--for", "plan", "--out", "-")
    assert result.exit_code == 0, result.output
    meta = yaml.safe_load(result.stdout.split("---\n")[1])
    assert [item["q"] for item in meta["qa"]] == [
        "向哪些部门申报该项措施资金资助",
        "什么时候可以申报该措施资金资助",
        "申请补贴是否受注册地和纳税限制",
    ]
    assert meta["qa"][2]["a"].startswith("本措施适用于具备独立法人资格")

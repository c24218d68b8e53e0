"""The government gazette: issues load from content/gazette/, list by year, link their documents."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import GazetteIssue
from portal.services.loader import load_content
from tests.ingest.test_content_loader import GOOD, make_content

ISSUE = """year: 2020
number: 5
running_number: 125
published_on: 2020-05-15
pdf: /static/gazette/2020-05.pdf
contents:
  - category: 区政府办公室文件
    documents: [good]
  - category: 其他文件
    documents: [other]
"""


def gazette_content(tmp_path, issue: str = ISSUE, name: str = "2020-05"):  # noqa: ANN201
    root = make_content(
        tmp_path,
        good=GOOD,
        other=GOOD.replace("西城区2020年政务公开工作要点", "另一份文件").replace(
            "西政办发[2020]5号", "西政办发[2020]6号"
        ),
        secret=GOOD.replace("topics:", "disclosure: 依申请公开\ndisclosure_reason: 涉及个人信息\ntopics:"),
    )
    (root / "gazette").mkdir()
    (root / "gazette" / f"{name}.yml").write_text(issue, encoding="utf-8")
    return root


def test_issue_page_lists_public_documents_by_category_in_order(client, sess, tmp_path):
    report = load_content(sess, gazette_content(tmp_path))
    assert report.ok, report.errors
    assert "gazette:2020-05" in report.created
    index = client.get("/gazette/").get_data(as_text=True)
    assert "2020年" in index and "/gazette/2020/5/" in index and "总第125期" in index
    page = client.get("/gazette/2020/5/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "政府公报2020年第5期（总第125期）" in html
    assert (
        html.index("区政府办公室文件")
        < html.index("/policies/good/")
        < html.index("其他文件")
        < html.index("/policies/other/")
    )
    assert "/static/gazette/2020-05.pdf" in html


def test_document_page_names_the_issue_it_appeared_in(client, sess, tmp_path):
    load_content(sess, gazette_content(tmp_path))
    html = client.get("/policies/good/").get_data(as_text=True)
    assert "刊登于" in html and "/gazette/2020/5/" in html


def test_loading_twice_changes_nothing_and_edits_reorder_the_contents(client, sess, tmp_path):
    root = gazette_content(tmp_path)
    load_content(sess, root)
    again = load_content(sess, root)
    assert again.ok and not again.created and not again.updated
    (root / "gazette" / "2020-05.yml").write_text(
        ISSUE.replace("[good]", "[x]").replace("[other]", "[good]").replace("[x]", "[other]"),
        encoding="utf-8",
    )
    assert load_content(sess, root).updated == ["gazette:2020-05"]
    html = client.get("/gazette/2020/5/").get_data(as_text=True)
    assert html.index("/policies/other/") < html.index("/policies/good/")


def test_bad_issue_files_are_reported_by_line_and_load_nothing(sess, tmp_path):
    cases = {
        "2020-05": ISSUE.replace("[good]", "[missing]"),
        "2020-06": ISSUE.replace("number: 5", "number: 6").replace("published_on: 2020-05-15\n", ""),
        "2020-07": ISSUE,  # number 5 in a file named 2020-07
        "2020-08": ISSUE.replace("number: 5", "number: 8").replace(
            "pdf: /static", "pdf: javascript:alert(1)//"
        ),
    }
    root = gazette_content(tmp_path, issue=cases.pop("2020-05"))
    for name, text in cases.items():
        (root / "gazette" / f"{name}.yml").write_text(text, encoding="utf-8")
    report = load_content(sess, root)
    messages = "\n".join(report.errors)
    assert "2020-05.yml:6: 'contents' refers to unknown document 'missing'" in messages
    assert "2020-06.yml:1: missing required field 'published_on'" in messages
    assert "2020-07.yml:1: file name '2020-07.yml' must be" in messages
    assert "2020-08.yml:5: 'pdf' must be" in messages
    assert sess.scalars(select(GazetteIssue)).all() == []


def test_unknown_issue_is_a_404(client, sess, tmp_path):
    load_content(sess, gazette_content(tmp_path))
    assert client.get("/gazette/2020/9/").status_code == 404
    assert client.get("/gazette/1999/1/").status_code == 404


def test_a_document_is_carried_by_one_issue_and_a_running_number_by_one_issue(sess, tmp_path):
    root = gazette_content(tmp_path)
    (root / "gazette" / "2020-06.yml").write_text(
        ISSUE.replace("number: 5", "number: 6")
        .replace("125", "126")
        .replace("[good]", "[x]")
        .replace("[other]", "[good]")
        .replace("[x]", "[other]"),
        encoding="utf-8",
    )
    report = load_content(sess, root)
    messages = "\n".join(report.errors)
    assert "2020-06.yml:6: document 'other' is already in gazette issue '2020-05'" in messages
    (root / "gazette" / "2020-06.yml").write_text(ISSUE.replace("number: 5", "number: 6"), encoding="utf-8")
    report = load_content(sess, root)
    assert "2020-06.yml:3: running number 125 is already used by issue '2020-05'" in "\n".join(report.errors)
    assert [i.slug for i in sess.scalars(select(GazetteIssue))] == ["2020-05"]


def test_an_optional_title_names_a_special_issue(client, sess, tmp_path):
    load_content(
        sess,
        gazette_content(tmp_path, issue=ISSUE.replace("contents:\n", "title: 优化营商环境专刊\ncontents:\n")),
    )
    assert "政府公报2020年第5期（总第125期） 优化营商环境专刊" in client.get("/gazette/2020/5/").get_data(
        as_text=True
    )

"""The dashboard as a visitor and as staff see it, its exports, and `portal report targets`."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

from click.testing import CliRunner
from sqlalchemy import select

from portal.models import Consultation, Document, Meeting
from portal.services import targets as svc
from tests.targets.builders import build_normative, build_pushes, build_year


class Tables(HTMLParser):
    """Cell text of every ``table.data-table`` on a page, by table id; staff-only cells left out."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip_row = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "table" and "data-table" in (attrs.get("class") or ""):
            self._table = attrs["id"].removeprefix("table-")
            self.tables[self._table] = []
        elif self._table and tag == "tr":
            self._row, self._skip_row = [], attrs.get("class") == "empty"
        elif self._row is not None and tag in ("td", "th") and "staff-col" not in (attrs.get("class") or ""):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if not self._skip_row:
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def test_dashboard_shows_every_figure_with_both_readings(client, sess):
    build_year(sess)
    page = client.get("/targets/2020/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<h1>") == 1 and 'lang="zh-CN"' in html
    for text in (
        "50.0%（2/4）",
        "未达标",
        "75.0%（3/4）",
        "25.0%（1/4）",
        "已达标",
        "口径说明",
        "按百分点口径（采用）：需达到45.0%，+50.0个百分点，已达标",
        "按相对增幅口径：需达到30.0%，+200.0%，已达标",
        "僵尸留言",  # the zombie target is computed from the message board: defined, no messages yet
        "新出台政策配发问答比率达到60%",
        'role="img"',
        "<desc id=",
        "已排除 1 项",
    ):
        assert text in html, text
    assert "<script" not in html
    summary = page_tables(html)["summary"]
    assert summary[0][:5] == ["目标", "目标值", "分子", "分母", "本年比率"]
    assert summary[1][:6] == ["新出台政策配发问答比率", "≥ 60%", "2", "4", "50.0%", "—"]
    assert summary[3][-1] == "无数据" and summary[3][2:4] == ["0", "0"]


def test_drill_down_lists_the_items_behind_and_holding_back(client, sess):
    build_year(sess)
    html = client.get("/targets/2020/qa_rate/").get_data(as_text=True)
    tables = page_tables(html)
    assert [row[1] for row in tables["counted"][1:]] == ["文件d1", "文件d4"]
    assert [row[1] for row in tables["holding_back"][1:]] == ["文件d2", "文件d3"]
    assert [row[1] for row in tables["excluded"][1:]] == ["文件d5"]
    assert tables["holding_back"][1][-1] == "补充问答形式解读"
    assert '<a href="/policies/d2/">文件d2</a>' in html  # each item links to its page
    assert "/policies/d5/" not in html  # a withdrawn document has no public page to link to
    assert "处理" not in html and "三同步豁免" not in html  # staff-only parts
    meetings = page_tables(client.get("/targets/2020/meeting_openness_growth/").get_data(as_text=True))
    assert [row[1] for row in meetings["excluded"][1:]] == ["会议m20-gov", "会议m20-cancel"]
    previous = page_tables(client.get("/targets/2019/meeting_openness_growth/").get_data(as_text=True))
    assert [row[1] for row in previous["holding_back"][1:]] == ["会议m19-a", "会议m19-b", "会议m19-c"]


def test_staff_see_links_to_fix_each_item(client, sess, make_user, login_as):
    build_year(sess)
    login_as(make_user("ed", roles=["editor"]))
    html = client.get("/targets/2020/meeting_openness_growth/").get_data(as_text=True)
    closed = sess.scalars(select(Meeting).where(Meeting.slug == "m20-closed")).one()
    assert f'href="/admin/meetings/{closed.id}/edit">下次会议邀请列席或直播</a>' in html
    qa = client.get("/targets/2020/qa_rate/").get_data(as_text=True)
    assert "处理" in qa and "三同步豁免记录" in qa


def test_exports_match_the_page(client, sess):
    agencies = build_year(sess)
    build_normative(sess, agencies)
    build_pushes(sess, agencies)
    for key in ("qa_rate", "new_media_push_rate", "predisclosure_rate_growth", "meeting_openness_growth"):
        tables = page_tables(client.get(f"/targets/2020/{key}/").get_data(as_text=True))
        for name in svc.TARGET_TABLES:
            exported = client.get(f"/targets/2020/{key}/{name}.csv")
            assert exported.status_code == 200 and exported.mimetype == "text/csv"
            rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
            assert rows == tables[name], (key, name)
            data = json.loads(client.get(f"/targets/2020/{key}/{name}.json").get_data(as_text=True))
            assert [data["columns"]] + [[str(r[c]) for c in data["columns"]] for r in data["rows"]] == tables[
                name
            ]
    summary = page_tables(client.get("/targets/2020/").get_data(as_text=True))["summary"]
    rows = list(csv.reader(io.StringIO(client.get("/targets/2020/summary.csv").get_data(as_text=True)[1:])))
    assert rows == summary


def test_edge_cases_say_what_they_are(client, sess):
    build_year(sess)
    html = client.get("/targets/2021/").get_data(as_text=True)
    assert "2021年度未声明工作目标" in html and "/targets/2020/" in html
    assert "无数据（分母为0）" in client.get("/targets/2018/qa_rate/").get_data(as_text=True)
    assert client.get("/targets/2020/no_such_target/").status_code == 404
    assert client.get("/targets/2020/qa_rate/nothing.csv").status_code == 404
    assert client.get("/targets/2020/qa_rate/counted.xml").status_code == 404
    assert client.get("/targets/3000/").status_code == 404
    assert client.get("/targets/").status_code == 200


def test_report_targets_prints_the_table(app, sess):
    from portal.cli import main

    build_year(sess)
    sess.remove()  # the command builds its own app and session, as in a terminal
    runner = CliRunner()
    env = {"PORTAL_DATABASE_URL": app.extensions["settings"].sqlalchemy_url}
    result = runner.invoke(main, ["report", "targets", "--year", "2020"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2020年度工作目标完成情况"
    qa_line = next(line for line in lines if line.startswith("新出台政策配发问答比率"))
    assert qa_line.split()[1:7] == ["≥", "60%", "2", "4", "50.0%", "—"]
    as_csv = runner.invoke(main, ["report", "targets", "--year", "2020", "--format", "csv"], env=env)
    assert as_csv.output.splitlines()[1].startswith("新出台政策配发问答比率,≥ 60%,2,4,50.0%")
    missing = runner.invoke(main, ["report", "targets", "--year", "2021"], env=env)
    assert missing.exit_code == 1 and "no targets declared for 2021" in missing.output


def test_predisclosure_figure_and_its_drill_down(client, sess):
    build_normative(sess, build_year(sess))
    html = client.get("/targets/2020/").get_data(as_text=True)
    assert "25.0%（1/4）" in html and "50.0%（1/2）" in html
    assert "按相对增幅口径（采用）：需达到60.0%，-50.0%，未达标" in html
    tables = page_tables(client.get("/targets/2020/predisclosure_rate_growth/").get_data(as_text=True))
    assert [row[1] for row in tables["holding_back"][1:]] == ["文件n2", "文件n3", "文件n5"]
    assert [row[1] for row in tables["excluded"][1:]] == ["文件n4"]


def test_push_figure_and_staff_see_the_waivers(client, sess, make_user, login_as):
    build_pushes(sess, build_year(sess))
    html = client.get("/targets/2020/").get_data(as_text=True)
    assert "33.3%（3/9）" in html
    tables = page_tables(client.get("/targets/2020/new_media_push_rate/").get_data(as_text=True))
    assert [row[:2] for row in tables["counted"][1:]] == [
        ["政策文件", "文件d1"],
        ["政策解读", "解读d1-0"],
        ["意见征集", "征集c-open"],
    ]
    assert "紧急发布" not in client.get("/targets/2020/qa_rate/").get_data(as_text=True)
    login_as(make_user("pub", roles=["publisher"]))
    staff_html = client.get("/targets/2020/qa_rate/").get_data(as_text=True)
    assert "三同步豁免记录" in staff_html and "紧急发布，解读随后配发" in staff_html


def test_staff_fix_links_lead_to_the_right_editor(client, sess, make_user, login_as):
    agencies = build_year(sess)
    build_pushes(sess, agencies)
    login_as(make_user("ed2", roles=["editor"]))
    ids = {d.slug: d.id for d in sess.query(Document)}
    qa = client.get("/targets/2020/qa_rate/").get_data(as_text=True)
    assert f'href="/admin/interpretations/new?document={ids["d3"]}">配发问答形式解读</a>' in qa
    assert f'href="/admin/interpretations/new?document={ids["d2"]}">补充问答形式解读</a>' in qa
    assert f'href="/admin/documents/{ids["d1"]}">编辑</a>' in qa
    push = client.get("/targets/2020/new_media_push_rate/").get_data(as_text=True)
    c_open = sess.scalars(select(Consultation).where(Consultation.slug == "c-open")).one()
    assert f'href="/admin/consultations/{c_open.id}/">编辑</a>' in push
    assert client.get(f"/admin/interpretations/new?document={ids['d3']}").status_code == 200

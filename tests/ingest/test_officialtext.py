"""The official-text importer on the five seed texts: exactly what issue 2 asks of each."""

from __future__ import annotations

from datetime import date

import pytest

from portal.ingest.officialtext import ImportedDocument, extract


@pytest.fixture(scope="module")
def imported(seeds) -> dict[str, ImportedDocument]:
    return {key: extract(path.read_text("utf-8")) for key, path in seeds.items()}


def measure(doc: ImportedDocument, no: str) -> dict:
    return next(m for m in doc.measures if m["no"] == no)


def h2_headings(doc: ImportedDocument) -> list[str]:
    return [line for line in doc.body.splitlines() if line.startswith("## ")]


def test_000_wrapped_measures(imported):
    doc = imported["000"]
    assert doc.title == "西城区进一步推动“转作风、强创新、提效能”的若干措施（试行）"
    assert doc.doc_number == "西政发〔2020〕4号"
    assert doc.agency == "北京市西城区人民政府"
    assert doc.written_on == date(2020, 6, 2)
    assert len(doc.sections) == 10
    assert len(h2_headings(doc)) == 10
    assert len(doc.measures) == 36
    assert all(m["units"] for m in doc.measures)
    assert measure(doc, "28")["units"] == ["区科学技术和信息化局"]
    assert measure(doc, "2")["units"] == [
        "区政府办",
        "区发展改革委",
        "区财政局",
        "区商务局",
        "北京金融街服务局",
        "西城园管委会",
    ]
    assert doc.warnings == []


def test_000_layout_breaks_joined_and_colophon_dropped(imported):
    doc = imported["000"]
    # Items 8, 19, 24 and 30 are broken across blank lines by the PDF layout.
    assert "鼓励全区各单位到外省市“取经”" in measure(doc, "8")["text"]
    assert "积极鼓励干部谋事干事" in measure(doc, "30")["text"]
    assert measure(doc, "30")["units"] == ["区政府办", "各街道"]
    # The measure text is the task without its unit bracket; the body keeps the bracket.
    assert "责任单位" not in measure(doc, "28")["text"]
    assert "（责任单位：区科学技术和信息化局）" in doc.body
    for gone in ("抄送", "区武装部", "2020年6月3日印发", "此件公开发布", "西政发〔2020〕4号", "人民政府文件"):
        assert gone not in doc.body
    assert "联系2-3个街道" in doc.body  # the PDF's stray spaces removed


def test_001_numbered_items_without_units_are_not_measures(imported):
    doc = imported["001"]
    assert doc.title == "关于解决形式主义突出问题为基层减负的若干措施"
    assert doc.doc_number == "京办发〔2019〕13号"
    assert doc.agency == "中共北京市委办公厅"
    assert doc.written_on == date(2019, 5, 16)
    assert len(doc.sections) == 7
    assert len(h2_headings(doc)) == 7
    assert [item.no for item in doc.items("arabic")] == [str(n) for n in range(1, 24)]
    assert doc.measures == []
    assert doc.source == "2019年5月20日《北京日报》"
    assert "北京日报" not in doc.body
    assert "\n1\n" not in doc.body  # the page number


def test_002_chapters_articles_and_web_footer(imported):
    doc = imported["002"]
    assert doc.title == "北京市西城区人民政府工作规则"
    assert doc.doc_number == "西政发〔2018〕4号"  # found only in the footer's attachment link
    assert doc.agency == "北京市西城区人民政府"
    assert doc.written_on == date(2018, 3, 20)
    assert len(doc.sections) == 16
    assert [line for line in h2_headings(doc)][:2] == ["## 第一章 总则", "## 第二章 区政府组成人员职责"]
    assert len(doc.items("cn")) == 68
    for footer in ("ICP", "公网安备", "主办:", "承办:", "政府网站标识码", ".pdf", "政策文件", "数据局"):
        assert footer not in doc.body
    assert doc.body.rstrip().endswith("六十八、本规则自发布之日起实行。")


def test_003_units_in_brackets_of_every_kind(imported):
    doc = imported["003"]
    assert doc.title == "西咸新区2022年整治形式主义为基层减负专项工作机制工作方案"
    assert doc.doc_number == ""
    assert doc.written_on is None
    assert {w.field for w in doc.warnings} == {"doc_number", "agency", "written_on"}
    assert len(doc.sections) == 5
    assert len(h2_headings(doc)) == 5
    assert len(doc.measures) == 21
    assert all(m["units"] for m in doc.measures)
    assert measure(doc, "十七")["units"] == ["党政办公室", "宣传文旅局"]
    assert "lead" not in measure(doc, "十七")
    thirteen = measure(doc, "十三")
    assert thirteen["lead"] == ["党政办公室", "纪检监察工委机关"]
    assert thirteen["units"] == ["党政办公室", "纪检监察工委机关", "教育体育局", "基层工作部"]
    # A unit whose name contains 落实 is not cut at it.
    assert measure(doc, "三")["units"][-1] == "西咸新区落实市委巡察反馈意见整改工作领导小组"


def test_004_work_plan(imported):
    doc = imported["004"]
    assert doc.title == "西城区2020年政务公开工作要点"
    assert len(doc.sections) == 5
    assert len(h2_headings(doc)) == 5
    items = doc.items("arabic")
    assert len(items) == 46
    assert len(doc.measures) == 42
    assert all(m["units"] for m in doc.measures)
    assert [m["no"] for m in doc.measures] == [str(n) for n in range(1, 43)]
    principles = [item.text for item in items[:4]]
    assert principles[0].startswith("坚持服务为民")
    assert not any(m["text"].startswith(p[:6]) for m in doc.measures for p in principles)
    assert measure(doc, "1")["units"] == ["市规划自然资源委西城分局"]
    assert measure(doc, "23")["units"] == ["区卫生健康委"]
    assert measure(doc, "38")["lead"] == ["区政务服务局"]
    assert measure(doc, "38")["units"] == ["区政务服务局", "区政府各部门", "各街道"]


def test_004_items_broken_across_blank_lines_are_joined(imported):
    doc = imported["004"]
    assert "国家慢性病综合防控示范区建设等信息公开" in measure(doc, "23")["text"]
    assert "原则上要以简明问答为主" in measure(doc, "30")["text"]
    assert "规范政府信息制作、获取、保存" in measure(doc, "34")["text"]
    assert "坚持依法规范。严格落实新修订《政府信息公开条例》要求，履行" in doc.items("arabic")[1].text
    # 26 and 41 continue past a break; 41 names units in three brackets with mixed bracket widths.
    assert measure(doc, "26")["units"] == ["区政务服务局", "区政府各部门", "各街道"]
    forty_one = measure(doc, "41")
    assert forty_one["lead"] == ["区政务服务局", "区委社会工委区民政局", "区政务服务中心"]
    assert {"区政府办", "区网信办", "区政府各部门", "各街道"} <= set(forty_one["units"])
    assert "建立区政府常务会网络直播" in forty_one["text"]
    assert "负责落实" not in forty_one["text"]
    # 37: a unit bracket in the middle and another at the end of the same item.
    assert measure(doc, "37")["units"] == ["区政府办", "区政府各部门", "各街道"]


def test_004_numbers_survive_markdown(imported):
    from portal.ingest.markdown import render_markdown

    html = render_markdown(imported["004"].body)
    assert '<ol start="5">' in html  # 5-7 under （二） keep their printed numbers
    assert html.count("<h2") == 5

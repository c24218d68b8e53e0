"""The importer beyond the seeds: other bracket forms, joint issuance, 第X条 articles, unit lines."""

from __future__ import annotations

from datetime import date

from portal.ingest.officialtext import extract

JOINT = (
    "\ufeff北京市西城区人民政府办公室文件\r\n\r\n西政办发[2021]7号  签发人：某某\r\n\r\n"
    "北京市西城区人民政府办公室\r\n北京市西城区政务服务管理局\r\n关于印发西城区政务公开清单管理办法的通知\r\n\r\n"
    "各街道办事处：\r\n现将《西城区政务公开清单管理办法》印发给你们。\r\n"
    "北京市西城区人民政府办公室\r\n北京市西城区政务服务管理局\r\n二〇二一年三月五日\r\n"
    "西城区政务公开清单管理办法\r\n第一章 总  则\r\n第一条 为规范政务公开清单管理，制定本办法。\r\n"
    "第二条 本办法适用于区政府各部门。\r\n- 2 -\r\n第二章 清单编制\r\n第三条 各部门编制本单位清单，\r\n\r\n"
    "报区政务服务局备案。\r\n牵头单位：区政务服务局\r\n责任单位：区政府各部门\r\n"
)


def test_joint_issuance_with_articles_and_unit_lines():
    doc = extract(JOINT)
    assert doc.title == "西城区政务公开清单管理办法"
    assert doc.doc_number == "西政办发〔2021〕7号"
    assert doc.agencies == ["北京市西城区人民政府办公室", "北京市西城区政务服务管理局"]
    assert doc.written_on == date(2021, 3, 5)
    assert doc.warnings == []
    assert [h.text for h in doc.sections] == ["总则", "清单编制"]
    assert len(doc.items("article")) == 3
    assert doc.body.startswith("各街道办事处：\n\n现将")
    assert "## 第一章 总则" in doc.body
    assert "- 2 -" not in doc.body
    assert "第三条 各部门编制本单位清单，报区政务服务局备案。" in doc.body
    assert doc.measures == [
        {
            "no": "三",
            "text": "各部门编制本单位清单，报区政务服务局备案。",
            "units": ["区政务服务局", "区政府各部门"],
            "lead": ["区政务服务局"],
        }
    ]
    assert doc.slug() == "2021-measures-7"
    meta = doc.front_matter()
    assert meta["agencies"] == doc.agencies and "agency" not in meta


def test_doc_number_bracket_forms():
    for printed in (
        "西政发〔2020〕4号",
        "西政发[2020]4号",
        "西政发(2020)4号",
        "西政发（2020）4号",
        "西政发［2020］4号",
    ):
        doc = extract(f"{printed}\n西城区某项工作方案\n一、总体要求\n做好工作。\n")
        assert doc.doc_number == "西政发〔2020〕4号", printed


def test_a_number_cited_in_the_body_is_not_taken_for_the_documents_own():
    doc = extract("西城区某项工作方案\n一、依据\n根据《某某办法》（京政发〔2019〕3号）制定本方案。\n")
    assert doc.doc_number == ""
    assert {w.field for w in doc.warnings} == {"doc_number", "agency", "written_on"}


def test_unstructured_text_is_reported():
    doc = extract("西城区某项通知\n请各单位做好相关工作。\n")
    assert doc.title == "西城区某项通知"
    assert "body" in {w.field for w in doc.warnings}

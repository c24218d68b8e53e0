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


# -- forms seen in real published texts (issue 18) -------------------------------------------------


def test_units_on_lines_of_their_own_with_half_width_colons_and_a_last_measure_cut_off():
    doc = extract(
        "某区2023年重点工作任务分工方案\n一、主要目标\n1.地区生产总值增长6%。\n牵头单位:区发改局\n"
        "责任单位:各街道,区直各部门\n2、固定资产投资增长15%。\n牵头单位：区发改局\n3.其他指标不低于全市平均水平。\n"
    )
    assert [m["units"] for m in doc.measures] == [["区发改局", "各街道", "区直各部门"], ["区发改局"], []]
    assert doc.measures[0]["lead"] == ["区发改局"]
    assert [str(w) for w in doc.warnings if w.field == "measures"] == [
        "measures: measure 3: no units (no 牵头单位/责任单位 named; the text may end here)"
    ]


def test_every_numbering_style_carries_measures():
    for first, second in (
        ("1.", "2."),
        ("1、", "2、"),
        ("（一）", "（二）"),
        ("(一)", "(二)"),
        ("第一条", "第二条"),
    ):
        doc = extract(
            f"某项工作方案\n{first}建立清单制度。(区政务服务局牵头,各街道配合)\n"
            f"{second}做好政策解读。〔责任单位:区司法局按职责分工负责。下同。〕\n"
        )
        assert [m["units"] for m in doc.measures] == [["区政务服务局", "各街道"], ["区司法局"]], first


def test_a_web_page_copy_with_chrome_a_glued_number_and_both_titles():
    doc = extract(
        "您的位置:首页»政务公开»政策文件\n"
        "鞍立政发〔2023〕2号立山区人民政府关于印发立山区政府2023年重点工作任务分解和责任分工方案的通知\n"
        "发布时间:2023-03-28 来源:区政府办 浏览次数:1024\n"
        "立山区人民政府关于印发 《立山区政府2023年重点工作任务分解 和责任分工方案》的通知\n"
        "各街道办事处:\n现将《立山区政府2023年重点工作任务分解和责任分工方案》印发给你们,请认真贯彻落实。\n"
        "立山区人民政府\n2023年3月28日\n(此件公开发布)\n立山区政府2023年重点工作\n任务分解和责任分工方案\n"
        "一、主要目标\n1.努力实现地区生产总值增长6.2%左右。\n牵头单位:区发改局\n【打印本页】【关闭窗口】\n"
    )
    assert doc.doc_number == "鞍立政发〔2023〕2号"
    assert doc.title == "立山区政府2023年重点工作任务分解和责任分工方案"
    assert (
        doc.notice_title == "立山区人民政府关于印发《立山区政府2023年重点工作任务分解和责任分工方案》的通知"
    )
    assert doc.agencies == ["立山区人民政府"]
    for chrome in ("您的位置", "浏览次数", "打印本页"):
        assert chrome not in doc.body
    assert doc.body.startswith("各街道办事处：") or doc.body.startswith("各街道办事处:")
    assert doc.front_matter()["notice_title"] == doc.notice_title


def test_joint_issuers_in_the_title_and_in_one_signature_line_keep_their_order():
    doc = extract(
        "北京市西城区人民政府办公室 北京市西城区政务服务管理局关于印发西城区政务公开清单管理办法的通知\n"
        "各街道办事处：\n现将《西城区政务公开清单管理办法》印发给你们。\n"
    )
    assert doc.agencies == ["北京市西城区人民政府办公室", "北京市西城区政务服务管理局"]
    assert doc.title == "西城区政务公开清单管理办法"
    signed = extract("某某管理办法\n第一条 为规范管理，制定本办法。\n区政务服务局 区司法局\n2021年3月5日\n")
    assert signed.agencies == ["区政务服务局", "区司法局"]


def test_articles_split_across_lines_are_joined():
    doc = extract(
        "潍坊市突发公共卫生事件应急办法\n第一章总则\n第一条为了有效预防、及时控制和消除突发公共卫生事件的危害,保障公众\n"
        "身体健康与生命安全,制定本办法。\n第二条本办法所称突发公共卫生事件,是指在本市行政\n区域内突然发生的事件。\n"
    )
    assert [b.text for b in doc.items("article")] == [
        "为了有效预防、及时控制和消除突发公共卫生事件的危害,保障公众身体健康与生命安全,制定本办法。",
        "本办法所称突发公共卫生事件,是指在本市行政区域内突然发生的事件。",
    ]
    assert doc.sections[0].text == "总则"


def test_a_source_line_is_kept_while_a_bulleted_metadata_list_is_read():
    doc = extract(
        "返回顶部\n某县人民政府工作规则\n• 发文字号:\n镇政发〔2024〕7号\n• 发文日期:\n2024年04月06日 16:40\n"
        "• 来源:\n• 有效性:\n某县人民政府工作规则\n第一章总则\n一、制定本规则。\n来源：人民日报\n"
    )
    assert doc.doc_number == "镇政发〔2024〕7号"
    assert doc.written_on == date(2024, 4, 6)
    assert doc.title == "某县人民政府工作规则"
    assert doc.source == "人民日报"


def test_the_issuers_of_a_forwarded_document_above_its_title_stay_out_of_the_notice():
    # 沧政办字〔2009〕120号 (tests/fixtures/importer/texts/cz-postal.txt), shortened.
    doc = extract(
        "沧州市人民政府办公室转发市发改委等部门《支持农村邮政物流发展实施办法》的通知\n沧政办字〔2009〕120号\n"
        "各县(市、区)人民政府,市政府各部门:\n沧州市发展改革委、沧州市邮政局《支持农村邮政物流发展实施办法》"
        "已经市政府同意,现转发,请认真贯彻执行。\n二〇〇九年八月三十日\n沧州市发展改革委\n沧州市邮政局\n"
        "支持农村邮政物流发展实施办法\n第一条 为支持农村邮政物流发展,特制定本办法。\n第二条 各级政府要给予扶持。\n"
    )
    assert doc.title == "支持农村邮政物流发展实施办法"
    assert doc.written_on == date(2009, 8, 30)
    assert "沧州市发展改革委沧州市邮政局" not in doc.body
    assert doc.body.split("\n\n")[:2] == [
        "各县(市、区)人民政府,市政府各部门:",
        "沧州市发展改革委、沧州市邮政局《支持农村邮政物流发展实施办法》已经市政府同意,现转发,请认真贯彻执行。",
    ]


def test_a_line_ending_in_an_ascii_full_stop_ends_its_paragraph():
    # 成都市发展和改革委员会等 关于印发成都市城市社区嵌入式服务设施建设工程实施方案的通知 (cd-embedded), shortened:
    # the web copy ends the notice with "落实." and the plan's preamble must not be glued to it.
    doc = extract(
        "成都市发展和改革委员会 成都市住房和城乡建设局 关于印发成都市城市社区嵌入式服务设施建设工程实施方案的通知\n"
        "各区(市)县政府(管委会),市级有关部门:\n"
        "经市领导同意,现将《成都市城市社区嵌入式服务设施建设工程实施方案》印发给你们,请结合实际认真贯彻落实.\n"
        "为推动全市城市社区嵌入式服务设施建设,结合我市实际,特制定本方案。\n一、主要目标\n到2025年底前全面建成。\n"
    )
    assert doc.agencies == ["成都市发展和改革委员会", "成都市住房和城乡建设局"]
    assert doc.body.split("\n\n")[1:3] == [
        "经市领导同意,现将《成都市城市社区嵌入式服务设施建设工程实施方案》印发给你们,请结合实际认真贯彻落实.",
        "为推动全市城市社区嵌入式服务设施建设,结合我市实际,特制定本方案。",
    ]

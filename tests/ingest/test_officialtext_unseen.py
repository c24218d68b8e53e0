"""The importer on real texts it had not seen (tests/fixtures/unseen/README.md says where each is from)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from portal.ingest.officialtext import ImportedDocument, extract
from portal.ingest.qatext import parse_interpretation

UNSEEN = Path(__file__).resolve().parents[1] / "fixtures" / "unseen"


def read(name: str) -> ImportedDocument:
    return extract((UNSEEN / name).read_text("utf-8"))


def first_paragraph(doc: ImportedDocument) -> str:
    return doc.body.split("\n\n", 1)[0]


def test_a_bulleted_metadata_list_with_name_and_genre_cells_stays_out_of_titles_and_body():
    doc = read("ali-rules.txt")
    assert doc.notice_title == "阿里地区行政公署关于印发《阿里地区行政公署工作规则》的通知"
    assert doc.title == "阿里地区行政公署工作规则"
    assert doc.doc_number == "阿行发〔2021〕42号"
    assert doc.agencies == ["阿里地区行政公署"]
    assert doc.written_on == date(2021, 11, 9)
    assert first_paragraph(doc) == "各县人民政府,行署各局、委、办、处:"
    assert "公文种类" not in doc.body


def test_the_issuer_line_printed_again_under_the_title_stays_out_of_the_body():
    doc = read("mofcom-trade.txt")
    assert doc.title == "对外贸易经济合作部关于调整进出口经营资格有关规定的通知"
    assert doc.agencies == ["对外贸易经济合作部"]
    assert first_paragraph(doc).startswith("各省、自治区、直辖市、计划单列市及珠海、汕头经济特区外经贸委")


def test_copies_of_the_doc_number_line_stay_out_of_the_body():
    doc = read("bj-open2016-copy.txt")
    assert doc.doc_number == "京政办发〔2016〕26号"
    assert doc.title == "北京市2016年政务公开工作要点"
    assert doc.agencies == ["北京市人民政府办公厅"]
    assert doc.written_on == date(2016, 5, 28)
    assert first_paragraph(doc) == "各区人民政府,市政府各委、办、局,各市属机构:"


def test_the_pages_index_number_disclosure_cell_and_read_aloud_button_stay_out_of_the_body():
    doc = read("jh-kfq-air.txt")
    assert doc.title == "金华经济技术开发区重污染天气应急预案(2024年修订)"
    assert doc.agencies == ["金华经济技术开发区管理委员会党政综合办公室"]
    assert doc.written_on == date(2024, 2, 29)
    assert first_paragraph(doc) == "各乡镇人民政府、街道办事处,管委会各有关单位:"


def test_an_issuer_line_above_a_guanyu_title_belongs_to_the_title_and_a_bulleted_counter_is_chrome():
    doc = read("jn-samepower.txt")
    assert doc.title == "济宁市人民政府关于持续深化“市县同权”改革的实施意见"
    assert doc.doc_number == "济政字〔2021〕30号"
    assert doc.agencies == ["济宁市人民政府"]
    assert doc.genre == "意见"
    assert "浏览次数" not in doc.body
    assert first_paragraph(doc).startswith("各县(市、区)人民政府,济宁高新区")


def test_a_law_sites_page_title_with_the_year_behind_it_is_a_copy_of_the_title():
    doc = read("wh-exam-copy.txt")
    assert doc.title == "武汉市高级中等学校招生统一考试管理规定"
    assert doc.doc_number == "武政〔2005〕32号"
    assert doc.agencies == ["武汉市人民政府"]
    assert doc.written_on == date(2005, 6, 17)  # "二00五年": zeros typed as the digit 0
    assert first_paragraph(doc) == "各区人民政府,市人民政府各部门:"


def test_questions_on_lines_of_their_own_without_wen_da_markers_make_a_qa_interpretation():
    interp = parse_interpretation((UNSEEN / "mohrss-unemployment-qa.txt").read_text("utf-8"))
    assert interp.form == "qa"
    assert [item.question for item in interp.items] == ["我國失業保險制度在經濟社會發展中發揮了哪些作用?"]
    assert len(interp.items[0].answer) == 2
    assert interp.items[0].answer[0].startswith("失業保險是國家通過立法強制實施")


def test_joint_issuers_above_the_attached_title_belong_to_it_when_the_notice_quotes_it_so():
    doc = read("hg-court.txt")
    assert doc.title == "鹤岗市人民政府鹤岗市中级人民法院关于完善“府院联动”机制的意见"
    assert doc.doc_number == "鹤政发〔2025〕4号"
    assert doc.agencies == ["鹤岗市人民政府", "鹤岗市中级人民法院"]
    assert doc.written_on == date(2025, 4, 30)
    assert first_paragraph(doc) == "各县(区)人民政府、法院,市政府各部门:"


def test_the_sites_column_names_on_lines_of_their_own_stay_out_of_the_body():
    doc = read("alsk-rules.txt")
    assert doc.title == "阿拉山口市人民政府工作规则"
    assert doc.doc_number == "阿市政发〔2016〕83号"
    assert doc.agencies == ["阿拉山口市人民政府"]
    assert doc.written_on == date(2016, 10, 14)
    assert first_paragraph(doc) == "艾比湖镇人民政府,市人民政府各部门:"


def test_the_gov_cn_language_switch_and_address_are_chrome_and_a_title_on_two_lines_is_one():
    interp = parse_interpretation((UNSEEN / "mohrss-unemployment-qa.txt").read_text("utf-8"))
    assert interp.title == "人力資源社會保障部關於失業保險條例修訂情況的説明"
    assert interp.interpreted_on == date(2017, 11, 11)  # the page's 2017-11-11 09:12 line

"""Every way a task names its responsible units, and parentheses that are not units."""

from __future__ import annotations

import pytest

from portal.ingest.structure import parse_structure
from portal.ingest.units import extract_units, parse_unit_clause


@pytest.mark.parametrize(
    ("bracket", "units", "lead"),
    [
        ("责任单位：区政府办、各部门", ["区政府办", "各部门"], []),
        ("责任单位:区政府办", ["区政府办"], []),
        ("区城管委负责落实", ["区城管委"], []),
        ("宣传文旅局负责", ["宣传文旅局"], []),
        ("党政办公室、组织人事部分工负责", ["党政办公室", "组织人事部"], []),
        (
            "区政务服务局牵头，区政府各部门、各街道负责落实",
            ["区政务服务局", "区政府各部门", "各街道"],
            ["区政务服务局"],
        ),
        ("区政务服务局牵头,区政府各部门落实", ["区政务服务局", "区政府各部门"], ["区政务服务局"]),
        (
            "党政办公室牵头，教育体育局、基层工作部等参与",
            ["党政办公室", "教育体育局", "基层工作部"],
            ["党政办公室"],
        ),
        ("牵头单位：区司法局；责任单位：各街道", ["区司法局", "各街道"], ["区司法局"]),
    ],
)
def test_unit_brackets(bracket, units, lead):
    found = parse_unit_clause(bracket)
    assert found is not None
    assert found.units == units
    assert found.lead == lead


@pytest.mark.parametrize(
    "bracket", ["试行", "党组", "至少包含2家“两新”企业、2家中小微企业", "2016年—2035年", "部门"]
)
def test_ordinary_parentheses_are_not_units(bracket):
    assert parse_unit_clause(bracket) is None


def test_full_and_half_width_brackets_mixed_in_one_item():
    found, text = extract_units("做好A。（甲局负责落实)再做B,(乙局、丙局牵头，丁局负责）")
    assert found.units == ["甲局", "乙局", "丙局", "丁局"]
    assert found.lead == ["乙局", "丙局"]
    assert text == "做好A。再做B,"


def test_units_on_lines_of_their_own():
    structure = parse_structure(
        [
            "一、重点任务",
            "1.建立政务公开清单。",
            "牵头单位：区政务服务局",
            "责任单位：区政府各部门、各街道",
            "2.做好政策解读。",
            "责任单位：区司法局",
        ]
    )
    first, second = structure.measures()
    assert first.units.lead == ["区政务服务局"]
    assert first.units.units == ["区政务服务局", "区政府各部门", "各街道"]
    assert second.units.units == ["区司法局"]
    assert first.text == "建立政务公开清单。"

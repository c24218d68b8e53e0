"""The figures themselves: every ratio, every list behind it and the comparison with the year before."""

from __future__ import annotations

from datetime import date

import pytest

from portal.services import targets as svc
from tests.targets.builders import build_normative, build_pushes, build_year, meeting

TODAY = date(2020, 11, 1)


def slugs(items: list[svc.Item]) -> list[str]:
    return [i.slug for i in items]


def test_qa_rate_counts_lists_months_and_agencies_exactly(sess):
    build_year(sess)
    report = svc.year_report(sess, 2020, TODAY)
    qa = report.result("qa_rate")
    assert (qa.ratio.numerator, qa.ratio.denominator) == (2, 4)
    assert qa.ratio.value == 50.0
    assert qa.status == "not_met" and qa.required == 60
    assert slugs(qa.population.counted) == ["d1", "d4"]
    assert slugs(qa.population.holding_back) == ["d2", "d3"]
    assert slugs(qa.population.excluded) == ["d5"]
    notes = {i.slug: i.note for i in qa.population.items + qa.population.excluded}
    assert notes["d2"] == "仅有图解解读，无问答形式"
    assert notes["d3"] == "未配发政策解读"
    assert "已撤回" in notes["d5"]
    # Months run to the current month of an unfinished year; the cumulative line adds up.
    assert len(qa.months) == 11
    monthly = [(m.month, m.ratio.numerator, m.ratio.denominator) for m in qa.months if m.ratio.denominator]
    assert monthly == [(1, 1, 1), (3, 0, 2), (6, 1, 1)]
    cumulative = [(m.cumulative.numerator, m.cumulative.denominator) for m in qa.months]
    assert cumulative == [
        (1, 1),
        (1, 1),
        (1, 3),
        (1, 3),
        (1, 3),
        (2, 4),
        (2, 4),
        (2, 4),
        (2, 4),
        (2, 4),
        (2, 4),
    ]
    assert [(a.agency_slug, a.ratio.numerator, a.ratio.denominator) for a in qa.agencies] == [
        ("dept", 1, 2),
        ("street", 1, 2),
    ]
    assert qa.progress == pytest.approx(100 * 50 / 60)


def test_previous_year_uses_the_same_rules(sess):
    build_year(sess)
    qa_2019 = svc.target_result(sess, 2019, "qa_rate", TODAY)
    assert slugs(qa_2019.population.items) == ["d8"]  # d1 is a 2020 document in Beijing time
    assert qa_2019.target is None and qa_2019.status == "no_data"
    assert len(qa_2019.months) == 12  # a past year shows every month


def test_meeting_openness_compares_with_the_previous_year_in_both_readings(sess):
    build_year(sess)
    result = svc.year_report(sess, 2020, TODAY).result("meeting_openness_growth")
    assert (result.ratio.numerator, result.ratio.denominator) == (3, 4)
    assert (result.previous_ratio.numerator, result.previous_ratio.denominator) == (1, 4)
    assert slugs(result.population.counted) == ["m20-experts", "m20-stream", "m20-media"]
    assert slugs(result.population.holding_back) == ["m20-closed"]
    assert slugs(result.population.excluded) == ["m20-gov", "m20-cancel"]
    assert slugs(result.previous.counted) == ["m19-open"]
    assert slugs(result.previous.holding_back) == ["m19-a", "m19-b", "m19-c"]
    points, relative = result.readings
    assert (points.unit, points.declared, points.required, points.change, points.status) == (
        "points",
        True,
        45.0,
        50.0,
        "met",
    )
    assert (relative.unit, relative.declared, relative.required, relative.change, relative.status) == (
        "relative",
        False,
        30.0,
        200.0,
        "met",
    )
    assert result.status == "met" and result.required == 45.0


def test_a_meeting_not_yet_held_is_excluded(sess):
    agencies = build_year(sess)
    meeting(sess, "m20-later", agencies["dept"], date(2020, 12, 20))
    sess.commit()
    result = svc.target_result(sess, 2020, "meeting_openness_growth", TODAY)
    assert "m20-later" in slugs(result.population.excluded)
    assert result.ratio.denominator == 4


def test_growth_readings_disagree_when_the_base_is_high_and_respect_the_cap():
    # 40% -> 50%: +10 points misses +20 points, but is +25% relative, which beats +20%.
    points, relative = svc.growth_readings(20, "points", svc.Ratio(2, 5), svc.Ratio(5, 10))
    assert (points.required, points.status) == (60.0, "not_met")
    assert (relative.required, relative.status) == (48.0, "met")
    # 90% -> 100%: a rate cannot pass 100%, so 100% meets the points reading.
    points, _ = svc.growth_readings(20, "points", svc.Ratio(9, 10), svc.Ratio(4, 4))
    assert (points.required, points.status) == (100.0, "met")
    # From 0% the relative reading has no meaning: no data, never a division error.
    points, relative = svc.growth_readings(20, "relative", svc.Ratio(0, 3), svc.Ratio(1, 3))
    assert points.status == "met" and relative.status == "no_data" and relative.declared


def test_zero_denominator_is_no_data_and_unmeasurable_is_never_a_number(sess):
    build_year(sess)
    report = svc.year_report(sess, 2020, TODAY)
    zombie = report.result("zombie_boards")
    assert zombie.status == "no_data" and zombie.ratio.value is None  # no messages at all: no figure
    assert svc.Ratio(0, 0).value is None
    empty = svc.target_result(sess, 2018, "qa_rate", TODAY)
    assert empty.ratio.value is None and empty.status == "no_data"
    growth = svc.target_result(sess, 2019, "meeting_openness_growth", TODAY)  # 2018 had no meetings
    assert growth.readings[0].status == "no_data"


def test_a_year_without_targets_is_reported_as_such(sess):
    build_year(sess)
    report = svc.year_report(sess, 2021, TODAY)
    assert not report.declared and report.declared_years == [2020]


def test_predisclosure_counts_consultations_before_adoption_and_compares_years(sess):
    build_normative(sess, build_year(sess))
    result = svc.target_result(sess, 2020, "predisclosure_rate_growth", TODAY)
    assert slugs(result.population.counted) == ["n1"]
    assert slugs(result.population.holding_back) == ["n2", "n3", "n5"]
    assert slugs(result.population.excluded) == ["n4"]
    assert slugs(result.previous.counted) == ["p1"] and slugs(result.previous.holding_back) == ["p2"]
    assert (result.ratio.numerator, result.ratio.denominator) == (1, 4)
    assert result.previous_ratio.value == 50.0
    points, relative = result.readings
    assert (points.required, points.change, points.status, points.declared) == (70.0, -25.0, "not_met", False)
    assert (relative.required, relative.change, relative.status, relative.declared) == (
        60.0,
        -50.0,
        "not_met",
        True,
    )
    assert result.status == "not_met" and result.required == 60.0
    notes = {i.slug: i.note for i in result.population.items}
    assert notes["n2"] == notes["n5"] == "关联的意见征集未发布或晚于文件成文日期"
    assert notes["n3"] == "出台前未经意见征集（预公开）"
    # The normative documents also count for the Q&A rate: none of them has an interpretation.
    qa = svc.target_result(sess, 2020, "qa_rate", TODAY)
    assert (qa.ratio.numerator, qa.ratio.denominator) == (2, 8)


def test_new_media_push_rate_counts_delivered_new_media_pushes_only(sess):
    build_pushes(sess, build_year(sess))
    result = svc.year_report(sess, 2020, TODAY).result("new_media_push_rate")
    assert [(i.kind, i.slug) for i in result.population.counted] == [
        ("document", "d1"),
        ("interpretation", "d1-i0"),
        ("consultation", "c-open"),
    ]
    assert slugs(result.population.holding_back) == ["d2", "d2-i0", "d3", "d4", "d4-i0", "d4-i1"]
    assert slugs(result.population.excluded) == ["d5", "d5-i0"]
    assert (result.ratio.numerator, result.ratio.denominator) == (3, 9)
    assert result.status == "met"  # 33.3% against 30%
    notes = {i.slug: i.note for i in result.population.holding_back}
    assert notes == {
        "d2": "仅推送至非新媒体渠道",
        "d2-i0": "未推送",
        "d3": "新媒体渠道推送未送达（发送失败）",
        "d4": "未推送",
        "d4-i0": "新媒体渠道推送未送达（待发送）",
        "d4-i1": "未推送",
    }
    assert [(a.agency_slug, a.ratio.numerator, a.ratio.denominator) for a in result.agencies] == [
        ("street", 1, 5),
        ("dept", 2, 4),
    ]
    waivers = svc.waivers(sess, 2020)
    assert [(w.document.slug, w.reason) for w in waivers] == [("d2", "紧急发布，解读随后配发")]
    assert svc.waivers(sess, 2019) == []


def test_growth_targets_compare_each_month_and_agency_with_the_year_before(sess):
    build_year(sess)
    result = svc.target_result(sess, 2020, "meeting_openness_growth", TODAY)
    # 2019 meetings: March open, April, May and June closed; 2020: Feb and May (x2) then September.
    by_month = {
        m.month: (
            m.cumulative.numerator,
            m.cumulative.denominator,
            m.previous_cumulative.numerator,
            m.previous_cumulative.denominator,
        )
        for m in result.months
    }
    assert by_month[3] == (1, 1, 1, 1)
    assert by_month[6] == (2, 3, 1, 4)
    assert by_month[9] == (3, 4, 1, 4)
    rows = {
        a.agency_slug: (a.ratio.numerator, a.ratio.denominator, a.previous.numerator, a.previous.denominator)
        for a in result.agencies
    }
    assert rows == {"dept": (2, 2, 1, 2), "street": (1, 2, 0, 2)}
    table = svc.agencies_table(result)
    assert table.columns[-1] == "上年比率"
    assert [row.cells for row in table.rows] == [
        ["金融街街道", 1, 2, "50.0%", 1, "0.0%"],
        ["区发改委", 2, 2, "100.0%", 0, "50.0%"],
    ]
    assert svc.months_table(result).rows[5].cells[-1] == "25.0%"

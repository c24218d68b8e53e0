"""The demo board: monthly statistics, and the zombie target computed from the messages (2019 and 2020)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from portal.services import targets
from portal.services.enquiries import pages
from portal.services.enquiries.content import load_messages
from portal.services.loader import LoadReport, load_agencies

CONTENT = Path(__file__).resolve().parents[2] / "content"
TODAY = date(2026, 12, 1)


def _load(sess):  # noqa: ANN001, ANN202
    load_agencies(sess, CONTENT / "agencies.yml", LoadReport())
    sess.commit()
    result = load_messages(sess, CONTENT / "enquiries", "secret")
    sess.commit()
    return result


def test_demo_board_loads_once_through_the_services(sess):
    created, unchanged, errors = _load(sess)
    assert errors == [] and len(created) >= 12 and unchanged == []
    again = load_messages(sess, CONTENT / "enquiries", "secret")
    assert again[0] == [] and len(again[1]) == len(created)


def test_zombie_target_2019_names_the_message_and_2020_is_met(sess):
    _load(sess)
    y2019 = targets.target_result(sess, 2019, "zombie_boards", TODAY)
    assert y2019.status == "no_data"  # no goal was declared for 2019: the figure is shown, not judged
    (zombie,) = y2019.population.holding_back
    assert zombie.title == "西城区人才公寓申请条件咨询" and "超过三个月未答复" in zombie.note
    y2020 = targets.year_report(sess, 2020, TODAY).result("zombie_boards") or targets.target_result(
        sess, 2020, "zombie_boards", TODAY
    )
    assert y2020.population.holding_back == [] and len(y2020.population.items) >= 7


def test_monthly_statistics_count_working_days_and_leave_out_refusals(sess):
    _load(sess)
    stats = {s.month: s for s in pages.monthly(sess, 2020)}
    may = stats[
        "2020-05"
    ]  # received Monday 18 May, answered Tuesday 2 June: 19 May ... 2 June, 11 working days
    assert (may.received, may.answered, may.average, may.longest) == (1, 1, "11.0", "11")
    assert "2019-10" not in {s.month for s in pages.monthly(sess, 2019)}  # the refused complaint


def test_board_filters_by_agency_topic_and_words(sess):
    _load(sess)
    assert {m.subject for m in pages.board(sess, topic="education").items} >= {
        "寒假托管服务",
        "疫情期间线上教学安排",
    }
    assert [m.subject for m in pages.board(sess, q="低保").items] == ["低保申请材料"]
    assert all(m.agency.slug == "xicheng-jw" for m in pages.board(sess, agency="xicheng-jw").items)

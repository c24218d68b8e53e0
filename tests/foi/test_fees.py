"""The information processing fee, table-driven from 政府信息公开信息处理费管理办法 (NORMS 35)."""

from __future__ import annotations

import pytest

from portal.services.foi import fees


@pytest.mark.parametrize(
    ("nth", "yuan"),
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (50, 300), (51, 400), (75, 600)],
)
def test_per_application_bands_by_the_applicants_count_in_the_month(nth: int, yuan: int):
    assert fees.per_application(nth) == yuan


@pytest.mark.parametrize(
    ("pages", "yuan"),
    [
        (0, 0),
        (30, 0),
        (31, 10),
        (100, 700),  # 70 pages at 10
        (101, 720),  # + 1 page at 20
        (200, 2700),  # 700 + 100 pages at 20
        (201, 2740),  # + 1 page at 40
        (250, 4700),
    ],
)
def test_per_page_bands_are_marginal(pages: int, yuan: int):
    assert fees.per_page(pages) == yuan


def test_one_method_at_a_time_and_nonsense_refused():
    assert fees.fee("per_page", 31) == 10 and fees.fee("per_application", 11) == 100
    with pytest.raises(ValueError):
        fees.fee("both", 1)
    with pytest.raises(ValueError):
        fees.per_application(0)

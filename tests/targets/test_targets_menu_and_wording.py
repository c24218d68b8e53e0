"""The 工作目标 menu opens a year that has targets, and the pages speak as an official site does."""

from __future__ import annotations

import re

from tests.demo_snapshot import load_demo
from tests.targets.builders import build_year


def test_the_menu_opens_the_latest_year_that_has_targets(client, sess):
    build_year(sess)  # targets declared for 2020 only; this year has none
    html = client.get("/targets/").get_data(as_text=True)
    assert "<h1>2020年度政务公开工作目标</h1>" in html
    assert "未声明工作目标" not in html
    assert '<link rel="canonical" href="/targets/2020/">' in html
    menu = re.search(r'<a href="([^"]+)">工作目标</a>', html)
    assert menu and menu.group(1) == "/targets/"


def test_the_menu_on_a_site_without_targets_opens_this_year(client, sess):
    html = client.get("/targets/").get_data(as_text=True)
    assert "未声明工作目标" in html


def test_wording_fit_for_an_official_site(client, sess):
    assert load_demo(sess).ok
    pages = [client.get(p).get_data(as_text=True) for p in ("/targets/2020/", "/targets/2020/qa_rate/")]
    for html in pages:
        assert "拖后腿" not in html
        assert "<code>" not in html  # no field names of the declaration file
    assert "影响达标的条目" in pages[0] and "影响达标的条目" in pages[1]
    assert "按工作目标声明的口径判定" in pages[0]

"""The 任务分工 table of a work plan: every task in full, with its lead and its other units."""

from __future__ import annotations

import re

from tests.demo_snapshot import load_demo


def _row(html: str, no: str) -> str:
    match = re.search(rf'<tr id="measure-{no}">(.*?)</tr>', html, re.S)
    assert match, f"no row for measure {no}"
    return re.sub(r"\s+", " ", match.group(1))


def test_every_task_is_shown_in_full_with_lead_and_other_units(client, sess):
    assert load_demo(sess).ok
    html = client.get("/policies/2020-key-points/").get_data(as_text=True)
    row = _row(html, "27")
    # 200 characters: it used to end in "..." after 120.
    assert "建立并公布区政府重大决策事项目录。" in row and "..." not in row
    assert "牵头单位：</span>区政府办公室、区司法局、区政务服务局" in row
    assert "负责落实：</span>区政府各部门" in row
    assert "—" not in html.split('id="measures"', 1)[1]
    # Tasks with responsible units only name them instead of a dash.
    html = client.get("/policies/2020-measures-4/").get_data(as_text=True)
    row = _row(html, "2")
    assert "常态化推进“亲清会”工作机制，解难题促发展。" in row
    assert "区政府办、区发展改革委、区财政局、区商务局、北京金融街服务局、西城园管委会" in row
    assert "—" not in html.split('id="measures"', 1)[1].split("</table>", 1)[0]
    assert '<td class="measure-no">2</td>' in row

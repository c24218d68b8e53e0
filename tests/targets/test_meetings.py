"""The meetings register: staff fill it in, the public sees open meetings and their minutes."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from portal.models import Agency, AuditEntry, Meeting, Target
from portal.services.loader import load_content
from tests.targets.builders import agency, build_year

CONTENT = Path(__file__).resolve().parents[2] / "content"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_public_page_lists_only_open_meetings_that_took_place(client, sess):
    build_year(sess)
    html = client.get("/meetings/").get_data(as_text=True)
    for slug in ("m20-experts", "m20-stream", "m20-media", "m20-gov", "m19-open"):
        assert f"/meetings/{slug}/" in html
    for slug in ("m20-closed", "m20-cancel", "m19-a"):
        assert f"/meetings/{slug}/" not in html
    assert "/meetings/m19-open/" not in client.get("/meetings/?year=2020").get_data(as_text=True)
    page = client.get("/meetings/m20-experts/").get_data(as_text=True)
    assert "专家学者" in page and "专家意见" in page and page.count("<h1>") == 1
    assert client.get("/meetings/m20-closed/").status_code == 404
    assert client.get("/meetings/m20-cancel/").status_code == 404


def test_staff_register_a_meeting_and_it_counts(client, sess, make_user, login_as):
    dept = agency(sess, "dept", "区发改委", "department")
    sess.commit()
    login_as(make_user("ed", roles=["editor"]))
    form = client.get("/admin/meetings/new")
    assert form.status_code == 200, form.get_data(as_text=True)[-800:]
    token = csrf(form.get_data(as_text=True))
    bad = client.post(
        "/admin/meetings/new",
        data={
            "csrf_token": token,
            "title": "",
            "held_on": "2020-13-01",
            "agency_id": str(dept.id),
            "stream_url": "ftp://x",
        },
    )
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "请填写会议名称" in text and "年-月-日" in text and "直播链接须以" in text
    assert sess.scalar(select(func.count(Meeting.id))) == 0
    assert (
        client.post(
            "/admin/meetings/new",
            data={"title": "无令牌", "agency_id": str(dept.id), "held_on": "2020-06-01"},
        ).status_code
        == 400
    )
    ok = client.post(
        "/admin/meetings/new",
        data={
            "csrf_token": token,
            "title": "营商环境座谈会",
            "agency_id": str(dept.id),
            "held_on": "2020-06-01",
            "invited": ["public", "media"],
            "minutes_md": "**纪要**<script>alert(1)</script>",
        },
    )
    assert ok.status_code == 302
    meeting = sess.scalars(select(Meeting)).one()
    assert meeting.is_open and meeting.invited == ["public", "media"] and meeting.slug == "meeting-2020-06-01"
    page = client.get(f"/meetings/{meeting.slug}/").get_data(as_text=True)
    assert "<strong>纪要</strong>" in page and "<script>alert" not in page
    shown = client.get(f"/admin/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert 'value="营商环境座谈会"' in shown and 'value="2020-06-01"' in shown
    assert 'value="public" checked' in shown and 'value="experts">' in shown
    odd = client.post(
        f"/admin/meetings/{meeting.id}/edit",
        data={"csrf_token": token, "title": "营商环境座谈会", "agency_id": str(dept.id),
              "held_on": "2020-06-01", "invited": ["public", "pets"]},
    )  # fmt: skip
    assert odd.status_code == 400 and "邀请对象只能是企业市民代表、专家学者或媒体" in odd.get_data(
        as_text=True
    )
    # Edit: no invitation and no stream makes it a closed meeting, gone from the public page.
    edit = client.post(
        f"/admin/meetings/{meeting.id}/edit",
        data={
            "csrf_token": token,
            "title": "营商环境座谈会",
            "agency_id": str(dept.id),
            "held_on": "2020-06-01",
        },
    )
    assert edit.status_code == 302
    sess.expire_all()
    assert not sess.get(Meeting, meeting.id).is_open
    assert client.get(f"/meetings/{meeting.slug}/").status_code == 404
    assert client.post(f"/admin/meetings/{meeting.id}/delete", data={"csrf_token": token}).status_code == 302
    assert sess.scalar(select(func.count(Meeting.id))) == 0
    actions = sess.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "meeting")).all()
    assert actions == ["meeting.create", "meeting.update", "meeting.delete"]


def test_staff_of_one_agency_cannot_touch_another_agencys_meetings(client, sess, make_user, login_as):
    agencies = build_year(sess)
    login_as(make_user("street-ed", roles=["editor"], agency=agencies["street"]))
    listing = client.get("/admin/meetings/").get_data(as_text=True)
    assert "会议m20-closed" in listing and "会议m20-experts" not in listing
    other = sess.scalars(select(Meeting).where(Meeting.slug == "m20-experts")).one()
    assert client.get(f"/admin/meetings/{other.id}/edit").status_code == 403
    token = csrf(client.get("/admin/meetings/new").get_data(as_text=True))
    refused = client.post(
        "/admin/meetings/new",
        data={
            "csrf_token": token,
            "title": "x",
            "agency_id": str(agencies["dept"].id),
            "held_on": "2020-01-02",
        },
    )
    assert refused.status_code == 400 and "只能登记本单位的会议" in refused.get_data(as_text=True)


def test_anonymous_visitors_must_sign_in(client):
    assert client.get("/admin/meetings/").status_code in (302, 401)
    assert client.post("/admin/meetings/new", data={"title": "x"}).status_code in (302, 401)


def test_signed_in_without_a_role_is_refused(client, sess, make_user, login_as):
    login_as(make_user("nobody", roles=[]))
    assert client.get("/admin/meetings/").status_code == 403


def test_demo_content_loads_and_shows_real_figures(client, sess):
    report = load_content(sess, CONTENT)
    assert not [e for e in report.errors if "meetings" in e or "targets" in e], report.errors
    assert sess.scalar(select(func.count(Target.id)).where(Target.year == 2020)) == 5
    again = load_content(sess, CONTENT)
    assert not again.created and not again.updated
    html = client.get("/targets/2020/").get_data(as_text=True)
    assert "66.7%（4/6）" in html and "40.0%（2/5）" in html
    assert "区政府常务会议" in client.get("/meetings/").get_data(as_text=True)


def test_targets_file_errors_name_the_line_and_removed_targets_go(sess, tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    path = root / "targets.yml"
    path.write_text(
        "years:\n  2020:\n    targets:\n      - key: qa_rate\n        goal: 60\n"
        "      - key: meeting_openness_growth\n        goal: 20\n",
        "utf-8",
    )
    first = load_content(sess, root)
    assert first.ok and sorted(first.created) == [
        "target:2020:meeting_openness_growth",
        "target:2020:qa_rate",
    ]
    growth = sess.scalars(select(Target).where(Target.key == "meeting_openness_growth")).one()
    assert growth.unit == "points"  # the default reading of "提升20%"
    path.write_text("years:\n  2020:\n    targets:\n      - key: qa_rate\n        goal: 70\n", "utf-8")
    second = load_content(sess, root)
    assert second.ok and sess.scalars(select(Target.goal)).all() == [70.0]
    path.write_text(
        "years:\n  2020:\n    targets:\n      - key: qa_rate\n        goal: 60\n"
        "  2021:\n    targets:\n      - key: growth_of_happiness\n",
        "utf-8",
    )
    bad = load_content(sess, root)
    assert bad.errors == [
        f"{path}:8: year 2021, target 1: 'key' must be one of qa_rate, new_media_push_rate, "
        "predisclosure_rate_growth, meeting_openness_growth, zombie_boards"
    ]
    assert sess.scalars(select(Target.goal)).all() == [70.0]  # nothing half-written
    path.write_text(
        "years:\n  2020:\n    targets:\n      - key: meeting_openness_growth\n        unit: percent\n",
        "utf-8",
    )
    assert "unit must be one of points, relative" in load_content(sess, root).errors[0]


def test_meeting_file_errors_name_the_field(sess, tmp_path):
    root = tmp_path / "content"
    (root / "meetings").mkdir(parents=True)
    (root / "agencies.yml").write_text((CONTENT / "agencies.yml").read_text("utf-8"), "utf-8")
    (root / "meetings" / "a.yml").write_text("title: 会\nagency: 区发改委\nheld_on: 2020-02-30\n", "utf-8")
    (root / "meetings" / "b.yml").write_text(
        "title: 会\nagency: 没有这个单位\nheld_on: 2020-02-03\n", "utf-8"
    )
    (root / "meetings" / "c.yml").write_text(
        "title: 会\nagency: 区发改委\nheld_on: 2020-02-03\ninvited: [群众]\n", "utf-8"
    )
    report = load_content(sess, root)
    assert sorted(report.errors) == [
        f"{root}/meetings/a.yml:3: bad date '2020-02-30' in 'held_on' (expected YYYY-MM-DD)",
        f"{root}/meetings/b.yml:2: unknown agency '没有这个单位' in 'agency'",
        f"{root}/meetings/c.yml:4: unknown invited group '群众' (allowed: public, experts, media)",
    ]
    assert sess.scalar(select(func.count(Meeting.id))) == 0
    assert sess.scalar(select(func.count(Agency.id))) > 0

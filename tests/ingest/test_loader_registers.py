"""``portal load`` writes the registers (meetings, agencies, targets, the 公开专栏's categories and pages)
through the staff area's service functions: the staff rules hold for content files, with an English
message naming the file, line and field; nothing of a refused file is written; a reload of unchanged
content writes nothing, not even an audit row."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agency, AuditEntry, DisclosureCategory, InfoPage, Meeting, Target
from portal.services import channels, meetings
from portal.services.loader import load_content
from portal.services.targets import declaration
from portal.services.xxgk import offices
from tests.demo_snapshot import load_demo
from tests.ingest.test_loader_rules import _database

CONTENT = Path(__file__).resolve().parents[2] / "content"
MEETING = "title: 营商环境座谈会\nagency: 区发改委\nheld_on: 2020-06-01\ninvited: [public]\n"


def _count(sess: Session, model: type, *where: object) -> int:
    return sess.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _content(tmp_path: Path, folder: str = "", **files: str) -> Path:
    root = tmp_path / "content"
    (root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(CONTENT / "agencies.yml", root / "agencies.yml")
    for name, text in files.items():
        (root / folder / name).write_text(text, "utf-8")
    return root


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# -- meetings ---------------------------------------------------------------------------------------


def test_a_meeting_file_is_refused_by_the_staff_rules_with_the_field_named(sess, tmp_path):
    root = _content(
        tmp_path,
        "meetings",
        **{
            "long-title.yml": MEETING.replace("营商环境座谈会", "会" * 501),
            "ftp-stream.yml": MEETING + "stream_url: ftp://example.org/live\n",
            "no-date.yml": MEETING.replace("held_on: 2020-06-01\n", ""),
            "Bad_Name.yml": MEETING,
        },
    )
    errors = sorted(load_content(sess, root).errors)
    assert errors == [
        f"{root}/meetings/Bad_Name.yml:1: bad slug 'Bad_Name': a file name (without .md) of 2-127 "
        "lower-case letters, digits and hyphens",
        f"{root}/meetings/ftp-stream.yml:5: 'stream_url' must start with http:// or https:// "
        "(not 'ftp://example.org/live')",
        f"{root}/meetings/long-title.yml:1: 'title' must be at most 500 characters",
        f"{root}/meetings/no-date.yml:1: missing required field 'held_on' (YYYY-MM-DD)",
    ]
    assert _count(sess, Meeting) == 0
    assert _count(sess, AuditEntry, AuditEntry.object_type == "meeting") == 0


def test_the_staff_form_and_the_loader_refuse_a_meeting_by_one_rule(
    client, sess, tmp_path, make_user, login_as
):
    root = _content(tmp_path, "meetings", **{"ftp.yml": MEETING + "stream_url: ftp://x\n"})
    error = load_content(sess, root).errors[0]
    agency = sess.scalars(select(meetings.Agency).where(meetings.Agency.short_name == "区发改委")).one()
    form = meetings.MeetingForm("会", agency.id, None, [], "ftp://x")
    (problem,) = [p for p in meetings.check_meeting(sess, "content", form) if p.field == "stream_url"]
    assert error.endswith(problem.en)
    login_as(make_user("ed", roles=["editor"]))
    token = _csrf(client.get("/admin/meetings/new").get_data(as_text=True))
    page = client.post(
        "/admin/meetings/new",
        data={"csrf_token": token, "title": "会", "agency_id": str(agency.id), "held_on": "2020-06-01",
              "stream_url": "ftp://x"},
    )  # fmt: skip
    assert page.status_code == 400 and problem.zh in page.get_data(as_text=True)


def test_a_meeting_loads_through_the_staff_write_and_a_reload_of_the_same_values_writes_nothing(
    sess, tmp_path
):
    root = _content(tmp_path, "meetings", **{"2020-fgw-talk.yml": MEETING})
    assert load_content(sess, root).created[-1] == "meeting:2020-fgw-talk"
    meeting = sess.scalars(select(Meeting)).one()
    assert meeting.is_open and meeting.invited == ["public"]
    entries = sess.execute(
        select(AuditEntry.actor_name, AuditEntry.action).where(AuditEntry.object_type == "meeting")
    ).all()
    assert entries == [("content", "meeting.create")]
    # The file changes only by a comment: the meeting is the same, and nothing is recorded.
    (root / "meetings" / "2020-fgw-talk.yml").write_text("# 演示数据\n" + MEETING, "utf-8")
    again = load_content(sess, root)
    assert again.ok and "meeting:2020-fgw-talk" in again.unchanged
    assert _count(sess, AuditEntry, AuditEntry.object_type == "meeting") == 1


# -- agencies ---------------------------------------------------------------------------------------

AGENCIES = """agencies:
  - slug: gov
    name: 某区人民政府
    kind: government
  - slug: ministry
    name: 某区某某部
    kind: ministry
  - slug: Bad Slug
    name: 某区某某局
  - slug: twin
    name: 某区人民政府
  - slug: office
    name: 某区政务服务局
    parent: gov
    foi_office:
      phone: 请来电
      email: xxgk@example.org
  - slug: fine
    name: 某区发展改革委
    parent: gov
    foi_office:
      phone: '010-88064000'
      postal: 某区某路1号，100032
"""


def test_agencies_yml_is_held_to_the_admins_rules_entry_by_entry_at_the_line_of_the_field(sess, tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    (root / "agencies.yml").write_text(AGENCIES, "utf-8")
    report = load_content(sess, root)
    path = root / "agencies.yml"
    assert report.errors == [
        f"{path}:7: unknown kind 'ministry' (allowed: government, party, department, street, other)",
        f"{path}:8: bad slug 'Bad Slug' (2-64 lower-case letters, digits and hyphens)",
        f"{path}:11: name '某区人民政府' is used by another agency",
        f"{path}:16: foi_office phone '请来电' may hold only digits, area-code brackets, hyphens and 转 "
        "(e.g. 010-88064000)",
    ]
    # A refused entry writes nothing, its office neither; the others load.
    assert sess.scalars(select(Agency.slug).order_by(Agency.position)).all() == ["gov", "fine"]
    fine = sess.scalars(select(Agency).where(Agency.slug == "fine")).one()
    assert (fine.foi_phone, fine.parent.slug, fine.position) == ("010-88064000", "gov", 5)
    entries = sess.execute(
        select(AuditEntry.actor_name, AuditEntry.action).where(AuditEntry.object_type == "agency")
    ).all()
    assert set(entries) == {("content", "agency.create"), ("content", "agency.update")}


def test_agencies_yml_refuses_a_name_with_an_invisible_character_by_the_issuers_rule(sess, tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    (root / "agencies.yml").write_text('agencies:\n  - slug: gov\n    name: "某区人民\\u200b政府"\n', "utf-8")
    report = load_content(sess, root)
    assert report.errors == [
        f"{root / 'agencies.yml'}:3: 'name' '某区人民\ufffd政府' must have letters and no control or "
        "invisible characters"
    ]
    assert _count(sess, Agency) == 0


def test_the_admins_office_form_and_the_loader_refuse_a_phone_by_one_rule(
    client, sess, tmp_path, make_user, login_as
):
    (problem,) = offices.check_office({"foi_phone": "请来电"})
    root = tmp_path / "content"
    root.mkdir()
    (root / "agencies.yml").write_text(AGENCIES, "utf-8")
    assert any(e.endswith(problem.en) for e in load_content(sess, root).errors)
    fine = sess.scalars(select(Agency).where(Agency.slug == "fine")).one()
    login_as(make_user("root", roles=["admin"]))
    url = f"/admin/xxgk/offices/{fine.id}"
    token = _csrf(client.get(url).get_data(as_text=True))
    page = client.post(url, data={"csrf_token": token, "foi_phone": "请来电"})
    assert page.status_code == 400 and problem.zh in page.get_data(as_text=True)
    sess.expire_all()
    assert sess.get(Agency, fine.id).foi_phone == "010-88064000"


def test_a_reload_sets_back_the_fields_the_file_gives_and_keeps_the_others(sess, tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    path = root / "agencies.yml"
    path.write_text(AGENCIES, "utf-8")
    load_content(sess, root)
    fine = sess.scalars(select(Agency).where(Agency.slug == "fine")).one()
    offices.save(sess, "admin-on-site", fine, {"foi_phone": "010-88064999", "foi_fax": "010-88064998"})
    channels.save_agency(
        sess,
        "admin-on-site",
        channels.AgencyForm("fine", "某区发展和改革委员会", "区发改委", "department", fine.parent_id),
        fine,
    )
    sess.commit()
    audit = _count(sess, AuditEntry)
    # agencies.yml is configuration: each load sets back the fields it gives and leaves the fax alone.
    report = load_content(sess, root)
    assert "agency:fine" in report.updated
    sess.expire_all()
    fine = sess.get(Agency, fine.id)
    assert (fine.name, fine.short_name, fine.foi_phone, fine.foi_fax) == (
        "某区发展改革委",
        "",
        "010-88064000",
        "010-88064998",
    )
    assert _count(sess, AuditEntry) == audit + 2  # the agency's fields, its office's
    again = load_content(sess, root)
    assert "agency:fine" in again.unchanged and _count(sess, AuditEntry) == audit + 2


# -- targets ----------------------------------------------------------------------------------------


def test_targets_yml_is_declared_by_the_service_and_a_refused_year_writes_nothing(sess, tmp_path):
    root = tmp_path / "content"
    root.mkdir()
    path = root / "targets.yml"
    path.write_text("years:\n  2020:\n    targets:\n      - key: qa_rate\n        goal: 60\n", "utf-8")
    assert load_content(sess, root).created == ["target:2020:qa_rate"]
    entries = sess.execute(
        select(AuditEntry.actor_name, AuditEntry.action).where(AuditEntry.object_type == "target")
    ).all()
    assert entries == [("content", "target.create")]
    path.write_text(
        "years:\n  2020:\n    targets:\n      - key: qa_rate\n        goal: 70\n"
        "  2021:\n    targets:\n      - key: qa_rate\n        goal: 160\n",
        "utf-8",
    )
    (problem,) = declaration.check_year(2021, [declaration.Goal("qa_rate", 160)])
    assert load_content(sess, root).errors == [f"{path}:9: {problem.en}"]  # the line of its goal
    assert problem.en == "year 2021, target 1: a rate goal is a percentage between 0 and 100"
    assert sess.scalars(select(Target.goal)).all() == [60.0]  # 2020's change is not half-written either


# -- the 公开专栏: categories and information pages --------------------------------------------------

PAGE = """---
title: 2020年部门预算
category: czys
agency: 区政府办
published_on: 2020-02-21
---

预算公开如下。
"""


def test_an_information_page_is_held_to_the_date_and_title_rules_of_the_staff_forms(sess, tmp_path):
    root = _content(
        tmp_path,
        "xxgk/pages",
        **{
            "future.md": PAGE.replace("2020-02-21", "2999-01-01"),
            "long.md": PAGE.replace("2020年部门预算", "预" * 501),
            "fine.md": PAGE,
        },
    )
    report = load_content(sess, root)
    pages = root / "xxgk" / "pages"
    assert sorted(report.errors) == [
        f"{pages}/future.md:5: 'published_on' 2999-01-01 must be between 1949-10-01 and today",
        f"{pages}/long.md:2: 'title' must be at most 500 characters",
    ]
    assert sess.scalars(select(InfoPage.slug)).all() == ["fine"]
    entries = sess.execute(
        select(AuditEntry.actor_name, AuditEntry.action).where(AuditEntry.object_type == "infopage")
    ).all()
    assert entries == [("content", "page.create")]


def test_a_category_slug_longer_than_its_column_is_refused_and_nothing_is_written(sess, tmp_path):
    root = _content(
        tmp_path,
        "xxgk",
        **{"categories.yml": "categories:\n  - slug: szjs\n    name: 市政建设\n"
           f"  - slug: {'a' * 33}\n    name: 太长\n"},
    )  # fmt: skip
    report = load_content(sess, root)
    assert report.errors == [
        f"{root}/xxgk/categories.yml:1: category 2: bad slug '{'a' * 33}' (2-32 lower-case letters, "
        "digits, '-', starting with a letter)"
    ]
    assert sess.scalars(select(DisclosureCategory)).all() == []


def test_a_second_load_of_the_demo_changes_no_row_and_adds_no_audit_entry(sess):
    first = load_demo(sess)
    assert first.ok, first.errors
    before = _database(sess)
    again = load_content(sess, CONTENT)
    assert again.ok and not again.created and not again.updated, (again.created, again.updated)
    assert _database(sess) == before

"""``portal load`` writes consultations through the staff services: the rules of the staff area hold for a
content file too (each test here loaded before the loader went through them), the audit log names the
``content`` actor, and a reload does not take back what staff did on the site."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEntry, Comment, Consultation, Viewpoint
from portal.services import consultations as service
from portal.services.loader import load_content
from tests.consultations.test_content import _content

REPORTED = """---
title: 已结束的征集
agency: 区政府办
kind: other
opens: 2020-05-11
closes: 2020-05-25
status: reported
report:
  published_on: 2020-06-05
  summary: 现将意见采纳情况反馈如下。
viewpoints:
  - key: minutes
    summary: 会议纪要发布时限偏长
    disposition: partly
    reason: 已缩短为2个工作日。
comments:
  - receipt: T-0001
    received_on: 2020-05-12
    clause: 第一项
    body: 会议纪要应当尽快发布。
    viewpoint: minutes
  - receipt: T-0002
    received_on: 2020-05-13
    body: 与征集无关的广告
    moderation: rejected
    reason: 与征集事项无关
---
一、会议纪要在会议结束3个工作日内发布。

二、精简会议材料。
"""


def _count(sess: Session, model: type, *where: object) -> int:
    return sess.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _refused(sess: Session, tmp_path, text: str) -> str:  # noqa: ANN001
    report = load_content(sess, _content(tmp_path, text))
    assert len(report.errors) == 1, report.errors
    assert _count(sess, Consultation) == 0 and _count(sess, Comment) == 0 and _count(sess, Viewpoint) == 0
    assert _count(sess, AuditEntry, AuditEntry.object_type == "consultation") == 0
    return report.errors[0]


def test_the_demo_like_file_loads_through_the_staff_steps_audited_as_content(sess, tmp_path):
    root = _content(tmp_path, REPORTED)
    assert load_content(sess, root).ok
    c = sess.scalars(select(Consultation)).one()
    assert c.status == "reported" and c.report_published_at.date().isoformat() == "2020-06-05"
    actions = Counter(
        (actor, action)
        for actor, action in sess.execute(
            select(AuditEntry.actor_name, AuditEntry.action).where(AuditEntry.object_type == "consultation")
        )
    )
    assert actions == Counter(
        {
            ("content", "consultation.create"): 1,
            ("content", "comment.enter"): 2,
            ("content", "comment.publish"): 1,
            ("content", "comment.reject"): 1,
            ("content", "consultation.close"): 1,
            ("content", "consultation.viewpoint"): 1,
            ("content", "comment.disposition"): 1,
            ("content", "consultation.report"): 1,
        }
    )
    accepted = sess.scalars(select(Comment).where(Comment.receipt_code == "T-0001")).one()
    assert (accepted.disposition, accepted.viewpoint.summary) == ("partly", "会议纪要发布时限偏长")
    before = _count(sess, AuditEntry)
    again = load_content(sess, root)
    assert again.ok and again.unchanged[-1] == "consultation:yjzj-c" and _count(sess, AuditEntry) == before


def test_a_disposition_other_than_adopted_needs_a_reason_as_in_the_staff_area(sess, tmp_path):
    error = _refused(sess, tmp_path, REPORTED.replace("    reason: 已缩短为2个工作日。\n", ""))
    assert "c.md:11: viewpoint minutes: a disposition 'partly' (部分采纳) needs a reason" in error


def test_a_report_answers_every_accepted_comment_as_in_the_staff_area(sess, tmp_path):
    error = _refused(sess, tmp_path, REPORTED.replace("    viewpoint: minutes\n", ""))
    assert "c.md:8: 1 accepted comment(s) have no disposition" in error


def test_a_consultation_offers_a_channel_as_in_the_staff_area(sess, tmp_path):
    error = _refused(
        sess, tmp_path, REPORTED.replace("status: reported", "channels:\n  online: false\nstatus: reported")
    )
    assert "c.md:7: 'channels' must offer at least one way to comment" in error


def test_a_consultation_is_not_closed_before_its_period_ends_as_in_the_staff_area(sess, tmp_path):
    text = REPORTED.replace("closes: 2020-05-25", "closes: +5d").replace("status: reported", "status: closed")
    text = text.split("viewpoints:")[0] + "---\n" + text.split("---\n", 2)[2]
    error = _refused(sess, tmp_path, text)
    assert "c.md:7: the period runs until" in error and "not closed early" in error


def test_a_reload_does_not_reopen_a_consultation_staff_closed(sess, tmp_path, make_user):
    open_one = REPORTED.split("status: reported")[0] + "---\n" + REPORTED.split("---\n", 2)[2]
    root = _content(tmp_path, open_one)
    assert load_content(sess, root).ok
    c = sess.scalars(select(Consultation)).one()
    service.close_consultation(sess, make_user("editor", ["editor"]), c)
    (root / "consultations" / "yjzj-c.md").write_text(
        open_one.replace("已结束的征集", "征集（修改标题）"), "utf-8"
    )
    report = load_content(sess, root)
    assert len(report.errors) == 1
    assert (
        "'yjzj-c' is 'closed' on the site; a reload does not take it back to 'published'" in report.errors[0]
    )
    sess.expire_all()
    assert sess.scalars(select(Consultation)).one().title == "已结束的征集"

"""``content/consultations/``: the demo loads, relative periods, errors by line, idempotent reloads."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from portal.models import Comment, Consultation
from portal.services import consultations as service
from portal.services.consultations.rules import local_today
from portal.services.loader import load_content

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_demo_has_an_open_consultation_and_a_reported_one_linked_to_its_policy(client, sess):
    report = load_content(sess, CONTENT)
    assert report.ok, report.errors
    opened = sess.scalars(select(Consultation).where(Consultation.slug == "yishenqing-gongkai-guiding")).one()
    assert service.phase(opened) == "open" and (opened.closes_on - local_today()).days == 27
    assert [c.label for c in opened.clauses if c.label][:3] == ["第一条", "第二条", "第三条"]
    listing = client.get("/consultations/").get_data(as_text=True)
    assert "正在征集（1）" in listing and "剩余27天" in listing
    report_page = client.get("/consultations/2020-zhuanzuofeng-cuoshi/report/").get_data(as_text=True)
    assert "/policies/2020-measures-4/" in report_page and 'n-adopted">2<' in report_page
    assert "与征集事项无关的广告信息（1条）" in report_page and "reader@example.com" not in report_page
    policy = client.get("/policies/2020-measures-4/").get_data(as_text=True)
    assert "/consultations/2020-zhuanzuofeng-cuoshi/report/" in policy
    page = client.get("/consultations/2020-zhuanzuofeng-cuoshi/").get_data(as_text=True)
    assert "第四项</a>（2条）" in page  # the duplicate and the rejected one are not listed
    # Loading again changes nothing.
    again = load_content(sess, CONTENT)
    assert again.ok and not again.created and not again.updated
    assert sess.scalar(select(func.count(Comment.id))) == 6


def _content(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "content"
    (root / "consultations").mkdir(parents=True)
    shutil.copy(CONTENT / "agencies.yml", root / "agencies.yml")
    (root / "consultations" / "yjzj-c.md").write_text(text, encoding="utf-8")
    return root


SHORT = """---
title: 重大事项
agency: 区政府办
kind: major_decision
opens: -1d
closes: +10d
---
第一条 内容。
"""


def test_short_period_without_reason_is_an_error_with_its_line(sess, tmp_path):
    report = load_content(sess, _content(tmp_path, SHORT))
    assert len(report.errors) == 1 and "c.md:6:" in report.errors[0]
    assert "a major decision is open for comment at least 30 days, this period has 12" in report.errors[0]
    assert sess.scalar(select(func.count(Consultation.id))) == 0
    fixed = SHORT.replace("closes: +10d", "closes: +10d\nshort_period_reason: 上级要求月底前报送")
    (tmp_path / "content" / "consultations" / "yjzj-c.md").write_text(fixed, encoding="utf-8")
    assert load_content(sess, tmp_path / "content").ok


def test_unknown_clause_in_a_comment_is_reported(sess, tmp_path):
    text = SHORT.replace("kind: major_decision", "kind: other") + ""
    text = text.replace(
        "---\n第一条", "comments:\n  - receipt: X1\n    body: 意见\n    clause: 第九条\n---\n第一条"
    )
    report = load_content(sess, _content(tmp_path, text))
    assert report.errors and "no clause '第九条'" in report.errors[0]


def test_correcting_the_draft_keeps_comments_on_their_clause(sess, tmp_path):
    root = _content(tmp_path, SHORT.replace("kind: major_decision", "kind: other") + "\n第二条 其他。\n")
    load_content(sess, root)
    c = sess.scalars(select(Consultation)).one()
    comment, _ = service.submit_comment(
        sess, c, service.CommentInput(body="对第二条的意见", idempotency_key="x" * 20, clause_number=2)
    )
    (root / "consultations" / "yjzj-c.md").write_text(
        SHORT.replace("kind: major_decision", "kind: other") + "\n第二条 其他（修改）。\n", encoding="utf-8"
    )
    assert load_content(sess, root).updated == ["consultation:yjzj-c"]
    sess.expire_all()
    assert comment.clause.label == "第二条" and "修改" in comment.clause.text_md

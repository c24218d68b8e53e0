"""``portal load`` writes gazette issues through the staff services: the staff area's rules hold for a
content file too, the audit log names the ``content`` actor, and a reload respects a withdrawal made on
the site."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEntry, GazetteIssue, User
from portal.services import gazette_assembly
from portal.services.loader import load_content
from tests.gazette.test_gazette import ISSUE, gazette_content


def _issues(sess: Session) -> int:
    return sess.scalar(select(func.count(GazetteIssue.id))) or 0


def _gazette_audit(sess: Session) -> list[tuple[str, str]]:
    rows = sess.execute(
        select(AuditEntry.actor_name, AuditEntry.action)
        .where(AuditEntry.object_type == "gazetteissue")
        .order_by(AuditEntry.id)
    )
    return [(actor, action) for actor, action in rows]


def test_a_document_that_is_not_public_is_refused_as_in_the_staff_area(sess, tmp_path):
    # The staff area takes only published, actively disclosed documents into an issue (add_entry).
    root = gazette_content(tmp_path, issue=ISSUE.replace("[other]", "[other, secret]"))
    report = load_content(sess, root)
    assert report.errors == [
        f"{root}/gazette/2020-05.yml:6: document 'secret' is not published and actively disclosed "
        "(主动公开): only public documents go in an issue"
    ]
    assert _issues(sess) == 0 and _gazette_audit(sess) == []


def test_a_printed_date_outside_the_issue_year_is_refused_as_in_the_staff_area(sess, tmp_path):
    root = gazette_content(
        tmp_path, issue=ISSUE.replace("published_on: 2020-05-15", "published_on: 2018-05-15")
    )
    report = load_content(sess, root)
    assert report.errors == [
        f"{root}/gazette/2020-05.yml:4: 'published_on' 2018-05-15 must fall in 2020 (or early 2021 for the "
        "year's last issue)"
    ]
    assert _issues(sess) == 0


def test_a_category_split_in_two_is_refused_as_at_a_staff_publication(sess, tmp_path):
    split = ISSUE.replace(
        "    documents: [other]\n",
        "    documents: [other]\n  - category: 区政府办公室文件\n    documents: [x]\n",
    )
    root = gazette_content(tmp_path, issue=split.replace("[x]", "[x1]"))
    (root / "policies" / "x1.md").write_text(
        (root / "policies" / "other.md")
        .read_text("utf-8")
        .replace("另一份文件", "第三份文件")
        .replace("6号", "7号"),
        encoding="utf-8",
    )
    report = load_content(sess, root)
    assert len(report.errors) == 1, report.errors
    assert "2020-05.yml:6: the documents of a category are listed together" in report.errors[0]
    assert "'区政府办公室文件'" in report.errors[0]
    assert _issues(sess) == 0


def test_a_load_is_audited_as_content_through_the_staff_steps_and_a_reload_writes_nothing(sess, tmp_path):
    root = gazette_content(tmp_path)
    assert load_content(sess, root).ok
    assert _gazette_audit(sess) == [
        ("content", "gazette.create"),
        ("content", "gazette.contents"),
        ("content", "gazette.publish"),
    ]
    issue = sess.scalars(select(GazetteIssue)).one()
    assert issue.status == "published" and [e.document.slug for e in issue.entries] == ["good", "other"]
    again = load_content(sess, root)
    assert again.unchanged[-1] == "gazette:2020-05" and not again.updated
    assert len(_gazette_audit(sess)) == 3
    # A changed file corrects the published issue: one audit row per kind of change.
    (root / "gazette" / "2020-05.yml").write_text(
        ISSUE.replace("running_number: 125", "running_number: 126"), "utf-8"
    )
    assert load_content(sess, root).updated == ["gazette:2020-05"]
    assert _gazette_audit(sess)[3:] == [("content", "gazette.update")]
    assert sess.scalars(select(GazetteIssue)).one().running_number == 126


def test_a_reload_does_not_publish_again_an_issue_withdrawn_on_the_site(sess, tmp_path, make_user):
    root = gazette_content(tmp_path)
    assert load_content(sess, root).ok
    publisher: User = make_user("publisher", ["publisher"])
    issue = sess.scalars(select(GazetteIssue)).one()
    gazette_assembly.withdraw_issue(sess, publisher, issue, "期号有误")
    sess.commit()
    (root / "gazette" / "2020-05.yml").write_text(
        ISSUE.replace("running_number: 125", "running_number: 126"), "utf-8"
    )
    report = load_content(sess, root)
    assert len(report.errors) == 1 and "was withdrawn on the site (期号有误)" in report.errors[0]
    sess.expire_all()
    issue = sess.scalars(select(GazetteIssue)).one()
    assert (issue.status, issue.running_number) == ("withdrawn", 125)

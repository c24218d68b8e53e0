"""``portal load`` goes through the staff area's services: the same field rules, the publication rules
(personal data, 三同步), versions (更新记录) and the audit log, as the system actor ``content``."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import Base
from portal.models import AuditEntry, Document, DocumentVersion, Interpretation, PublicationWaiver
from portal.models.subscriptions import SubscriptionEvent
from portal.services import editing, publishing
from portal.services.loader import load_content
from tests.ingest.test_content_loader import GOOD, QA, make_content

ID_NUMBER = "11010519491231002X"  # a well-formed resident ID number (valid date and check digit)
NORMATIVE = GOOD.replace("topics:", "normative: true\nregistration_no: 西政规〔2020〕1号\ntopics:")


def _count(sess: Session, model: type, *where: object) -> int:
    return sess.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _database(sess: Session) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: what "the database did not change" compares."""
    sess.expire_all()
    out = {}
    for table in Base.metadata.sorted_tables:
        rows = sess.execute(select(table)).all()
        out[table.name] = sorted((tuple(map(repr, row)) for row in rows), key=repr)
    return out


def test_a_file_with_an_id_card_number_is_refused_by_file_and_field_and_writes_nothing(sess, tmp_path):
    root = make_content(tmp_path, good=GOOD.replace("正文", f"联系人身份证号{ID_NUMBER}。"))
    report = load_content(sess, root)
    assert len(report.errors) == 1, report.errors
    assert "good.md:" in report.errors[0]
    assert (
        "personal data must not be published: ID card number 1101**********002X in 正文" in report.errors[0]
    )
    assert ID_NUMBER not in report.errors[0]  # the message does not spread the number either
    assert _count(sess, Document) == 0
    assert _count(sess, AuditEntry, AuditEntry.object_type == "document") == 0


def test_an_interpretation_with_personal_data_is_refused_with_its_document(sess, tmp_path):
    root = make_content(tmp_path, good=GOOD, good_qa=QA.replace("答案一。", "请拨打13912345678。"))
    report = load_content(sess, root)
    errors = "\n".join(report.errors)
    assert "interpretations/good.md:" in errors and "mobile number" in errors
    assert "not loaded with it: good.md" in errors  # they go public together or not at all
    assert _count(sess, Document) == 0 and _count(sess, Interpretation) == 0


def test_first_load_publishes_through_the_workflow_as_content(sess, tmp_path):
    report = load_content(sess, make_content(tmp_path, good=GOOD, good_qa=QA))
    assert report.ok, report.errors
    doc = sess.scalars(select(Document)).one()
    assert doc.status == "published" and doc.published_at.date().isoformat() == "2020-04-24"
    actions = sess.execute(
        select(AuditEntry.actor_name, AuditEntry.action).where(AuditEntry.object_type == "document")
    ).all()
    assert actions == [
        ("content", "document.create"),
        ("content", "document.approve"),
        ("content", "document.publish"),
    ]
    assert [v.change_note for v in publishing.versions(sess, doc)] == ["首次发布"]
    interp = sess.scalars(select(Interpretation)).one()
    assert interp.status == "published"  # approved by its file, published with its document
    # A publication raises the events a staff publication raises; nobody has subscribed, nobody is told.
    assert {e.kind for e in sess.scalars(select(SubscriptionEvent))} == {"new"}


def test_a_reload_of_a_changed_document_adds_one_version_and_one_audit_row(sess, tmp_path):
    root = make_content(tmp_path, good=GOOD)
    load_content(sess, root)
    audit, versions = _count(sess, AuditEntry), _count(sess, DocumentVersion)
    (root / "policies" / "good.md").write_text(GOOD.replace("正文", "修改后的正文"), "utf-8")
    report = load_content(sess, root)
    assert report.updated == ["document:good"], report.errors
    assert _count(sess, DocumentVersion) == versions + 1
    assert _count(sess, AuditEntry) == audit + 1
    entry = sess.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.actor_name, entry.action) == ("content", "document.update")
    doc = sess.scalars(select(Document)).one()
    latest = publishing.versions(sess, doc)[0]
    assert latest.user_name == "content" and latest.change_note == "依内容文件更新"
    assert "修改后的正文" in latest.snapshot["body_md"]
    assert {e.kind for e in sess.scalars(select(SubscriptionEvent))} == {"new", "amended"}


def test_an_unchanged_reload_writes_nothing(sess, tmp_path):
    root = make_content(tmp_path, good=GOOD, good_qa=QA)
    assert load_content(sess, root).ok
    before = _database(sess)
    report = load_content(sess, root)
    assert report.ok and not report.created and not report.updated
    assert {"document:good", "interpretation:good"} <= set(report.unchanged)
    assert _database(sess) == before


def test_a_normative_document_goes_out_with_its_interpretation_or_a_waiver(sess, tmp_path):
    alone = make_content(tmp_path / "a", good=NORMATIVE)
    report = load_content(sess, alone)
    assert "good.md:" in report.errors[0] and "三同步" in report.errors[0]
    assert _count(sess, Document) == 0

    waived = NORMATIVE.replace("topics:", "sync_waiver: 解读随后发布\ntopics:")
    (alone / "policies" / "good.md").write_text(waived, "utf-8")
    assert load_content(sess, alone).ok
    waiver = sess.scalars(select(PublicationWaiver)).one()
    assert waiver.reason == "解读随后发布" and waiver.user_id is None


def test_a_normative_document_with_its_interpretation_in_the_content_loads(sess, tmp_path):
    report = load_content(sess, make_content(tmp_path, good=NORMATIVE, good_qa=QA))
    assert report.ok, report.errors
    assert {d.status for d in sess.scalars(select(Document))} == {"published"}
    assert sess.scalars(select(Interpretation)).one().status == "published"


def test_a_reload_keeps_a_withdrawal_made_on_the_site(sess, tmp_path):
    root = make_content(tmp_path, good=GOOD)
    load_content(sess, root)
    doc = sess.scalars(select(Document)).one()
    publishing.withdraw(sess, "publisher-on-site", doc, "内容有误")
    sess.commit()
    (root / "policies" / "good.md").write_text(GOOD.replace("正文", "又改了"), "utf-8")
    report = load_content(sess, root)
    assert "good.md:" in report.errors[0] and "was withdrawn on the site (内容有误)" in report.errors[0]
    sess.expire_all()
    assert sess.scalars(select(Document)).one().status == "withdrawn"


def test_the_staff_form_and_the_loader_refuse_a_date_by_the_same_rule(sess, tmp_path):
    report = load_content(sess, make_content(tmp_path, good=GOOD.replace("2020-04-20", "2999-01-01")))
    assert "good.md:5: 'written_on' 2999-01-01 must be between 1949-10-01 and today" in report.errors[0]
    try:
        editing.parse_document_form(sess, {"title": "标题", "written_on": "2999-01-01"}, None)
    except editing.FormErrors as exc:
        assert exc.errors["written_on"] == "成文日期不能晚于今天，也不能早于 1949 年 10 月 1 日。"
    else:
        raise AssertionError("the staff form accepted a date in the future")

"""``portal load``: idempotent upsert by slug, per-file errors with line numbers, nothing half-written."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from portal.models import AuditEntry, Document, Interpretation
from portal.services.loader import load_content

AGENCIES = Path(__file__).resolve().parents[2] / "content" / "agencies.yml"

GOOD = """---
title: 西城区2020年政务公开工作要点
doc_number: 西政办发[2020]5号
agency: 区政府办
written_on: 2020-04-20
published_on: 2020-04-24
topics: [政务公开, 综合政务]
measures:
  - no: "1"
    text: 做好规划公开
    units: [市规划自然资源委西城分局]
---
## 一、总体要求

正文
"""

QA = """---
title: 一图读懂
document: good
qa:
  - q: 问题一？
    a: 答案一。
  - q: 问题二？
    a: 答案二。
---
"""


def make_content(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / "content"
    (root / "policies").mkdir(parents=True)
    (root / "interpretations").mkdir()
    shutil.copy(AGENCIES, root / "agencies.yml")
    for name, text in files.items():
        folder = "interpretations" if name.endswith("_qa") else "policies"
        (root / folder / f"{name.removesuffix('_qa')}.md").write_text(text, encoding="utf-8")
    return root


def test_loading_twice_changes_nothing(sess, tmp_path):
    root = make_content(tmp_path, good=GOOD, good_qa=QA)
    first = load_content(sess, root)
    assert first.ok, first.errors
    assert "document:good" in first.created
    audit_count = sess.scalar(select(func.count(AuditEntry.id)))
    stamp = sess.scalars(select(Document.updated_at)).one()

    second = load_content(sess, root)
    assert second.ok and not second.created and not second.updated
    assert sess.scalar(select(func.count(AuditEntry.id))) == audit_count
    assert sess.scalars(select(Document.updated_at)).one() == stamp


def test_changed_file_updates_its_record_and_keeps_publication_date(sess, tmp_path):
    root = make_content(tmp_path, good=GOOD)
    load_content(sess, root)
    published = sess.scalars(select(Document)).one().published_at
    (root / "policies" / "good.md").write_text(
        GOOD.replace("published_on: 2020-04-24", "published_on: 2021-01-01").replace("正文", "新正文"),
        "utf-8",
    )
    report = load_content(sess, root)
    assert report.updated == ["document:good"]
    sess.expire_all()
    doc = sess.scalars(select(Document)).one()
    assert "新正文" in doc.body_html
    assert doc.published_at == published  # 发布日期 is set once and never moves
    assert doc.doc_number_key == "西政办发〔2020〕5号"
    assert [t.name for t in doc.topics] == ["政务公开", "综合政务"]
    assert doc.measures[0].units == ["市规划自然资源委西城分局"]


def test_bad_files_report_file_and_line_and_load_nothing(sess, tmp_path):
    root = make_content(
        tmp_path,
        good=GOOD,
        unknown_agency=GOOD.replace("agency: 区政府办", "agency: 不存在的机关"),
        bad_date=GOOD.replace("written_on: 2020-04-20", "written_on: 2020-13-45"),
        no_title=GOOD.replace("title: 西城区2020年政务公开工作要点\n", ""),
        bad_measure=GOOD.replace("    text: 做好规划公开\n", ""),
    )
    (root / "interpretations" / "orphan.md").write_text(
        QA.replace("document: good", "document: nowhere"), "utf-8"
    )
    report = load_content(sess, root)
    errors = "\n".join(report.errors)
    assert "unknown_agency.md:4: unknown agency '不存在的机关'" in errors
    assert "bad_date.md:5: bad date '2020-13-45'" in errors
    assert "no_title.md:1: missing required field 'title'" in errors
    assert "bad_measure.md:" in errors and "measure 1" in errors
    assert "orphan.md:3: 'document' refers to unknown document 'nowhere'" in errors
    assert sess.scalars(select(Document.slug)).all() == ["good"]
    assert sess.scalar(select(func.count(Interpretation.id))) == 0


def test_failed_update_leaves_previous_version_intact(sess, tmp_path):
    root = make_content(tmp_path, good=GOOD)
    load_content(sess, root)
    (root / "policies" / "good.md").write_text(
        GOOD.replace("正文", "改过的正文").replace("agency: 区政府办", "agency: 不存在"), "utf-8"
    )
    report = load_content(sess, root)
    assert len(report.errors) == 1
    sess.expire_all()
    doc = sess.scalars(select(Document)).one()
    assert "改过的正文" not in doc.body_html and doc.agencies[0].short_name == "区政府办"


def test_disclosure_other_than_active_needs_reason(sess, tmp_path):
    root = make_content(tmp_path, secret=GOOD.replace("topics:", "disclosure: 不予公开\ntopics:"))
    report = load_content(sess, root)
    assert "disclosure_reason is required" in report.errors[0]


CITY = GOOD.replace("agency: 区政府办", "agency: 中共北京市委办公厅").replace(
    "西政办发[2020]5号", "京办发〔2019〕13号"
)


def test_issuers_and_owner_are_separate(sess, tmp_path):
    """发文机关 are the signing bodies, in order; the owner is the district agency that maintains it."""
    joint = GOOD.replace("agency: 区政府办", "agencies: [区政务服务局, 区政府办]")
    root = make_content(
        tmp_path,
        joint=joint,
        city=CITY.replace("agency: 中共北京市委办公厅", "agency: 中共北京市委办公厅\nowner: 区政府办"),
        orphan=CITY.replace("title: 西城区2020", "title: 另一个2020").replace("13号", "14号"),
        wrong_owner=CITY.replace("agency: 中共北京市委办公厅", "agency: 区政府办\nowner: 市委办公厅"),
    )
    report = load_content(sess, root)
    errors = "\n".join(report.errors)
    assert "wrong_owner.md:5: 'owner' must be a district agency" in errors
    docs = {d.slug: d for d in sess.scalars(select(Document))}
    assert set(docs) == {"joint", "city", "orphan"}
    # Every issuer outside the district and no owner: the district government maintains it.
    assert docs["orphan"].owner.slug == "xicheng-gov"
    # Files without 'owner' load as before: the first district issuer maintains the document.
    assert [a.short_name for a in docs["joint"].agencies] == ["区政务服务局", "区政府办"]
    assert docs["joint"].owner.short_name == "区政务服务局"
    assert [a.short_name for a in docs["city"].agencies] == ["市委办公厅"]
    assert docs["city"].owner.short_name == "区政府办"
    assert docs["city"].title_key == "西城区2020年政务公开工作要点"


def test_the_demo_content_names_its_owners(sess):
    from tests.conftest import CONTENT

    report = load_content(sess, CONTENT)
    assert report.ok, report.errors
    city = sess.scalars(select(Document).where(Document.doc_number == "京办发〔2019〕13号")).one()
    assert [a.name for a in city.agencies] == ["中共北京市委办公厅"] and city.agencies[0].external
    assert city.owner.slug == "xicheng-gov-office"
    assert len(city.fingerprint) == 4  # the body is long enough to be compared for duplicates

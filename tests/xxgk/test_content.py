"""``portal load`` and the column: a document's disclosure category (by slug or name; an unknown one is
refused with its line), the district's categories from content, the agencies' FOI office fields."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Agency, Document
from portal.services.loader import load_content
from portal.services.xxgk import staff as staff_service
from portal.services.xxgk.categories import lookup
from tests.ingest.test_content_loader import GOOD, make_content

DISTRICT = """categories:
  - slug: szjs
    name: 市政建设
    description: 道路、桥梁和市政设施
"""


def _with_category(value: str) -> str:
    return GOOD.replace("topics:", f"disclosure_category: {value}\ntopics:")


def test_an_unknown_category_is_refused_with_its_line_and_nothing_loads(sess, tmp_path):
    report = load_content(sess, make_content(tmp_path, good=_with_category("规划")))
    assert len(report.errors) == 1
    assert report.errors[0].endswith(
        "good.md:7: unknown disclosure_category '规划' (allowed: gzwj, jgzn, ghxx, tjxx, xzxk, xzcf, czys, "
        "xzsf, zfcg, zdxm, msbz, yjgl, jdjc, gwyzl, qtxx, xxgkzd; or a category's Chinese name)"
    )
    assert sess.scalars(select(Document)).all() == []


def test_a_category_by_name_or_slug_loads(sess, tmp_path):
    report = load_content(sess, make_content(tmp_path, good=_with_category("规划信息")))
    assert report.ok, report.errors
    assert sess.scalars(select(Document.disclosure_category)).one() == "ghxx"


def test_district_categories_come_from_content_and_leave_with_it(sess, tmp_path, make_user):
    root = make_content(tmp_path, good=_with_category("市政建设"))
    (root / "xxgk").mkdir()
    categories = root / "xxgk" / "categories.yml"
    categories.write_text(DISTRICT, encoding="utf-8")
    report = load_content(sess, root)
    assert report.ok, report.errors
    assert sess.scalars(select(Document.disclosure_category)).one() == "szjs"
    assert lookup(sess, "szjs").kind == "district"

    categories.write_text(DISTRICT.replace("szjs", "gzwj"), encoding="utf-8")
    report = load_content(sess, root)
    assert report.errors == [
        f"{categories}:1: category 1: 'gzwj' / '市政建设' is a statutory category already"
    ]

    categories.write_text("categories: []\n", encoding="utf-8")
    assert load_content(sess, root).ok
    assert lookup(sess, "szjs") is None
    # The document keeps its old category, which no section lists any more: the dashboard says so.
    admin = make_user("admin", ["admin"])
    assert [d.slug for d in staff_service.uncategorised(sess, admin)] == ["good"]


def test_agency_foi_office_fields_load_and_an_unknown_key_is_refused(sess, tmp_path):
    root = make_content(tmp_path)
    assert load_content(sess, root).ok
    gov = sess.scalars(select(Agency).where(Agency.slug == "xicheng-gov")).one()
    assert gov.foi_phone and gov.foi_postal.endswith("100032")

    text = (root / "agencies.yml").read_text("utf-8").replace("      fax:", "      telex:", 1)
    (root / "agencies.yml").write_text(text, encoding="utf-8")
    report = load_content(sess, root)
    assert len(report.errors) == 1 and "unknown foi_office field 'telex'" in report.errors[0]

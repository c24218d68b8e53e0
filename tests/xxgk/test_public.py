"""The column's public pages (/xxgk/): every section reachable and filled by the demo content, the
guide rendered from the agency records, empty sections marked, annual reports by year, the export."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from portal.export import freeze
from portal.models import Agency, Document
from portal.services import editing, publishing
from portal.services.publishing import PublishRequest
from portal.services.xxgk import pages
from portal.services.xxgk.categories import ANNUAL_REPORT_GENRE, STATUTORY
from portal.web.public_urls import all_public_urls
from tests.admin.conftest import document_form
from tests.demo_snapshot import load_demo

SECTIONS = ("/xxgk/xxgkzn/", "/xxgk/xxgkzd/", "/xxgk/fdzdgknr/", "/xxgk/xxgknb/")


@pytest.fixture
def app_overrides(app_overrides: dict) -> dict:
    return {**app_overrides, "page_cache_seconds": 0}


def test_demo_content_fills_every_section_and_every_page_passes_the_checker(app, client, sess, tmp_path):
    report = load_demo(sess)
    assert report.ok, report.errors
    # NORMS 2: one section per art 20 category plus the district's additions, none of them empty.
    counts = pages.section_counts(sess)
    assert [c.category.slug for c in counts][:15] == [c.slug for c in STATUTORY]
    assert len(counts) > 15, "the district's additions (content/xxgk/categories.yml) are missing"
    assert [c.category.name for c in counts if c.count == 0] == []
    assert pages.rules(sess), "the 制度 section is empty"
    assert [y.year for y in pages.annual_reports(sess)] == [2020]  # the demo 2020 report (年报)

    paths = [p for p in all_public_urls(sess) if p.startswith("/xxgk/")]
    assert len(paths) >= 4 + len(counts)
    for path in paths:  # the CheckedClient checks each page (one h1, meta tags, labels, ...)
        assert client.get(path).status_code == 200, path

    index = client.get("/xxgk/").get_data(as_text=True)
    for path in SECTIONS:
        assert f'href="{path}"' in index, path
    assert 'href="/xxgk/"' in client.get("/").get_data(as_text=True), "no link in the site header"
    section = client.get("/xxgk/fdzdgknr/shjz/").get_data(as_text=True)
    assert '<meta name="ColumnName" content="社会救助">' in section
    assert 'href="/xxgk/fdzdgknr/"' in section and "breadcrumb" in section

    # NORMS 4: the guide gives every office every field, straight from the agency records.
    guide = client.get("/xxgk/xxgkzn/").get_data(as_text=True)
    mzj = sess.query(Agency).filter_by(slug="xicheng-mzj").one()
    for value in (mzj.name, mzj.foi_office_name, mzj.foi_phone, mzj.foi_fax, mzj.foi_email, mzj.foi_postal):
        assert value and value in guide
    assert "未提供" not in guide

    site = tmp_path / "site"
    result = freeze(app, site, copy_static=False, processes=1)
    assert not result.errors, result.errors
    for path in paths:
        assert (site / path.lstrip("/") / "index.html").is_file(), path


def test_without_content_sections_are_marked_empty_and_reports_say_so(client):
    section = client.get("/xxgk/fdzdgknr/gzwj/").get_data(as_text=True)
    assert "本类别暂无公开信息" in section
    assert client.get("/xxgk/fdzdgknr/").get_data(as_text=True).count("暂无信息") == len(STATUTORY)
    assert "暂无已发布的政府信息公开工作年度报告" in client.get("/xxgk/xxgknb/").get_data(as_text=True)
    assert "暂无已公开的政府信息公开制度" in client.get("/xxgk/xxgkzd/").get_data(as_text=True)
    for path in (
        "/xxgk/fdzdgknr/xxgkzd/",
        "/xxgk/fdzdgknr/nope/",
        "/xxgk/fdzdgknr/gzwj/page/2/",
        "/xxgk/info/x/",
    ):
        assert client.get(path).status_code == 404, path
    first = client.get("/xxgk/fdzdgknr/gzwj/page/1/")  # one address per page: page 1 is the section
    assert first.status_code in (301, 308) and first.headers["Location"].endswith("/xxgk/fdzdgknr/gzwj/")


def _publish(sess, staff, doc) -> None:  # noqa: ANN001
    publishing.submit(sess, staff.editor, doc)
    publishing.approve(sess, staff.reviewer, doc)
    publishing.publish(sess, staff.publisher, doc, PublishRequest())
    sess.commit()


def test_annual_reports_are_listed_by_the_year_they_cover_newest_first(client, sess, agencies):
    # The annual-report area composes and publishes these documents; the column only lists them.
    titles = {
        2019: "北京市西城区人民政府办公室2019年政府信息公开工作年度报告",
        2020: "北京市西城区人民政府办公室2020年政府信息公开工作年度报告",
    }
    for year, title in titles.items():
        sess.add(
            Document(
                slug=f"report-{year}",
                title=title,
                genre=ANNUAL_REPORT_GENRE,
                status="published",
                published_at=datetime(year + 1, 3, 25, tzinfo=UTC),
                owner_id=agencies.office.id,
            )
        )
    sess.add(
        Document(slug="report-2021", title="2021年报告（草稿）", genre=ANNUAL_REPORT_GENRE, status="draft")
    )
    sess.commit()
    html = client.get("/xxgk/xxgknb/").get_data(as_text=True)
    assert re.findall(r"<h2>(\d{4})年度</h2>", html) == ["2020", "2019"]
    assert html.index(titles[2020]) < html.index(titles[2019])
    assert "草稿" not in html and "暂无已发布" not in html


def test_a_published_document_is_listed_under_its_category_only(client, sess, staff, make_draft):
    doc = make_draft(disclosure_category="财政预决算")  # a content file or form may name it in Chinese
    assert doc.disclosure_category == "czys"
    _publish(sess, staff, doc)
    assert doc.title in client.get("/xxgk/fdzdgknr/czys/").get_data(as_text=True)
    assert doc.title not in client.get("/xxgk/fdzdgknr/gzwj/").get_data(as_text=True)
    assert "czys" not in [c.slug for c in pages.empty_sections(sess)]
    # Withdrawn, it leaves the section.
    publishing.withdraw(sess, staff.publisher, doc, "内容需要更新")
    sess.commit()
    assert doc.title not in client.get("/xxgk/fdzdgknr/czys/").get_data(as_text=True)
    assert "czys" in [c.slug for c in pages.empty_sections(sess)]


def test_the_staff_form_refuses_an_unknown_category(sess, agencies):  # noqa: ANN001
    form = MultiDict(document_form([agencies.office.id], disclosure_category="不存在的类别"))
    with pytest.raises(editing.FormErrors) as refused:
        editing.parse_document_form(sess, form, None)
    assert refused.value.errors["disclosure_category"] == "公开类别无效，请从列表中选择。"

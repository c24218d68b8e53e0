"""``portal freeze``: a static copy of the public site with working links, rewritten only where it changed."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from portal.export import freeze
from portal.export.freeze import output_path, rewrite_for_export
from portal.models import Document
from portal.services.loader import load_content
from portal.web import public_urls
from tests.ingest.test_content_loader import GOOD, QA, make_content

BASE = "https://app.example.gov.cn"
OLD = (
    GOOD.replace("2020-04-24", "2019-03-01")
    .replace("agency: 区政府办", "agency: 西城区政府")
    .replace("西政办发[2020]5号", "西政发[2019]2号")
)


@pytest.fixture
def app_overrides(app_overrides: dict) -> dict:
    return {**app_overrides, "page_cache_seconds": 0, "base_url": BASE}


@pytest.fixture
def site(app, sess, tmp_path):  # noqa: ANN001, ANN201
    load_content(sess, make_content(tmp_path, good=GOOD, good_qa=QA, old=OLD))
    return tmp_path / "site"


def _links(html: str) -> list[str]:
    return re.findall(r'\b(?:href|src|action)="([^"]*)"', html)


def test_every_public_page_is_written_with_links_that_resolve(app, site, client):
    report = freeze(app, site)
    assert report.ok, (report.errors, report.broken_links)
    for rel in (
        "index.html",
        "policies/index.html",
        "policies/good/index.html",
        "policies/old/index.html",
        "interpretations/good/index.html",
        "policies/year/2019/index.html",
        "policies/topic/政务公开/index.html",
        "policies/normative/0/index.html",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "static/css/site.css",
        "feeds/all.atom",
        "feeds/topic/政务公开.atom",
    ):
        assert (site / rel).is_file(), rel
    pages = list(site.rglob("*.html"))
    for page in pages:
        for link in _links(page.read_text("utf-8")):
            if link.startswith(BASE) or link.startswith("#") or link.startswith("mailto:"):
                continue
            assert link.startswith("/"), (page, link)
            target = link.split("#")[0]
            # A file of the export, or (beyond the pages the export reached) a page nginx hands to the app.
            assert (site / output_path(target)).is_file() or client.get(target).status_code == 200, (
                f"{page}: {link}"
            )


def test_exported_pages_carry_no_inline_script_or_style(app, site):
    freeze(app, site)
    for page in site.rglob("*.html"):
        html = page.read_text("utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), page
        assert "<style" not in html and " style=" not in html, page


def test_exported_pages_match_what_the_app_serves(app, sess, site, client):
    from tests.consultations.helpers import make_consultation

    good = sess.scalars(select(Document).where(Document.slug == "good")).one()
    make_consultation(sess, slug="parking", draft_document_id=good.id)  # the page links its consultation
    freeze(app, site)
    for path in (
        "/",
        "/policies/",
        "/policies/year/2020/",
        "/policies/agency/xicheng-gov/",
        "/policies/good/",
        "/interpretations/good/",
    ):
        served = rewrite_for_export(client.get(path).get_data(as_text=True), BASE)
        if path == "/policies/good/":
            assert "/consultations/parking/" in served
        assert (site / output_path(path)).read_text("utf-8") == served, path


def test_bulk_feeds_and_sitemap_match_what_the_app_serves(app, site, client):
    """Feeds and the sitemap are built by the export's bulk generators, not dispatched: same bytes."""
    report = freeze(app, site)
    assert report.ok, (report.errors, report.broken_links)
    paths = [
        "/sitemap.xml",
        "/robots.txt",
        "/feeds/all.atom",
        "/feeds/agency/xicheng-gov.atom",
        "/feeds/topic/政务公开.atom",
    ]
    for path in paths:
        assert (site / output_path(path)).read_bytes() == client.get(path).get_data(), path


def test_export_in_several_processes_is_the_export_in_one(app, site, tmp_path):
    one = freeze(app, tmp_path / "one", processes=1)
    three = freeze(app, site, processes=3)  # more processes than some kinds of page have items
    assert three.processes == 3 and one.processes == 1
    assert (three.pages, three.written, three.dynamic, three.errors, three.broken_links) == (
        one.pages,
        one.written,
        one.dynamic,
        one.errors,
        one.broken_links,
    )
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file()
    )
    for rel in files:
        assert (site / rel).read_bytes() == (tmp_path / "one" / rel).read_bytes(), rel
    again = freeze(app, site, processes=2)  # the manifest merged from three processes serves a re-export
    assert again.written == 0 and again.unchanged == one.written


def test_facet_pages_list_only_their_documents(app, site):
    freeze(app, site)
    year = (site / "policies/year/2019/index.html").read_text("utf-8")
    assert "/policies/old/" in year and "/policies/good/" not in year
    assert "/policies/year/2020/" in year  # the other year stays one click away, as a static page


def test_sitemap_and_robots(app, site):
    freeze(app, site)
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert (
        f"<loc>{BASE}/policies/good/</loc>" in sitemap
        and f"<loc>{BASE}/interpretations/good/</loc>" in sitemap
    )
    assert f"{BASE}/policies/topic/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/" in sitemap
    robots = (site / "robots.txt").read_text("utf-8")
    assert "Disallow: /admin/" in robots and f"Sitemap: {BASE}/sitemap.xml" in robots


def test_reexport_rewrites_only_what_a_publication_changed(app, sess, site, tmp_path):
    first = freeze(app, site)
    assert first.written > 0 and first.unchanged == 0
    stamp = (site / "policies/old/index.html").stat().st_mtime_ns

    again = freeze(app, site)
    assert again.written == 0 and again.removed == 0 and again.unchanged == first.written

    new = GOOD.replace("西城区2020年政务公开工作要点", "西城区新发布的通知").replace(
        "西政办发[2020]5号", "西政办发[2020]9号"
    )
    load_content(sess, make_content(tmp_path / "more", new=new))
    third = freeze(app, site)
    assert (site / "policies/new/index.html").is_file()
    assert "西城区新发布的通知" in (site / "index.html").read_text("utf-8")
    assert 0 < third.written < first.written
    assert (site / "policies/old/index.html").stat().st_mtime_ns == stamp  # untouched page, untouched file


def test_withdrawn_document_disappears_from_the_export(app, sess, site):
    freeze(app, site)
    doc = sess.scalars(select(Document).where(Document.slug == "old")).one()
    doc.status = "withdrawn"
    sess.commit()
    report = freeze(app, site)
    assert not (site / "policies/old").exists()
    assert report.removed >= 2 and not (site / "policies/year/2019").exists()  # its page and its year
    assert "/policies/old/" not in (site / "policies/index.html").read_text("utf-8")


def test_forms_and_dynamic_links_point_at_the_app(app, site):
    """A page with a search form and a link into the staff area, exported from a throwaway route."""

    def page() -> str:
        return (
            '<!doctype html><html lang="zh-CN"><body><form action="/search" method="get">'
            '<input name="q"></form><a href="/admin/">管理</a><a href="/policies/?year=2020&agency=x">组合</a>'
            '<a href="/policies/good/">文件</a></body></html>'
        )

    app.add_url_rule("/form-page/", "form_page", page)
    register = public_urls.public_urls(lambda _sess: ["/form-page/"])
    try:
        freeze(app, site)
    finally:
        public_urls._GENERATORS.pop(f"{register.__module__}.{register.__qualname__}")
    html = (site / "form-page/index.html").read_text("utf-8")
    assert f'action="{BASE}/search"' in html and f'href="{BASE}/admin/"' in html
    assert f'href="{BASE}/policies/?year=2020&agency=x"' in html
    assert 'href="/policies/good/"' in html


def test_page_with_a_session_bound_form_is_left_to_the_app(app, site):
    app.add_url_rule(
        "/csrf-page/",
        "csrf_page",
        lambda: '<form method="post"><input type="hidden" name="csrf_token" value="x"></form>',
    )
    register = public_urls.public_urls(lambda _sess: ["/csrf-page/"])
    try:
        (site / "csrf-page").mkdir(parents=True)
        report = freeze(app, site)
    finally:
        public_urls._GENERATORS.pop(f"{register.__module__}.{register.__qualname__}")
    assert "/csrf-page/" in report.dynamic  # (besides the app's own forms, e.g. /foi/apply)
    assert not (site / "csrf-page/index.html").exists()


def test_freeze_command(app, sess, tmp_path, monkeypatch):
    load_content(sess, make_content(tmp_path, good=GOOD))
    from portal.cli import main

    monkeypatch.setenv("PORTAL_DATABASE_URL", app.extensions["settings"].sqlalchemy_url)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["freeze", "--out", str(tmp_path / "out"), "--base-url", BASE])
    assert result.exit_code == 0, result.output
    assert "written" in result.output and (tmp_path / "out/policies/good/index.html").is_file()

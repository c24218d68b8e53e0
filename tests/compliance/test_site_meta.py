"""NORMS 47: the 网页设计规范 meta tags on every page type, and the footer's identity shown when set.

The page checker (tests/pagecheck.py) already requires the site and column tags on every page any test
fetches, and all article tags wherever ArticleTitle appears; this test makes sure each article page type
does carry them, with the right values."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from portal.services.compliance.site_meta import ARTICLE_TAGS, COLUMN_TAGS, SITE_TAGS
from tests.demo_snapshot import load_demo


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.footer = False
        self.footer_text: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: D102
        a = dict(attrs)
        if tag == "meta" and a.get("name"):
            self.meta.append((a["name"], a.get("content") or ""))
        if tag == "footer":
            self.footer = True
        if tag == "img" and self.footer:
            self.images.append(a.get("src") or "")

    def handle_data(self, data: str) -> None:  # noqa: D102
        if self.footer:
            self.footer_text.append(data)


def _parse(client, path: str) -> _Meta:  # noqa: ANN001
    response = client.get(path)
    assert response.status_code == 200, path
    parser = _Meta()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.fixture
def demo(sess):  # noqa: ANN201
    report = load_demo(sess)
    assert report.ok, report.errors


ARTICLE_PAGES = {
    "/policies/2020-key-points/": ("西城区2020年政务公开工作要点", "2020-04-24", "政策文件"),
    "/interpretations/2020-key-points-qa/": (None, None, "政策解读"),
    "/consultations/2020-zhuanzuofeng-cuoshi/": (None, None, "意见征集"),
    "/gazette/2020/6/": (None, None, "政府公报"),
    "/meetings/2020-fgw-ai-policy/": (None, None, "会议开放"),
}


def test_every_article_page_type_carries_all_tags_in_order(client, sess, demo):
    from portal.models import Consultation, Enquiry

    pages = dict(ARTICLE_PAGES)
    reported = sess.query(Consultation).filter(Consultation.status == "reported").first()
    pages[f"/consultations/{reported.slug}/report/"] = (None, None, "意见征集")
    message = sess.query(Enquiry).filter(Enquiry.published_at.is_not(None)).first()
    pages[f"/enquiries/{message.id}/"] = (None, None, "政务咨询")
    for path, (title, pub_date, column) in pages.items():
        tags = [(n, v) for n, v in _parse(client, path).meta if n not in {"viewport", "robots"}]
        names = [n for n, _ in tags]
        assert names == [*SITE_TAGS, *COLUMN_TAGS, *ARTICLE_TAGS], path
        values = dict(tags)
        assert values["ColumnName"] == column, path
        assert values["Url"] == f"http://127.0.0.1:8000{path}", path
        assert all(values.values()), (path, values)
        if title:
            assert (values["ArticleTitle"], values["PubDate"]) == (title, pub_date)
    doc = dict(_parse(client, "/policies/2020-key-points/").meta)
    assert doc["Keywords"] == "政务公开" and doc["ContentSource"] == "北京市西城区人民政府办公室"
    assert doc["Description"].startswith("配合做好") or len(doc["Description"]) <= 120


def test_listing_pages_carry_site_and_column_tags_only(client, sess, demo):
    for path, column in (
        ("/", "首页"),
        ("/policies/", "政策文件"),
        ("/search?q=公开", "站内搜索"),
        ("/foi/", "依申请公开"),
    ):
        tags = dict(_parse(client, path).meta)
        assert tags["ColumnName"] == column and tags["SiteDomain"] == "127.0.0.1"
        assert "ArticleTitle" not in tags, path


def test_footer_shows_only_the_identity_that_is_set(client):
    page = _parse(client, "/")
    footer = "".join(page.footer_text)
    assert "网站标识码：1101020001" in footer
    for label in ("主办单位", "ICP备案号", "公安备案号", "联系方式"):
        assert label not in footer
    assert not page.images


@pytest.fixture
def identity(app_overrides):  # noqa: ANN201
    app_overrides.update(
        sponsor="北京市西城区人民政府办公室",
        contact="电话：010-88064000",
        icp_no="京ICP备05060933号",
        police_no="京公网安备 11010202007587号",
        party_gov_mark_url="https://bszs.conac.cn/sitename?method=show&id=1",
    )


def test_footer_shows_sponsor_contact_records_and_the_party_government_mark(identity, client):
    page = _parse(client, "/foi/")
    footer = "".join(page.footer_text)
    for text in (
        "主办单位：北京市西城区人民政府办公室",
        "联系方式：电话：010-88064000",
        "网站标识码：1101020001",
        "ICP备案号：京ICP备05060933号",
        "公安备案号：京公网安备 11010202007587号",
    ):
        assert text in footer
    assert page.images == ["/static/img/party-gov-mark.svg"]
    html = client.get("/foi/").get_data(as_text=True)
    assert (
        "recordcode=11010202007587" in html
        and 'href="https://bszs.conac.cn/sitename?method=show&amp;id=1"' in html
    )

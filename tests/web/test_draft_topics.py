"""Feeds and search never confirm the name of a topic that only drafts use (issue 11): a draft's topic
answers as a topic that does not exist at all."""

from __future__ import annotations

from urllib.parse import quote

from portal.services.loader import load_content
from portal.services.search import SearchQuery
from tests.ingest.test_content_loader import GOOD, make_content

SECRET_TOPIC = "拆迁补偿调整"
DRAFT = (
    GOOD.replace("topics: [政务公开, 综合政务]", f"status: draft\ntopics: [{SECRET_TOPIC}]")
    .replace("西城区2020年政务公开工作要点", "尚未公开的草稿")
    .replace("西政办发[2020]5号", "西政办发[2020]6号")
)


def _load(sess, tmp_path) -> None:  # noqa: ANN001
    report = load_content(sess, make_content(tmp_path, good=GOOD, draft=DRAFT))
    assert report.ok, report.errors


def test_topic_feed_of_a_draft_only_topic_is_404_like_an_unknown_one(client, sess, tmp_path):
    _load(sess, tmp_path)
    assert client.get(f"/feeds/topic/{quote('政务公开')}.atom").status_code == 200
    assert client.get(f"/feeds/topic/{quote(SECRET_TOPIC)}.atom").status_code == 404
    assert client.get(f"/feeds/topic/{quote('从未有过的主题')}.atom").status_code == 404


def test_sitemap_and_pages_never_name_a_draft_only_topic(client, sess, tmp_path):
    _load(sess, tmp_path)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert quote("政务公开") in sitemap and quote(SECRET_TOPIC) not in sitemap
    for path in ("/", "/policies/", "/policies/good/", "/feeds/all.atom"):
        assert SECRET_TOPIC not in client.get(path).get_data(as_text=True), path


def test_search_filter_treats_a_draft_only_topic_as_unknown(app, sess, tmp_path):
    _load(sess, tmp_path)
    public = SearchQuery.from_args(sess, {"topic": "政务公开"})
    secret = SearchQuery.from_args(sess, {"topic": SECRET_TOPIC})
    unknown = SearchQuery.from_args(sess, {"topic": "从未有过的主题"})
    assert public.filters == {"topic": "政务公开"} and not public.ignored
    assert secret.filters == {} and secret.ignored == [f"主题分类“{SECRET_TOPIC}”"]
    assert unknown.filters == {} and unknown.ignored == ["主题分类“从未有过的主题”"]

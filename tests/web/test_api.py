"""The public JSON API shows exactly what the public pages show."""

from __future__ import annotations

from portal.services.loader import load_content
from tests.ingest.test_content_loader import GOOD, QA, make_content


def test_documents_list_filters_and_hides_non_public(client, sess, tmp_path):
    load_content(
        sess,
        make_content(
            tmp_path,
            good=GOOD,
            good_qa=QA,
            draft=GOOD.replace("topics:", "status: draft\ntopics:"),
            old=GOOD.replace("2020-04-24", "2019-03-01"),
        ),
    )
    data = client.get("/api/v1/documents").get_json()
    assert data["total"] == 2
    assert {d["slug"] for d in data["documents"]} == {"good", "old"}
    assert {f["value"]: f["count"] for f in data["facets"]["year"]} == {"2020": 1, "2019": 1}
    only_2019 = client.get("/api/v1/documents?year=2019&validity=bogus").get_json()
    assert [d["slug"] for d in only_2019["documents"]] == ["old"]
    assert only_2019["ignored"] == ["有效性“bogus”"]


def test_document_and_interpretation_detail(client, sess, tmp_path):
    load_content(sess, make_content(tmp_path, good=GOOD, good_qa=QA))
    doc = client.get("/api/v1/documents/good").get_json()
    assert doc["doc_number"] == "西政办发[2020]5号"
    assert doc["published_on"] == "2020-04-24"
    assert doc["measures"][0]["units"] == ["市规划自然资源委西城分局"]
    assert doc["interpretations"][0]["slug"] == "good"
    interp = client.get("/api/v1/interpretations/good").get_json()
    assert [q["question"] for q in interp["qa"]] == ["问题一？", "问题二？"]


def test_unknown_items_are_json_404_in_chinese(client, sess, tmp_path):
    load_content(sess, make_content(tmp_path, draft=GOOD.replace("topics:", "status: draft\ntopics:")))
    response = client.get("/api/v1/documents/draft")
    assert response.status_code == 404
    assert response.get_json() == {"error": 404, "message": "未找到该条目。"}

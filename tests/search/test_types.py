"""What is searchable beyond documents: meetings (会议开放), and interpretations by their document's 文号
(issue 12); and the ranking both backends share: an item with the word in its title, 文号 or questions comes
before every item that has it only in its body (issue 13)."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from portal import search
from portal.models import Meeting
from portal.search.base import SearchRequest
from portal.search.text import flat_text, parse_query
from portal.services import meetings as meeting_service
from portal.services.loader import load_content

OPEN_MEETING = """title: 德胜街道老旧小区加装电梯议事会
agency: 德胜街道
held_on: 2020-07-08
invited: [public, media]
minutes: |
  街道邀请居民代表和媒体列席，讨论加装电梯的资金分摊办法与施工安排。
"""
CLOSED_MEETING = """title: 德胜街道加装电梯内部协调会
agency: 德胜街道
held_on: 2020-07-01
invited: []
"""
MEASURES_QA = """---
title: 解读《西城区进一步推动“转作风、强创新、提效能”的若干措施》
document: measures-2020
qa:
  - q: 出台这些措施的背景是什么？
    a: 为进一步转变工作作风、提高行政效能。
---
"""


def hits(app, query: str) -> list:  # noqa: ANN001
    return search.get_backend(app).search(SearchRequest(parse_query(query), limit=1000)).hits


def test_open_meetings_are_searchable_and_follow_their_edits(app, client, sess, corpus):
    (corpus / "meetings").mkdir()
    (corpus / "meetings" / "2020-desheng-lifts.yml").write_text(OPEN_MEETING, "utf-8")
    (corpus / "meetings" / "2020-desheng-internal.yml").write_text(CLOSED_MEETING, "utf-8")
    assert load_content(sess, corpus).ok
    meeting = sess.scalar(select(Meeting).where(Meeting.slug == "2020-desheng-lifts"))
    assert [h.key for h in hits(app, "加装电梯")] == [f"meeting:{meeting.id}"]  # not the closed one
    assert [h.key for h in hits(app, "资金分摊")] == [f"meeting:{meeting.id}"]  # its minutes too

    page = client.get("/search?q=" + quote("加装电梯")).get_data(as_text=True)
    assert "/meetings/2020-desheng-lifts/" in page and "会议开放（1）" in page
    assert client.get("/meetings/2020-desheng-lifts/").status_code == 200

    # Staff record that nobody sat in after all: the meeting is no longer open, nor found.
    form = meeting_service.MeetingForm.from_meeting(meeting)
    form.invited = []
    meeting_service.save_meeting(sess, "test", form, meeting)
    sess.commit()
    assert hits(app, "加装电梯") == []
    assert search.check(app).ok


def test_an_interpretation_is_found_by_its_documents_doc_number(app, client, sess, corpus):
    (corpus / "interpretations" / "measures-2020-qa.md").write_text(MEASURES_QA, "utf-8")
    assert load_content(sess, corpus).ok
    found = hits(app, "西政发〔2020〕4号 政策解读")
    assert [(h.type, h.url) for h in found] == [("interpretation", "/interpretations/measures-2020-qa/")]
    assert [h.url for h in hits(app, "西政发[2020]4号 解读")] == ["/interpretations/measures-2020-qa/"]
    page = client.get("/search?q=" + quote("西政发〔2020〕4号 政策解读"))
    assert page.status_code == 200 and "/interpretations/measures-2020-qa/" in page.get_data(as_text=True)
    # A bare 文号 still opens the document itself.
    bare = client.get("/search?q=" + quote("西政发〔2020〕4号"))
    assert bare.status_code in (301, 302, 303) and bare.headers["Location"].endswith(
        "/policies/measures-2020/"
    )


def test_both_backends_rank_title_matches_above_body_only_matches(app, corpus):
    from sqlalchemy.orm import Session

    with Session(app.extensions["engine"]) as s:
        heads = {
            d.key: flat_text("\n".join([d.title, d.number_text, d.questions])) for d in search.all_docs(s)
        }
    telling = 0
    for query in ("政务公开", "工作规则", "基层减负", "形式主义", "转作风", "政府", "作风建设", "会议"):
        found = hits(app, query)
        in_head = [flat_text(query) in heads[h.key] for h in found]
        telling += any(in_head) and not all(in_head)
        assert in_head == sorted(in_head, reverse=True), f"{query}: {[(h.key, h.title) for h in found]}"
    assert telling >= 4  # queries with title and body-only matches both

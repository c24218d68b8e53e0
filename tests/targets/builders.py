"""A year of records with known counts, built directly so that every expected figure is obvious."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from portal.models import (
    Agency,
    Channel,
    Consultation,
    Document,
    DocumentAgency,
    Interpretation,
    Meeting,
    PublicationWaiver,
    Push,
    QAItem,
    Target,
)

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING).astimezone(UTC)


def agency(sess, slug: str, name: str, kind: str) -> Agency:  # noqa: ANN001
    a = Agency(slug=slug, name=name, short_name=name, kind=kind)
    sess.add(a)
    sess.flush()
    return a


def document(
    sess,
    slug: str,
    issuer: Agency,
    published_at: datetime,
    *,
    status: str = "published",  # noqa: ANN001
    disclosure: str = "active",
    normative: bool = False,
    interps: tuple = (),
    written_on: date | None = None,
) -> Document:
    doc = Document(
        slug=slug,
        title=f"文件{slug}",
        published_at=published_at,
        status=status,
        disclosure=disclosure,
        disclosure_reason="" if disclosure == "active" else "涉及个人信息",
        normative=normative,
        written_on=written_on,
    )
    doc.issuers = [DocumentAgency(agency=issuer, agency_id=issuer.id, position=0)]
    sess.add(doc)
    for n, (form, interp_status) in enumerate(interps):
        interp = Interpretation(
            slug=f"{slug}-i{n}",
            title=f"解读{slug}-{n}",
            form=form,
            status=interp_status,
            published_at=published_at if interp_status == "published" else None,
            document=doc,
        )
        if form == "qa":
            interp.items = [QAItem(position=0, question="问？", answer_md="答。", answer_html="<p>答。</p>")]
        sess.add(interp)
    return doc


def meeting(
    sess,
    slug: str,
    host: Agency,
    held_on: date,
    *,
    invited: tuple = (),
    stream: str = "",  # noqa: ANN001
    cancelled: bool = False,
    minutes: str = "",
) -> Meeting:
    m = Meeting(
        slug=slug,
        title=f"会议{slug}",
        agency_id=host.id,
        held_on=held_on,
        invited=list(invited),
        stream_url=stream,
        is_open=bool(invited or stream),
        cancelled=cancelled,
        minutes_md=minutes,
        minutes_html=f"<p>{minutes}</p>" if minutes else "",
    )
    sess.add(m)
    return m


def build_year(sess) -> dict[str, Agency]:  # noqa: ANN001
    """2020 and 2019 records; the expected figures are written beside each record.

    qa_rate 2020: counted d1, d4; holding back d2 (graphic only), d3 (Q&A still a draft);
    excluded d5 (withdrawn); d6 (依申请公开) and d7 (2021 in Beijing time) are out of scope. 2/4 = 50%.
    meetings 2019: 1 open of 4 = 25%. meetings 2020: 3 open of 4 = 75% (m-cancel and m-gov excluded).
    """
    dept = agency(sess, "dept", "区发改委", "department")
    street = agency(sess, "street", "金融街街道", "street")
    gov = agency(sess, "gov", "西城区政府", "government")
    # 2019-12-31 16:30 UTC is 2020-01-01 00:30 in Beijing: a 2020 document.
    document(sess, "d1", dept, datetime(2019, 12, 31, 16, 30, tzinfo=UTC), interps=(("qa", "published"),))
    document(sess, "d2", dept, beijing(2020, 3, 10), interps=(("graphic", "published"),))
    document(sess, "d3", street, beijing(2020, 3, 20), interps=(("qa", "draft"),))
    document(sess, "d4", street, beijing(2020, 6, 1), interps=(("qa", "published"), ("text", "published")))
    document(sess, "d5", dept, beijing(2020, 6, 15), status="withdrawn", interps=(("qa", "published"),))
    document(sess, "d6", dept, beijing(2020, 7, 1), disclosure="on_request")
    document(sess, "d7", gov, datetime(2020, 12, 31, 16, 30, tzinfo=UTC))
    document(sess, "d8", gov, beijing(2019, 5, 5), interps=(("qa", "published"),))

    meeting(sess, "m19-open", dept, date(2019, 3, 1), invited=("public",), minutes="纪要一")
    meeting(sess, "m19-a", dept, date(2019, 4, 1))
    meeting(sess, "m19-b", street, date(2019, 5, 1))
    meeting(sess, "m19-c", street, date(2019, 6, 1))
    meeting(sess, "m20-experts", dept, date(2020, 2, 10), invited=("experts",), minutes="专家意见")
    meeting(sess, "m20-stream", dept, date(2020, 5, 10), stream="https://live.example/1")
    meeting(sess, "m20-closed", street, date(2020, 5, 20))
    meeting(sess, "m20-media", street, date(2020, 9, 1), invited=("media",))
    meeting(sess, "m20-cancel", street, date(2020, 9, 2), invited=("public",), cancelled=True)
    meeting(sess, "m20-gov", gov, date(2020, 6, 30), invited=("public", "experts"))

    sess.add_all(
        [
            Target(year=2020, key="qa_rate", goal=60, position=0, wording="新出台政策配发问答比率达到60%"),
            Target(year=2020, key="meeting_openness_growth", goal=20, unit="points", position=1),
            Target(year=2020, key="zombie_boards", goal=0, position=2),
        ]
    )
    sess.commit()
    return {"dept": dept, "street": street, "gov": gov}


def consultation(
    sess,
    slug: str,
    host: Agency,
    opens_on: date,
    final: Document | None,
    *,  # noqa: ANN001
    status: str = "reported",
) -> Consultation:
    c = Consultation(
        slug=slug,
        title=f"征集{slug}",
        agency_id=host.id,
        opens_on=opens_on,
        closes_on=opens_on + timedelta(days=30),
        status=status,
        final_document=final,
    )
    sess.add(c)
    return c


def build_normative(sess, agencies: dict[str, Agency]) -> None:  # noqa: ANN001
    """Normative documents: 2019 has 1 of 2 pre-disclosed (50%), 2020 has 1 of 4 (25%).

    2020: n1 counted; n2 holding back (its consultation opened after adoption); n3 holding back (no
    consultation); n4 excluded (withdrawn); n5 holding back (only a draft consultation is linked).
    """
    dept, street = agencies["dept"], agencies["street"]
    n5 = document(sess, "n5", dept, beijing(2020, 11, 1), normative=True)
    consultation(sess, "c5", dept, date(2020, 10, 1), n5, status="draft")
    n1 = document(sess, "n1", dept, beijing(2020, 4, 5), normative=True, written_on=date(2020, 4, 1))
    n2 = document(sess, "n2", street, beijing(2020, 8, 10), normative=True, written_on=date(2020, 8, 5))
    document(sess, "n3", street, beijing(2020, 9, 1), normative=True)
    n4 = document(sess, "n4", dept, beijing(2020, 10, 1), normative=True, status="withdrawn")
    p1 = document(sess, "p1", dept, beijing(2019, 6, 1), normative=True)
    document(sess, "p2", dept, beijing(2019, 7, 1), normative=True)
    consultation(sess, "c1", dept, date(2020, 3, 1), n1)
    consultation(sess, "c2", street, date(2020, 8, 20), n2)
    consultation(sess, "c4", dept, date(2020, 9, 1), n4)
    consultation(sess, "c-p1", dept, date(2019, 5, 1), p1, status="closed")
    sess.add(Target(year=2020, key="predisclosure_rate_growth", goal=20, unit="relative", position=3))
    sess.commit()


def build_pushes(sess, agencies: dict[str, Agency]) -> None:  # noqa: ANN001
    """New-media pushes over build_year's 2020 items: 3 of 9 items reached a new-media channel (33.3%).

    counted: d1 (WeChat), d1-i0 (Weibo), c-open (WeChat); holding back: d2 (e-mail only), d2-i0 (never
    pushed), d3 (Weibo failed), d4 (never pushed), d4-i0 (WeChat pending), d4-i1 (never pushed);
    excluded: d5 and its interpretation d5-i0 (withdrawn document); c-draft is not published at all.
    """
    wechat = Channel(name="西城微信公众号", kind="webhook", new_media=True, config={})
    weibo = Channel(name="西城发布微博", kind="webhook", new_media=True, config={})
    mail = Channel(name="订阅邮件", kind="email", new_media=False, config={})
    sess.add_all([wechat, weibo, mail])
    open_c = consultation(sess, "c-open", agencies["street"], date(2020, 5, 1), None, status="published")
    consultation(sess, "c-draft", agencies["street"], date(2020, 5, 2), None, status="draft")
    sess.flush()
    ids = {d.slug: d.id for d in sess.query(Document)}
    interp = {i.slug: i.id for i in sess.query(Interpretation)}

    def push(kind: str, item_id: int, channel: Channel, status: str) -> None:
        sess.add(Push(item_type=kind, item_id=item_id, channel_id=channel.id, status=status))

    push("document", ids["d1"], wechat, "delivered")
    push("document", ids["d2"], mail, "delivered")
    push("document", ids["d3"], weibo, "failed")
    push("interpretation", interp["d1-i0"], weibo, "delivered")
    push("interpretation", interp["d4-i0"], wechat, "pending")
    push("interpretation", interp["d4-i0"], mail, "delivered")
    push("interpretation", interp["d5-i0"], wechat, "delivered")
    push("consultation", open_c.id, wechat, "delivered")
    sess.add(PublicationWaiver(document_id=ids["d2"], reason="紧急发布，解读随后配发"))
    sess.add(Target(year=2020, key="new_media_push_rate", goal=30, position=4))
    sess.commit()

"""Building blocks for consultation tests: an agency, a consultation, a CSRF token from a page."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import g
from sqlalchemy import select

from portal.models import Agency
from portal.services import consultations as service
from portal.services.consultations.rules import local_today

DRAFT = """## 第一章 总则

第一条 为了规范街巷停车管理，制定本办法。

第二条 本办法适用于本区街巷内的停车管理活动。

（一）居民停车；

（二）临时停车。

第三条 停车收费标准由区发展改革委会同有关部门制定。
"""


def agency(sess) -> Agency:  # noqa: ANN001
    found = sess.scalars(select(Agency).where(Agency.name == "北京市西城区城市管理委员会")).first()
    if found is None:
        found = Agency(
            slug="xicheng-cgw", name="北京市西城区城市管理委员会", short_name="区城管委"
        )  # as in agencies.yml
        sess.add(found)
        sess.commit()
    return found


def make_consultation(sess, *, slug: str = "parking", opens: int = -3, closes: int = 27, **fields):  # noqa: ANN001, ANN003, ANN201
    """A published consultation whose period is relative to today (days)."""
    today = local_today()
    data = service.ConsultationInput(
        title=fields.pop("title", "西城区街巷停车管理办法（征求意见稿）"),
        agency_id=agency(sess).id,
        kind=fields.pop("kind", "other"),
        opens_on=today + timedelta(days=opens),
        closes_on=today + timedelta(days=closes),
        draft_md=fields.pop("draft_md", DRAFT),
        basis_md=fields.pop("basis_md", "《北京市机动车停车条例》第十条"),
        note_md=fields.pop("note_md", "为解决街巷停车难问题，起草本办法。"),
        channel_email=fields.pop("channel_email", "yjzj@example.gov.cn"),
        channel_post=fields.pop("channel_post", "西城区二龙路27号 100032"),
        channel_phone=fields.pop("channel_phone", "010-88888888"),
        slug=slug,
        **fields,
    )
    return service.create_consultation(sess, "test", data)


def fresh_request() -> None:
    """Tests run inside one app context, whose ``g`` every request shares; Flask-WTF caches the CSRF
    token of the request's session in ``g``. Forget it, so that a second test client (another browser)
    gets a token of its own session, as it would from a real server."""
    g.pop("csrf_token", None)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


_COUNTER = iter(range(1, 10**9))


def comment_form(client, slug: str = "parking", **fields) -> dict:  # noqa: ANN001, ANN003
    """The fields the comment form would post, with the page's CSRF token. Each call gets its own text
    unless ``body`` is given: the same text from the same session is the same comment."""
    fresh_request()
    html = client.get(f"/consultations/{slug}/").get_data(as_text=True)
    data = {
        "csrf_token": csrf(html),
        "body": f"建议增加夜间停车位（{next(_COUNTER)}）。",
        "clause": "",
        "name": "",
        "contact": "",
        "website": "",
    }
    data.update(fields)
    return data


RECEIPT_CODE = re.compile(r'class="receipt-code">([^<]+)<')


def shown_receipt(client) -> str:  # noqa: ANN001
    """The receipt code /consultations/receipt/ shows to this client's session ("" when none)."""
    response = client.get("/consultations/receipt/")
    if response.status_code != 200:
        return ""
    return RECEIPT_CODE.search(response.get_data(as_text=True)).group(1)


def look_up(client, code: str):  # noqa: ANN001, ANN201
    """POST a receipt code to the lookup form, as a citizen does; returns the response (303 when found)."""
    fresh_request()
    token = csrf(client.get("/consultations/receipts/").get_data(as_text=True))
    return client.post("/consultations/receipts/", data={"csrf_token": token, "code": code})


def receipt_page(client, code: str) -> str:  # noqa: ANN001
    """The receipt page of ``code``, reached through the lookup form."""
    assert look_up(client, code).status_code == 303
    return client.get("/consultations/receipt/").get_data(as_text=True)

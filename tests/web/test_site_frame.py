"""The site's frame (header, main menu, footer) is rendered once per app and public-content stamp
(portal/web/site_frame.py): what every visitor sees alike is reused, what belongs to one visitor (flashed
messages, CSRF tokens, a staff member's name) is still rendered for each request."""

from __future__ import annotations

import re

from flask import Flask

from portal.models import Agency
from portal.services import public_version
from portal.services.loader import load_content
from portal.web.site_frame import EXTENSION, site_frame
from tests.conftest import CheckedClient, csrf_token_for, mark_signed_in
from tests.ingest.test_content_loader import GOOD, make_content

MENU = ("首页", "政府信息公开", "政策文件", "政府公报", "意见征集", "依申请公开", "政务咨询", "工作目标")


def _header(html: str) -> str:
    return re.search(r"<header class=\"site-header\">.*?</header>", html, re.S).group(0)


def _fresh_client(app: Flask) -> CheckedClient:
    app.test_client_class = CheckedClient
    return app.test_client()


def test_every_page_prints_the_one_frame_until_public_content_changes(app, client, sess, tmp_path):
    load_content(sess, make_content(tmp_path, good=GOOD))
    document = client.get("/policies/good/").get_data(as_text=True)
    frame = app.extensions[EXTENSION][1]
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert app.extensions[EXTENSION][1] is frame  # the 404 reused the document's frame
    for html in (document, missing.get_data(as_text=True)):
        assert frame.header in html and frame.footer in html and frame.head in html
    assert all(f">{label}</a>" in frame.header for label in MENU)
    assert 'href="/policies/"' in frame.header and 'action="/search"' in frame.header

    sess.add(Agency(slug="new-bureau", name="新设局"))
    sess.commit()  # a public commit: a new stamp, so the frame is rendered again under it
    with app.test_request_context("/"):
        again = site_frame(app)
    assert again is not frame and app.extensions[EXTENSION][0][0] == public_version.current()
    assert again == frame  # the same text: nothing in today's frame comes from the content
    assert _header(client.get("/policies/good/").get_data(as_text=True)) == frame.header
    assert app.extensions[EXTENSION][1] is again


def test_the_frame_follows_the_script_root(app, client):
    client.get("/policies/")
    mounted = client.get("/policies/", base_url="http://localhost/portal/").get_data(as_text=True)
    assert 'href="/portal/policies/"' in _header(mounted) and 'href="/policies/"' not in mounted
    assert 'href="/policies/"' in _header(client.get("/policies/").get_data(as_text=True))


def test_flashed_messages_reach_only_their_visitor(app, client):
    client.get("/policies/")  # the frame is rendered and held before either visitor comes
    other = _fresh_client(app)
    with client.session_transaction() as s:
        s["_flashes"] = [("success", "您的订阅已确认。")]
    mine = client.get("/policies/").get_data(as_text=True)
    assert '<p class="flash flash-success" role="status">您的订阅已确认。</p>' in mine
    assert "您的订阅已确认" not in other.get("/policies/").get_data(as_text=True)
    assert "您的订阅已确认" not in client.get("/policies/").get_data(as_text=True)  # shown once


def test_each_visitor_gets_the_csrf_token_of_their_own_session(app, client):
    client.get("/subscriptions/")
    other = _fresh_client(app)
    token = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
    pages = []
    for visitor in (client, other, client):
        # Each request of a server has its own app context, hence its own ``g`` (where Flask-WTF keeps the
        # token it made for the request); the test's app context would otherwise be shared by all three.
        with app.app_context():
            pages.append(token.search(visitor.get("/subscriptions/").get_data(as_text=True)).group(1))
    mine, theirs, mine_again = pages
    assert mine != theirs
    with client.session_transaction() as s, other.session_transaction() as t:
        assert s["csrf_token"] != t["csrf_token"]
    for page_token, visitor in ((mine, client), (mine_again, client), (theirs, other)):
        assert page_token.split(".")[0] == csrf_token_for(visitor).split(".")[0]  # signs its session's value


def test_a_signed_in_staff_member_sees_their_bar_and_the_public_frame_holds_nothing_of_them(
    app, client, make_user
):
    anonymous = client.get("/policies/").get_data(as_text=True)
    staff = _fresh_client(app)
    with staff.session_transaction() as s:
        mark_signed_in(s, make_user("zhang.wei", roles=["editor"]))
    assert _header(staff.get("/policies/").get_data(as_text=True)) == _header(anonymous)
    dashboard = staff.get("/admin/").get_data(as_text=True)
    assert "zhang.wei" in dashboard and "退出" in dashboard
    assert client.get("/admin/").status_code == 302  # the public is sent to sign in
    assert "zhang.wei" not in client.get("/policies/").get_data(as_text=True)

"""HTTP caching of public pages, the rendered-page cache and security headers on every response."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Document
from portal.services.loader import load_content
from tests.ingest.test_content_loader import GOOD, make_content


def test_security_headers_on_pages_errors_and_staff_area(client):
    for path in ("/", "/policies/nope/", "/admin/"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp  # ASVS 5.0 3.4.3
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers


def test_hsts_when_served_over_https(app_overrides, database):
    from portal.app import create_app

    app = create_app({**app_overrides, "database_url": database.url, "https": True})
    headers = app.test_client().get("/").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    app.extensions["engine"].dispose()


def test_public_page_is_cacheable_and_answers_conditional_requests_with_304(client, sess, tmp_path):
    load_content(sess, make_content(tmp_path, good=GOOD))
    first = client.get("/policies/good/")
    assert first.status_code == 200
    assert (
        first.headers["Cache-Control"].startswith("public") and "s-maxage" in first.headers["Cache-Control"]
    )
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get("/policies/good/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/policies/good/", headers={"If-Modified-Since": modified})
    assert since.status_code == 304


def test_staff_area_and_visitors_with_cookies_are_never_shared(client):
    assert client.get("/admin/").headers["Cache-Control"] == "no-store"
    client.set_cookie("session", "abc")
    personal = client.get("/")
    assert personal.headers["Cache-Control"].startswith("private")


def test_cached_page_follows_a_publication_at_once(client, sess, tmp_path):
    load_content(sess, make_content(tmp_path, good=GOOD))
    client.get("/policies/good/")
    hit = client.get("/policies/good/")
    assert hit.headers.get("X-Page-Cache") == "hit"
    etag = hit.headers["ETag"]

    doc = sess.scalars(select(Document).where(Document.slug == "good")).one()
    doc.title = "西城区2020年政务公开工作要点（修订）"
    sess.commit()
    fresh = client.get("/policies/good/", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers.get("X-Page-Cache") != "hit"
    assert "（修订）" in fresh.get_data(as_text=True)

    doc.status = "withdrawn"
    sess.commit()
    assert (
        client.get("/policies/good/").status_code == 410
    )  # withdrawn: a notice with the reason, not the page


def test_a_page_answered_to_a_visitor_with_a_session_is_not_cached(client, sess, tmp_path):
    load_content(sess, make_content(tmp_path, good=GOOD))
    client.set_cookie("session", "abc")
    client.get("/policies/good/")
    client.delete_cookie("session")
    assert client.get("/policies/good/").headers.get("X-Page-Cache") != "hit"

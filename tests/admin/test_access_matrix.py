"""Every /admin/ route, walked with every role and anonymously: allowed versus refused.

The route list comes from ``app.url_map``, so a route added later is covered without editing this test;
what each route allows comes from its own ``roles_required`` declaration, and the test checks that the
access layer enforces exactly that (and that a route without a declaration is refused to everybody).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.models import Attachment, Push, User
from portal.models.base import utcnow
from portal.services import channels, editing, gazette_assembly
from portal.services.foi import requests as foi_requests
from portal.web.admin.access import ADMIN_PREFIX, allowed_roles
from tests.admin.conftest import document_form
from tests.conftest import CheckedClient, csrf_token_for, mark_signed_in
from tests.foi.conftest import application as foi_application

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ROLE_USERS = ["anonymous", "norole", "editor", "reviewer", "publisher", "admin", "foi_officer"]
ACCESS_DENIED = "您没有访问此页面的权限"


@pytest.fixture
def world(app, sess, staff, agencies, make_user, make_interpretation):  # noqa: ANN201
    """One of each object an admin route can point at, all in the office agency."""
    make_user("norole", [], agency=agencies.office)
    foi_officer = make_user("foi_officer", ["foi_officer"], agency=agencies.office)
    doc = editing.save_document(
        sess, staff.editor, editing.parse_document_form(sess, document_form([agencies.office.id]), None)
    )
    sess.commit()
    interp = make_interpretation(doc)
    channel = channels.save_channel(
        sess,
        staff.admin,
        channels.parse_channel_form(sess, MultiDict({"name": "订阅源", "kind": "feed", "active": "1"}), None),
    )
    sess.add(Push(item_type="document", item_id=doc.id, channel_id=channel.id, status="failed", attempts=1))
    from portal.services import attachments

    attachments.add(
        sess,
        staff.editor,
        doc,
        "图.png",
        PNG,
        instance_path=app.extensions["settings"].instance_path,
        max_bytes=1024 * 1024,
    )
    sess.commit()
    # A draft issue that was once published: deleting it is refused, so the walk keeps it to the end.
    issue = gazette_assembly.save_issue(
        sess,
        staff.editor,
        gazette_assembly.check_issue(
            sess,
            gazette_assembly.IssueForm(
                year=2020, number=5, running_number=125, published_on=date(2020, 5, 15)
            ),
            None,
        ),
    )
    issue.published_at = utcnow()
    foi_request, _ = foi_requests.register(
        sess, foi_officer, foi_application(), agencies.office, "in_person", date(2020, 9, 28), secret_key="k"
    )
    sess.commit()
    from portal.services.annual_reports import workflow as annual_reports

    annual_report = annual_reports.create(sess, staff.editor, agencies.office, 2020)
    sess.commit()
    return {
        "report_id": annual_report.id,
        "item_id": doc.id,
        "issue_id": issue.id,
        "interp_id": interp.id,
        "agency_id": agencies.office.id,
        "channel_id": channel.id,
        "user_id": staff.editor.id,
        "push_id": sess.scalar(select(Push.id)),
        "attachment_id": sess.scalar(select(Attachment.id)),
        "request_id": foi_request.id,
        "old": 1,
        "new": 1,
    }


def _admin_rules(app):  # noqa: ANN001, ANN202
    return sorted(
        (r for r in app.url_map.iter_rules() if r.rule.startswith(ADMIN_PREFIX)), key=lambda r: r.rule
    )


def _url(rule, world) -> str:  # noqa: ANN001
    values = {}
    for arg in rule.arguments:
        if arg == "item_id" and rule.endpoint.startswith("admin_interpretations."):
            values[arg] = world["interp_id"]
        elif arg == "item_id" and rule.endpoint.startswith("admin_gazette."):
            values[arg] = world["issue_id"]
        else:
            values[arg] = world.get(arg, 1)
    return rule.build(values, append_unknown=False)[1]


def test_every_admin_route_declares_its_roles_or_is_explicitly_public(app):
    undeclared = [
        r.endpoint
        for r in _admin_rules(app)
        if allowed_roles(r.endpoint) is None
        and not getattr(app.view_functions[r.endpoint], "_portal_public", False)
    ]
    assert undeclared == [], f"admin routes without roles_required: {undeclared}"


def test_every_admin_route_with_every_role(app, sess, world):
    rules = _admin_rules(app)
    assert len(rules) > 40
    app.test_client_class = CheckedClient
    checked = 0
    for who in ROLE_USERS:
        for rule in rules:
            view = app.view_functions[rule.endpoint]
            public = getattr(view, "_portal_public", False)
            roles = allowed_roles(rule.endpoint) or frozenset()
            for method in sorted(rule.methods & {"GET", "POST"}):
                client = app.test_client()
                user = None
                if who != "anonymous":
                    sess.expire_all()
                    user = sess.scalars(select(User).where(User.username == who)).one()
                    with client.session_transaction() as s:
                        mark_signed_in(s, user)
                url = _url(rule, world)
                data = {"csrf_token": csrf_token_for(client)} if method == "POST" else None
                response = client.open(url, method=method, data=data)
                body = response.get_data(as_text=True)
                label = f"{who} {method} {url} ({rule.endpoint}) -> {response.status_code}"
                assert response.status_code < 500, label
                to_login = response.status_code == 302 and "/admin/login" in response.headers.get(
                    "Location", ""
                )
                if public:
                    assert response.status_code != 403, label
                elif who == "anonymous":
                    assert to_login or response.status_code == 401, label
                elif not (user and user.has_role(*roles)):
                    assert response.status_code == 403 and ACCESS_DENIED in body, label
                else:
                    # The access layer sends to the login page with ?next=; logging out goes there plainly.
                    assert not (to_login and "next=" in response.headers["Location"]), label
                    assert not (response.status_code == 403 and ACCESS_DENIED in body), label
                    if method == "GET":
                        assert response.status_code in (200, 302, 404), label
                checked += 1
    assert checked > 300


def test_role_declarations_of_the_staff_area(app):
    """The intended policy, spelled out: a change to a declaration must be a deliberate one."""
    expect = {
        "admin_documents.new": {"editor"},
        "admin_documents.submit": {"editor"},
        "admin_documents.approve": {"reviewer"},
        "admin_documents.publish": {"publisher"},
        "admin_documents.withdraw": {"publisher"},
        "admin_documents.validity": {"publisher"},
        "admin_documents.return_": {"reviewer", "publisher"},
        "admin_interpretations.approve": {"reviewer"},
        "admin_interpretations.publish": {"publisher"},
        "admin_manage.users": {"admin"},
        "admin_manage.edit_user": {"admin"},
        "admin_manage.channels": {"admin"},
        "admin_manage.audit": {"admin"},
        "admin_manage.audit_csv": {"admin"},
        "admin_manage.pushes": {"publisher", "admin"},
        "admin.dashboard": {"editor", "reviewer", "publisher", "admin", "foi_officer", "foi_head"},
        # 依申请公开: FOI staff handle their agency's requests; admins may look (ID numbers masked).
        "admin_foi.index": {"foi_officer", "foi_head", "admin"},
        "admin_foi.detail": {"foi_officer", "foi_head", "admin"},
        "admin_foi.letter": {"foi_officer", "foi_head", "admin"},
        "admin_foi.annual": {"foi_officer", "foi_head", "admin"},
        "admin_foi.new": {"foi_officer", "foi_head"},
        "admin_foi.act": {"foi_officer", "foi_head"},
        # 政务咨询: editors draft, reviewers answer, publishers publish; admins may look.
        "admin_enquiries.index": {"editor", "reviewer", "publisher", "admin"},
        "admin_enquiries.detail": {"editor", "reviewer", "publisher", "admin"},
        "admin_enquiries.attachment": {"editor", "reviewer", "publisher", "admin"},
        "admin_enquiries.act": {"editor", "reviewer", "publisher"},
        # The gazette: editors assemble, publishers publish and withdraw, staff may look.
        "admin_gazette.index": {"editor", "reviewer", "publisher"},
        "admin_gazette.edit": {"editor", "reviewer", "publisher"},
        "admin_gazette.download_pdf": {"editor", "reviewer", "publisher"},
        "admin_gazette.new": {"editor"},
        "admin_gazette.add_entry": {"editor"},
        "admin_gazette.move_entry": {"editor"},
        "admin_gazette.entry_category": {"editor"},
        "admin_gazette.remove_entry": {"editor"},
        "admin_gazette.upload_pdf": {"editor"},
        "admin_gazette.remove_pdf": {"editor"},
        "admin_gazette.delete": {"editor"},
        "admin_gazette.publish": {"publisher"},
        "admin_gazette.withdraw": {"publisher"},
        "admin_gazette.reopen": {"editor", "publisher"},
        # 年度报告: the body's editors write it; its reviewers, publishers and admins look.
        "admin_annual_reports.index": {"editor", "reviewer", "publisher", "admin"},
        "admin_annual_reports.detail": {"editor", "reviewer", "publisher", "admin"},
        "admin_annual_reports.new": {"editor"},
        "admin_annual_reports.save": {"editor"},
        "admin_annual_reports.compose": {"editor"},
        # 政府信息公开专栏: staff see what the column lacks; only admins edit the FOI offices of the guide.
        "admin_xxgk.index": {"editor", "reviewer", "publisher", "admin"},
        "admin_xxgk.office": {"admin"},
    }
    assert {e: set(allowed_roles(e)) for e in expect} == expect


def test_editors_and_reviewers_only_see_their_agency(app, client, sess, staff, login_as, world):
    doc_url = f"/admin/documents/{world['item_id']}"
    for user, status in (
        (staff.other_editor, 403),
        (staff.other_reviewer, 403),
        (staff.editor, 200),
        (staff.reviewer, 200),
        (staff.publisher, 200),
    ):
        login_as(user)
        assert client.get(doc_url).status_code == status, user.username
        listing = client.get("/admin/documents/").get_data(as_text=True)
        assert (doc_url in listing) == (status == 200), user.username

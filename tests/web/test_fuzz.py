"""Route fuzz: every GET route in ``app.url_map``, every public form and every staff form, with odd values
in each path variable, query parameter and form field, on SQLite and PostgreSQL: never a 5xx.

The odd values are the ones an outside review used (ASVS 5.0 L2, issue 11): Unicode digits that pass
``str.isdigit()`` and break ``int()``, integers past PostgreSQL's ``integer`` and past 64 bits, NUL bytes
(PostgreSQL refuses them in text), invalid UTF-8 and bad percent escapes, negative numbers, impossible
dates, SQL metacharacters and very long strings. Requests are sent with the raw ``PATH_INFO`` and
``QUERY_STRING`` a WSGI server would pass, so that bad encodings reach the app as they would behind
gunicorn. The demo content is loaded so that real slugs, years and ids exist and the odd value in one
place meets real values everywhere else.

Bounded: a fixed list of values and a seeded sample of the (route, parameter, value) combinations, a
few thousand requests per backend.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from urllib.parse import quote, unquote_to_bytes, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import run_wsgi_app
from werkzeug.wsgi import get_current_url

from portal import db
from portal.models import Agency, Comment, Consultation, Document, GazetteIssue, Interpretation, Meeting
from portal.services import attachments
from portal.services.consultations.rules import new_idempotency_key
from portal.web.public_urls import all_public_urls
from tests.conftest import CheckedClient, csrf_token_for, mark_signed_in
from tests.consultations.helpers import comment_form, make_consultation
from tests.demo_snapshot import load_demo

ODD_TEXT = [
    # Unicode digits: str.isdigit() says yes, int() says no (or yes, for decimal digits of other scripts)
    "²",
    "①",
    "1²",
    "٣",
    "３",
    # past PostgreSQL's integer, past 64 bits, negative, and things int() or a date parser may half-accept
    "2147483647",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999",
    "-1",
    "-99999999999999999999",
    "0",
    "10000",
    "+1",
    " 1",
    "1.5",
    "1e400",
    # NUL: PostgreSQL refuses it in any text
    "a\x00b",
    "\x00",
    # impossible dates
    "2020-13-45",
    "0000-00-00",
    "2020-02-30",
    "99999-01-01",
    # SQL and LIKE metacharacters, paths, markup, header injection, control and bidi characters
    "' OR '1'='1' --",
    '"; DROP TABLE document; --',
    "%_\\",
    "../../../etc/passwd",
    "<script>alert(1)</script>",
    "\r\nX-Injected: 1",
    "\x1b\x7f\u202e\ufeff\x0b",
    # very long
    "9" * 5000,
    "中" * 3000,
    "",
]
# Sent as they are: invalid UTF-8 (a lone surrogate, an overlong slash, a cut sequence) and bad escapes.
RAW_ENCODED = ["%FF%FE", "%ED%A0%80", "%C0%AF", "%E4%B8", "%zz", "%"]
ODD = [quote(v, safe="") for v in ODD_TEXT] + RAW_ENCODED

# Every query parameter a view or a service reads (``request.args``, ``from_args``).
QUERY_NAMES = [
    "page",
    "year",
    "clause",
    "q",
    "code",
    "status",
    "state",
    "agency",
    "topic",
    "genre",
    "validity",
    "normative",
    "type",
    "sort",
    "full",
    "document",
    "next",
    "actor",
    "action",
    "object_type",
    "object_id",
    "since",
    "until",
    "kind",
    "target",
]
# Every form field the staff area reads (most forms read a subset; the rest is ignored by the view).
FORM_NAMES = [
    "accepts_online",
    "action",
    "active",
    "adopted",
    "affects_rights",
    "agency",
    "agency_id",
    "agency_ids",
    "answer",
    "basis_md",
    "body",
    "body_md",
    "cancelled",
    "category",
    "change_note",
    "channel",
    "channel_email",
    "channel_ids",
    "channel_phone",
    "channel_post",
    "clause",
    "code",
    "consent",
    "contact",
    "current",
    "custom_title",
    "direction",
    "disclosure",
    "disclosure_reason",
    "display_name",
    "disposition",
    "doc_number",
    "document",
    "document_id",
    "draft_document_id",
    "draft_md",
    "duplicate_of",
    "email",
    "entry_id",
    "final_document_id",
    "form",
    "genre",
    "held_on",
    "ids",
    "index_no",
    "interpreted_on",
    "interpreter",
    "invited",
    "key",
    "kind",
    "lead",
    "media_url",
    "minutes_md",
    "name",
    "new",
    "new_media",
    "no",
    "normative",
    "not_adopted",
    "not_applicable",
    "note",
    "note_md",
    "number",
    "opens_on",
    "closes_on",
    "object_id",
    "parent_id",
    "partly",
    "password",
    "points",
    "privacy_override",
    "publish",
    "published_on",
    "q",
    "qa_position",
    "question",
    "reason",
    "recipients",
    "registration_no",
    "relative",
    "remarks",
    "repeat",
    "roles",
    "running_number",
    "short_name",
    "short_period_reason",
    "slug",
    "source",
    "state",
    "status",
    "stream_url",
    "successor",
    "summary",
    "text",
    "title",
    "topic",
    "topics",
    "units",
    "url",
    "username",
    "validity",
    "waiver_reason",
    "written_on",
    "year",
]
# Staff POST routes the walk leaves alone: signing out ends the walk's own session.
SKIP_POST = {"admin_auth.logout"}

# Sent everywhere; the other values are drawn (seeded) so that each place gets a share of them.
CRITICAL = [quote(v, safe="") for v in ("²", "①", "2147483648", "9223372036854775808", "9" * 5000, "a\x00b")]
CRITICAL += ["%FF%FE"]
SEED = 11
PER_ARGUMENT = 5  # drawn values per path argument, besides CRITICAL (~56 arguments)
PER_ROUTE = 3  # drawn values per GET route for all query parameters at once (~73 routes)
MAX_QUERY_SINGLE = 250  # (route, one parameter, value) combinations sampled out of ~60,000
MAX_STAFF_POST = 250  # (staff form, value) combinations sampled out of ~2,200

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ARG = re.compile(r"<(?:[^>:]+:)?(\w+)>")


@pytest.fixture
def app_overrides(app_overrides: dict) -> dict:
    # Every request reaches its view: no page cache, no per-address limits on the forms.
    return {
        **app_overrides,
        "page_cache_seconds": 0,
        "comment_rate_limit": "",
        "receipt_lookup_rate_limit": "",
    }


@pytest.fixture
def world(app: Flask, sess, make_user) -> dict:  # noqa: ANN001
    """The demo site, an open consultation with a comment, an attachment and an administrator."""
    report = load_demo(sess)
    assert report.ok, report.errors
    admin = make_user("fuzz-admin", ["admin", "editor", "reviewer", "publisher"])
    make_consultation(sess, slug="fuzz-open")
    doc = sess.scalars(select(Document).where(Document.status == "published").order_by(Document.id)).first()
    att = attachments.add(
        sess,
        admin,
        doc,
        "示意图.png",
        PNG,
        instance_path=app.extensions["settings"].instance_path,
        max_bytes=10**6,
    )
    sess.commit()
    client = app.test_client()
    response = client.post("/consultations/fuzz-open/comments", data=comment_form(client, slug="fuzz-open"))
    assert response.status_code == 303, response.status_code
    first = {model: sess.scalar(select(model.id).order_by(model.id)) or 1 for model in _MODELS}
    return {
        "admin": admin,
        "attachment": att,
        "receipt": sess.scalars(select(Comment.receipt_code)).first(),
        "ids": first,
    }


_MODELS = (Document, Interpretation, GazetteIssue, Consultation, Agency, Meeting, Comment)


def _real_values(app: Flask, sess, world: dict) -> dict[str, dict[str, str]]:  # noqa: ANN001
    """For each endpoint, real values of its path arguments (from the public URL registry, else ids)."""
    adapter = app.url_map.bind("localhost")
    real: dict[str, dict[str, str]] = {}
    for path in all_public_urls(sess):
        try:
            endpoint, args = adapter.match(path, method="GET")
        except Exception:  # noqa: BLE001, S112 (a redirect or a path served outside url_map)
            continue
        real.setdefault(endpoint, {k: str(v) for k, v in args.items()})
    att, ids = world["attachment"], world["ids"]
    doc = sess.get(Document, att.document_id)
    real["policies.attachment"] = {"slug": doc.slug, "attachment_id": str(att.id), "filename": att.filename}
    real["consultations.receipt"] = {"code": world["receipt"]}
    real.setdefault("policies.index_page", {"page": "1"})
    by_blueprint = {
        "admin_documents": ids[Document],
        "admin_interpretations": ids[Interpretation],
        "admin_gazette": ids[GazetteIssue],
    }
    for rule in app.url_map.iter_rules():
        values = real.setdefault(rule.endpoint, {})
        for arg in rule.arguments:
            if arg in values:
                continue
            if arg == "item_id":
                values[arg] = str(by_blueprint.get(rule.endpoint.split(".")[0], 1))
            else:
                values[arg] = str(
                    {
                        "cid": ids[Consultation],
                        "agency_id": ids[Agency],
                        "meeting_id": ids[Meeting],
                        "comment_id": ids[Comment],
                        "attachment_id": att.id,
                        "user_id": world["admin"].id,
                    }.get(arg, 1)
                )
    return real


def _path(rule, values: dict[str, str], odd: tuple[str, str] | None = None) -> str:  # noqa: ANN001
    """The rule's path with real (quoted) values, and ``odd`` = (argument, raw encoded value) in place."""

    def fill(m: re.Match) -> str:
        name = m.group(1)
        if odd and odd[0] == name:
            return odd[1]
        return quote(values[name], safe="")

    return ARG.sub(fill, rule.rule)


def _send(client: FlaskClient, method: str, path: str, query: str = "", **kwargs) -> str:  # noqa: ANN003
    """Send ``path`` and ``query`` as a WSGI server would pass them (PATH_INFO decoded to bytes, shown as
    latin-1; QUERY_STRING as received). Returns "" or what went wrong: a 5xx, or the exception a test app
    propagates instead of answering 500, or
    the page checker's complaint."""
    environ = {"PATH_INFO": unquote_to_bytes(path).decode("latin-1"), "QUERY_STRING": query}
    try:
        response = client.open("/", method=method, environ_overrides=environ, **kwargs)
    except Exception as exc:  # noqa: BLE001 (AssertionError included: the page checker's verdict)
        return f"{type(exc).__name__}: {str(exc)[:300]}"
    finally:
        # As at the end of a real request (the test's own app context outlives the request's).
        db.remove_session()
    return str(response.status_code) if response.status_code >= 500 else ""


class _FuzzClient(CheckedClient):
    """The checked client, without a cost of werkzeug's test client that the fuzz's queries make large: to
    match cookies it rebuilds the URL of each request twice, IRI-decoding the query string (here up to
    130 kB of percent escapes): 10 s of CPU of the 77 s this module took. Cookies match by host and path
    only, so the URL is rebuilt without the query; the app receives the environ unchanged."""

    def run_wsgi_app(self, environ: dict, buffered: bool = False):  # noqa: ANN201
        without_query = {**environ, "QUERY_STRING": ""}
        self._add_cookies_to_wsgi(without_query)
        environ.pop("HTTP_COOKIE", None)
        if "HTTP_COOKIE" in without_query:
            environ["HTTP_COOKIE"] = without_query["HTTP_COOKIE"]
        rv = run_wsgi_app(self.application, environ, buffered=buffered)
        url = urlsplit(get_current_url(without_query))
        self._update_cookies_from_response(url.hostname or "localhost", url.path, rv[2].getlist("Set-Cookie"))
        return rv


def _get_rules(app: Flask, admin: bool) -> list:
    return sorted(
        (
            r
            for r in app.url_map.iter_rules()
            if "GET" in r.methods and r.endpoint != "static" and r.rule.startswith("/admin/") == admin
        ),
        key=lambda r: (r.rule, r.endpoint),
    )


def _clients(app: Flask, world: dict) -> dict[bool, FlaskClient]:
    app.test_client_class = _FuzzClient
    anonymous, staff = app.test_client(), app.test_client()
    with staff.session_transaction() as s:
        mark_signed_in(s, world["admin"])  # with the second factor: the staff routes answer, not redirect
    assert staff.get("/admin/").status_code == 200, "the fuzzing admin is not signed in"
    return {False: anonymous, True: staff}


def _values(rnd: random.Random, extra: int) -> list[str]:
    """The values that broke the portal once, and ``extra`` others drawn from the rest."""
    rest = [v for v in ODD if v not in CRITICAL]
    return CRITICAL + rnd.sample(rest, extra)


def _get_cases(app: Flask, real: dict) -> Iterator[tuple[bool, str, str]]:
    """(staff?, path, query): each path argument with odd values, all parameters at once with odd
    values, and a sample of one parameter with one value; seeded, so every run sends the same."""
    rnd = random.Random(SEED)
    singles = []
    for staff in (False, True):
        for rule in _get_rules(app, staff):
            values = real[rule.endpoint]
            base = _path(rule, values)
            for arg in sorted(rule.arguments):
                for odd in _values(rnd, PER_ARGUMENT):
                    yield staff, _path(rule, values, (arg, odd)), ""
            for odd in _values(rnd, PER_ROUTE):
                yield staff, base, "&".join(f"{name}={odd}" for name in QUERY_NAMES)
            singles += [(staff, base, f"{name}={odd}") for name in QUERY_NAMES for odd in ODD]
    yield from rnd.sample(singles, MAX_QUERY_SINGLE)


def _report(failures: list[str], sent: int, started: float) -> str:
    return f"{len(failures)} of {sent} requests answered 5xx in {time.monotonic() - started:.0f} s:\n" + (
        "\n".join(failures[:40])
    )


def test_no_get_route_answers_5xx_to_odd_values(app, sess, world):
    real = _real_values(app, sess, world)
    clients = _clients(app, world)
    failures, sent, started = [], 0, time.monotonic()
    for staff, path, query in _get_cases(app, real):
        status = _send(clients[staff], "GET", path, query)
        sent += 1
        if status:
            failures.append(f"{'admin' if staff else 'anonymous'} GET {path[:120]}?{query[:120]} -> {status}")
    assert sent > 1500  # every route, every path argument with the critical values, and a sample
    assert not failures, _report(failures, sent, started)


def _form_values(raw: str) -> str:
    """A form field's value as a browser would send it: the odd value decoded (bad bytes replaced)."""
    return unquote_to_bytes(raw).decode("utf-8", "replace")


def test_no_public_form_answers_5xx_to_odd_values(app, sess, world):
    client = _clients(app, world)[False]
    fields = ["body", "clause", "name", "contact", "consent", "key", "website", "csrf_token"]
    failures, sent, started = [], 0, time.monotonic()
    form = comment_form(client, slug="fuzz-open")
    for field in fields:
        for raw in ODD:
            data = {**form, "key": new_idempotency_key(), field: _form_values(raw)}
            # A new sender each time: the fuzz is about parsing, not about the per-sender throttle.
            addr = f"10.{sent // 250 % 250}.{sent % 250}.1"
            status = _send(
                client,
                "POST",
                "/consultations/fuzz-open/comments",
                data=data,
                environ_base={"REMOTE_ADDR": addr},
            )
            sent += 1
            if status:
                failures.append(f"POST comment {field}={raw[:60]} -> {status}")
    for raw in ODD:
        for path, query in (
            ("/consultations/receipts/", f"code={raw}"),
            (f"/consultations/receipts/{raw}/", ""),
            ("/search", f"q={raw}"),
            ("/search", f"q=%E6%94%BF%E5%8A%A1&agency={raw}&topic={raw}&year={raw}&page={raw}"),
            ("/admin/login", f"next={raw}"),
        ):
            status = _send(client, "GET", path, query)
            sent += 1
            if status:
                failures.append(f"GET {path[:80]}?{query[:80]} -> {status}")
        login = {
            "username": _form_values(raw),
            "password": _form_values(raw),
            "csrf_token": csrf_token_for(client),
        }
        status = _send(client, "POST", "/admin/login", data=login)
        sent += 1
        if status:
            failures.append(f"POST /admin/login username={raw[:60]} -> {status}")
    failures += _subscription_forms(client, sent)
    assert not failures, _report(failures, sent, started)


def _subscription_forms(client: FlaskClient, first: int) -> list[str]:
    """The subscription forms (a form that sends mail: each request from a new client address, so the fuzz
    meets the parsing rather than the throttle) and the POSTs of the links' pages with odd tokens."""
    failures = []
    base = {"email": "fuzz@example.com", "kind": "all", "target": "", "frequency": "daily", "website": ""}
    for n, raw in enumerate(ODD):
        environ = {"REMOTE_ADDR": f"10.251.{(first + n) % 250}.{n % 250}"}
        for field in base:
            data = {**base, field: _form_values(raw), "csrf_token": csrf_token_for(client)}
            status = _send(client, "POST", "/subscriptions/new", data=data, environ_base=environ)
            if status:
                failures.append(f"POST /subscriptions/new {field}={raw[:60]} -> {status}")
        link_form = {"manage-email": _form_values(raw), "manage-csrf_token": csrf_token_for(client)}
        status = _send(client, "POST", "/subscriptions/manage-link", data=link_form, environ_base=environ)
        if status:
            failures.append(f"POST /subscriptions/manage-link email={raw[:60]} -> {status}")
        for path in ("confirm", "unsubscribe", "manage"):
            data = {
                "action": _form_values(raw),
                "subscription_id": _form_values(raw),
                "csrf_token": csrf_token_for(client),
            }
            status = _send(client, "POST", f"/subscriptions/{path}/{raw}", data=data)
            if status:
                failures.append(f"POST /subscriptions/{path}/{raw[:60]} -> {status}")
    return failures


def test_no_staff_form_answers_5xx_to_odd_values(app, sess, world):
    real = _real_values(app, sess, world)
    client = _clients(app, world)[True]
    rules = sorted(
        (
            r
            for r in app.url_map.iter_rules()
            if "POST" in r.methods and r.rule.startswith("/admin/") and r.endpoint not in SKIP_POST
        ),
        key=lambda r: (r.rule, r.endpoint),
    )
    cases = [(rule, raw) for rule in rules for raw in ODD]
    failures, sent, started = [], 0, time.monotonic()
    for rule, raw in random.Random(SEED).sample(cases, min(MAX_STAFF_POST, len(cases))):
        value = _form_values(raw)
        data = {name: value for name in FORM_NAMES}
        data["csrf_token"] = csrf_token_for(client)
        status = _send(client, "POST", _path(rule, real[rule.endpoint]), data=data)
        sent += 1
        if status:
            failures.append(f"admin POST {rule.rule} ({rule.endpoint}) fields={raw[:60]} -> {status}")
    assert not failures, _report(failures, sent, started)

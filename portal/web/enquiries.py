"""Public pages of 政务咨询 (/enquiries/): the board of published replies with monthly statistics, the form
to write to the district or an agency, 我为政府网站找错, and the writer's private status page.

Receipts and status pages are ``private, no-store`` and reached by POST, so neither the receipt code nor the
password appears in a URL or a log.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template, request, session
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from portal.clock import today_local
from portal.db import session as db_session
from portal.models import Agency
from portal.models.enquiries import KINDS, STATES, TOPICS
from portal.services import attachments, receipts
from portal.services.enquiries import messages, pages
from portal.web.enquiry_forms import ErrorReportForm, MessageForm
from portal.web.forms import ReceiptLookupForm, choices
from portal.web.headers import private
from portal.web.limits import limit_by_setting
from portal.web.public_urls import public_urls
from portal.web.security import csrf

bp = Blueprint("enquiries", __name__, url_prefix="/enquiries")
NONCE = "enquiry_nonce"


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None


@bp.get("/")
def index() -> str:
    years = pages.board_years(db_session)
    year = _int_arg("year")
    board = pages.board(
        db_session,
        agency=request.args.get("agency", "")[:64],
        topic=request.args.get("topic", "") if request.args.get("topic", "") in TOPICS else "",
        year=year,
        q=request.args.get("q", "")[:100],
        page=_int_arg("page") or 1,
    )
    stats_year = year or (years[0] if years else today_local().year)
    return render_template(
        "enquiries/index.html",
        board=board,
        years=years,
        offices=pages.offices(db_session),
        topics=TOPICS,
        stats=pages.monthly(db_session, stats_year),
        stats_year=stats_year,
    )


@bp.get("/<int:enquiry_id>/")
def item(enquiry_id: int) -> str:
    msg = pages.published_item(db_session, enquiry_id)
    if msg is None:
        abort(404)
    return render_template("enquiries/item.html", msg=msg, kinds=KINDS, topics=TOPICS)


def _message_form() -> MessageForm:
    form = MessageForm()
    form.agency_id.choices = choices((a.id, a.name) for a in pages.offices(db_session))
    if request.method == "GET" and _int_arg("agency"):
        form.agency_id.data = _int_arg("agency")
    return form


def _form_page(template: str, form: MessageForm | ErrorReportForm, status: int = 200) -> Response:
    max_mb = current_app.extensions["settings"].upload_max_bytes // (1024 * 1024)
    return private(render_template(template, form=form, max_mb=max_mb), status)


def _receipt(msg: messages.Enquiry, password: str) -> Response:
    return private(render_template("enquiries/receipt.html", msg=msg, password=password, states=STATES))


def _attachment(form: MessageForm | ErrorReportForm) -> attachments.CheckedFile | None:
    """The writer's file, checked like a staff upload (AttachmentError); None when none was chosen."""
    upload = getattr(form, "attachment", None)
    data = upload.data if upload is not None else None
    if not isinstance(data, FileStorage) or not data.filename:
        return None
    settings = current_app.extensions["settings"]
    # One more byte than allowed is enough to refuse it, and a larger request is a 413 before this.
    raw = data.stream.read(settings.upload_max_bytes + 1)
    return attachments.check_file(data.filename, raw, settings.upload_max_bytes)


def _store(
    form: MessageForm | ErrorReportForm, template: str, agency: Agency | None, **fields: Any
) -> Response:
    """The shared end of both forms: checks, then the service, then the receipt (only after commit)."""
    if form.website.data:
        form.fail("", "提交未成功，请检查后重试。")
        return _form_page(template, form, 400)
    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = []
            form.fail("", "页面已过期，请确认填写的内容后再次提交。")
        return _refused(form, template, 400)
    if agency is None:
        form.fail("agency_id" if isinstance(form, MessageForm) else "", "请选择留言对象。")
        return _refused(form, template, 400)
    try:
        attachment = _attachment(form)
    except attachments.AttachmentError as exc:
        form.fail("attachment", str(exc))
        return _refused(form, template, 400)
    nonce = session.setdefault(NONCE, secrets.token_urlsafe(16))
    secret = current_app.config["SECRET_KEY"]
    parts = [str(agency.id), *(str(v) for v in fields.values())]
    if attachment is not None:
        parts.append(attachment.sha256)
    settings = current_app.extensions["settings"]
    try:
        msg, password, _new = messages.submit(
            db_session,
            agency,
            key=receipts.submission_key(nonce, parts),
            secret_key=secret,
            sender=receipts.sender_hash(secret, messages.AREA, request.remote_addr or ""),
            attachment=attachment,
            files=attachments.FileStore(settings.instance_path, settings.upload_scan_command),
            **fields,
        )
    except messages.EnquiryError as exc:
        db_session.rollback()
        form.fail(exc.field, exc.message)
        return _refused(form, template, exc.status)
    return _receipt(msg, password)


def _refused(form: MessageForm | ErrorReportForm, template: str, status: int) -> Response:
    """The form again with what was typed; a browser cannot be given a chosen file back, so say so."""
    upload = getattr(form, "attachment", None)
    chosen = upload is not None and isinstance(upload.data, FileStorage) and bool(upload.data.filename)
    if chosen and upload is not None and not upload.errors:
        upload.errors = ["留言未提交，请重新选择附件。"]
    return _form_page(template, form, status)


@bp.get("/write")
def write() -> Response:
    return _form_page("enquiries/write.html", _message_form())


# The app-wide CSRF check is replaced by the form's own, so that an expired page keeps what was typed.
@csrf.exempt
@bp.post("/write")
def submit() -> Response:
    form = _message_form()
    return _store(
        form,
        "enquiries/write.html",
        agency=pages.office(db_session, form.agency_id.data),
        kind=form.kind.data or "consult",
        topic=form.topic.data or "other",
        subject=form.subject.data or "",
        body=form.body.data or "",
        name=form.name.data or "",
        phone=form.phone.data or "",
        email=form.email.data or "",
        consent=bool(form.consent.data),
    )


def _page_reported() -> str:
    """The page the footer link was followed from: ``?url=``, else the referring page of this site.

    The footer link carries no query string, so that static copies of every page share it; the browser's
    Referer (same-origin: the full address) says which page it was."""
    if request.args.get("url"):
        return request.args["url"][:500]
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return ""
    return (referrer.path + (f"?{referrer.query}" if referrer.query else ""))[:500]


def _error_form() -> ErrorReportForm:
    form = ErrorReportForm()
    if request.method == "GET":
        form.page_url.data = _page_reported()
    return form


@bp.get("/report-error")
def report_error() -> Response:
    return _form_page("enquiries/report_error.html", _error_form())


@csrf.exempt
@bp.post("/report-error")
def submit_error() -> Response:
    form = _error_form()
    page_url = (form.page_url.data or "").strip()
    return _store(
        form,
        "enquiries/report_error.html",
        agency=pages.error_desk(db_session),
        kind="error",
        topic="other",
        subject=f"网站纠错：{page_url or '（未注明页面）'}"[: messages.SUBJECT_MAX],
        body=form.body.data or "",
        name=form.name.data or "",
        email=form.email.data or "",
        page_url=page_url,
    )


@bp.get("/status")
def lookup() -> Response:
    return private(render_template("enquiries/lookup.html", form=ReceiptLookupForm()))


@bp.post("/status")
@limit_by_setting("receipt_lookup_rate_limit")
def status() -> Response:
    form = ReceiptLookupForm()
    if not form.validate():
        return private(render_template("enquiries/lookup.html", form=form), 400)
    msg = messages.find_for_writer(db_session, form.code.data or "", form.password.data or "")
    if msg is None:
        form.fail("", "登记号或查询密码不正确，请核对后重新输入。")
        return private(render_template("enquiries/lookup.html", form=form), 404)
    return private(
        render_template(
            "enquiries/status.html",
            msg=msg,
            states=STATES,
            kinds=KINDS,
            events=[e for e in msg.events if e.kind in pages.WRITER_EVENTS],
            event_labels=pages.EVENT_LABELS,
        )
    )


@public_urls
def enquiry_urls(sess: Session) -> Iterator[str]:
    yield "/enquiries/"
    for enquiry_id in pages.published_ids(sess):
        yield f"/enquiries/{enquiry_id}/"

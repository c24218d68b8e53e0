"""Public pages of 依申请公开 (/foi/): the guide, the application form, the receipt and the status page.

The receipt and status pages show an applicant's own data: they are ``private, no-store``, never cached,
and reached by POST only, so neither the receipt code nor the password ever appears in a URL or a log.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from flask import Blueprint, current_app, render_template, request, session
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.db import session as db_session
from portal.models.foi import APPLICANT_TYPES, CHANNELS, STATES
from portal.services.foi import deadlines, fees, pages
from portal.services.foi import requests as service
from portal.services.foi.outcomes import OUTCOMES
from portal.web.foi_forms import ApplicationForm
from portal.web.forms import ReceiptLookupForm as LookupForm
from portal.web.forms import choices
from portal.web.headers import private
from portal.web.limits import limit_by_setting
from portal.web.public_urls import public_urls
from portal.web.security import csrf

bp = Blueprint("foi", __name__, url_prefix="/foi")
NONCE = "foi_nonce"


def _application_form() -> ApplicationForm:
    form = ApplicationForm()
    form.agency_id.choices = choices((a.id, a.name) for a in pages.public_offices(db_session))
    return form


@bp.get("/")
def index() -> str:
    return render_template(
        "foi/index.html",
        offices=pages.public_offices(db_session),
        reply_days=deadlines.REPLY_WORKING_DAYS,
        methods=fees.METHODS,
    )


def _form_page(form: ApplicationForm, status: int = 200) -> Response:
    return private(render_template("foi/apply.html", form=form, channels=CHANNELS), status)


@bp.get("/apply")
def apply() -> Response:
    return _form_page(_application_form())


# The app-wide CSRF check is replaced here by the form's own, so that an expired page keeps what was typed.
@csrf.exempt
@bp.post("/apply")
def submit() -> Response:
    form = _application_form()
    if form.website.data:
        form.fail("", "提交未成功，请检查后重试。")
        return _form_page(form, 400)
    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = []
            form.fail("", "页面已过期，请确认填写的内容后再次提交。")
        return _form_page(form, 400)
    agency = pages.office(db_session, form.agency_id.data)
    if agency is None:
        form.fail("agency_id", "请选择受理机关。")
        return _form_page(form, 400)
    nonce = session.setdefault(NONCE, secrets.token_urlsafe(16))
    secret = current_app.config["SECRET_KEY"]
    application = form.application()
    try:
        req, password, _new = service.submit_online(
            db_session,
            application,
            agency,
            service.submission_key(nonce, agency.id, application),
            secret,
            sender=service.sender_hash(secret, request.remote_addr or ""),
        )
    except service.FoiError as exc:
        db_session.rollback()
        form.fail(exc.field, exc.message)
        return _form_page(form, exc.status)
    # Committed: only now is the receipt shown.
    return private(render_template("foi/receipt.html", req=req, password=password, states=STATES))


@bp.get("/status")
def lookup() -> Response:
    return private(render_template("foi/lookup.html", form=LookupForm()))


@bp.post("/status")
@limit_by_setting("receipt_lookup_rate_limit")
def status() -> Response:
    form = LookupForm()
    if not form.validate():
        return private(render_template("foi/lookup.html", form=form), 400)
    req = service.find_for_applicant(db_session, form.code.data or "", form.password.data or "")
    if req is None:
        form.fail("", "登记号或查询密码不正确，请核对后重新输入。")
        return private(render_template("foi/lookup.html", form=form), 404)
    return private(
        render_template(
            "foi/status.html",
            req=req,
            states=STATES,
            outcomes=OUTCOMES,
            applicant_types=APPLICANT_TYPES,
            events=[e for e in req.events if e.kind in pages.APPLICANT_EVENTS],
            event_labels=pages.EVENT_LABELS,
        )
    )


@public_urls
def foi_urls(_sess: Session) -> Iterator[str]:
    yield "/foi/"

"""Public pages of consultations: the list, a consultation with its comment form, receipts, the report.

Receipt codes never appear in a URL (access logs, browser history and Referer headers keep URLs): the
comment form and the lookup form are POSTs that put the code into the visitor's session and redirect to
``/consultations/receipt/``, which shows the receipt of the code held there. A receipt may show a comment
its author did not agree to publish, so it is ``private, no-store`` and never enters the page cache.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask import session as visitor
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.clock import LOCAL_TZ
from portal.db import session
from portal.models import Consultation
from portal.models.consultations import CHANNELS, DISPOSITIONS, KINDS, MODERATION, STATUS
from portal.services import consultations as service
from portal.services import throttles
from portal.services.consultations import report as reports
from portal.services.consultations import search as consultation_search
from portal.services.consultations.rules import (
    comment_key,
    local_datetime_text,
    local_today,
    new_idempotency_key,
)
from portal.web.consultation_forms import CommentForm, ReceiptCodeForm
from portal.web.headers import private
from portal.web.limits import limit_by_setting, retry_after_seconds, too_many, wait_text
from portal.web.public_urls import DYNAMIC_PREFIXES, public_urls
from portal.web.security import csrf

bp = Blueprint("consultations", __name__, url_prefix="/consultations")

SESSION_NONCE = "comment_session"  # per browser session: part of every comment's idempotency key
SESSION_RECEIPT = "receipt_code"  # the receipt /consultations/receipt/ shows
DYNAMIC_PREFIXES.append("/consultations/receipt")  # receipts and the lookup: never exported


@bp.record_once
def _setup(state: Any) -> None:
    consultation_search.register()
    setting = state.app.extensions["settings"].comment_rate_limit
    try:
        state.app.extensions["comment_throttle"] = throttles.parse_windows(setting)
    except ValueError as exc:
        raise SystemExit(f"PORTAL_COMMENT_RATE_LIMIT: invalid value {setting!r} ({exc})") from exc


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "new_key": new_idempotency_key,  # the staff entry form (web/admin/consultations.py)
        "CONSULTATION_KINDS": KINDS,
        "CONSULTATION_STATUS": STATUS,
        "COMMENT_CHANNELS": CHANNELS,
        "MODERATION": MODERATION,
        "DISPOSITIONS": DISPOSITIONS,
    }


@bp.get("/")
def index() -> str:
    today = local_today()
    return render_template(
        "consultations/index.html",
        groups=service.public_list(session, today),
        today=today,
        days_left=service.days_left,
    )


def _session_nonce() -> str:
    """The browser session's own random value, kept as long as the session cookie."""
    nonce = visitor.get(SESSION_NONCE)
    if not isinstance(nonce, str) or not nonce:
        nonce = visitor[SESSION_NONCE] = secrets.token_urlsafe(18)
    return nonce


def _page(
    consultation: Consultation,
    form: dict[str, Any] | None = None,
    error: str = "",
    field: str = "",
    status: int = 200,
) -> tuple[str, int]:
    today = local_today()
    phase = service.phase(consultation, today)
    if phase == "open" and consultation.accepts_online:
        _session_nonce()
    clause_arg = request.args.get("clause", "")
    form = form or {"clause": clause_arg if clause_arg.isascii() and clause_arg.isdigit() else ""}
    return render_template(
        "consultations/consultation.html",
        c=consultation,
        phase=phase,
        days_left=service.days_left(consultation, today),
        shown=service.shown_comments(session, consultation),
        form=form,
        error=error,
        error_field=field,
        body_max=service.BODY_MAX,
    ), status


@bp.get("/<slug>/")
def consultation(slug: str) -> tuple[str, int]:
    c = service.public_consultation(session, slug)
    if c is None:
        abort(404)
    return _page(c)


# Exempt from the app-wide check only to check the token in the form instead: a citizen whose page sat
# open too long keeps the text typed and is asked to submit again, rather than losing it to an error page.
@csrf.exempt
@bp.post("/<slug>/comments")
@limit_by_setting("form_request_limit")
def submit(slug: str) -> Response | tuple[str, int]:
    c = service.consultation_for_comment(session, slug)
    if c is None:
        abort(404)
    form = CommentForm()
    form.validate()
    if form.expired:
        return _refused(slug, form.typed(), "页面已过期，请确认内容后再次提交。")
    if form.website.data:
        return _refused(slug, form.typed(), "提交未成功，请检查后重试。")
    if form.clause.errors:
        return _refused(slug, form.typed(), form.clause.errors[0], "clause")
    secret = current_app.config["SECRET_KEY"]
    body = form.body.data or ""
    data = service.CommentInput(
        body=body,
        idempotency_key=comment_key(secret, _session_nonce(), c.id, body),
        clause_number=form.clause_number,
        name=form.name.data or "",
        contact=form.contact.data or "",
        consent=bool(form.consent.data),
    )
    try:
        comment, _new = service.submit_comment(
            session,
            c,
            data,
            sender=service.sender_hash(secret, request.remote_addr or ""),
            throttle=current_app.extensions["comment_throttle"],
        )
    except service.ConsultationError as exc:
        if exc.status == 429:
            return _throttled(slug, form.typed(), exc.retry_after)
        return _refused(slug, form.typed(), exc.message, exc.field, exc.status)
    # Committed: the receipt can be shown. 303 so that a reload of the receipt does not resubmit.
    visitor[SESSION_RECEIPT] = comment.receipt_code
    return redirect(url_for("consultations.receipt"), code=303)


def _refused(
    slug: str, form: dict[str, Any], message: str, field: str = "", status: int = 400
) -> tuple[str, int]:
    """The page again with the form as typed and the reason; the full consultation is loaded only here."""
    session.rollback()
    consultation = service.public_consultation(session, slug)
    if consultation is None:  # withdrawn while the form was being sent
        abort(404)
    return _page(consultation, form, message, field, status)


def _throttled(slug: str, form: dict[str, Any], seconds: int) -> Response:
    """429 with the form as typed and when to try again (and the same in ``Retry-After``)."""
    at = (datetime.now(UTC) + timedelta(seconds=seconds)).astimezone(LOCAL_TZ)
    message = (
        f"您提交意见过于频繁，请于{wait_text(seconds)}后（北京时间{at:%H:%M}以后）再提交。"
        "您填写的内容已保留在下方，届时直接点击“提交意见”即可。"
    )
    response = make_response(_refused(slug, form, message, "body", 429))
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.errorhandler(429)
def _request_limit(exc: Exception) -> Response:
    """A flood guard hit on the comment form: the typed comment is shown again, never dropped."""
    seconds = retry_after_seconds()
    if request.endpoint == "consultations.submit" and request.view_args:
        return _throttled(request.view_args["slug"], CommentForm().typed(), seconds)
    return too_many(f"您的操作过于频繁，请于{wait_text(seconds)}后再试。", seconds)


@bp.route("/receipts/", methods=["GET", "POST"])
@limit_by_setting("receipt_lookup_rate_limit")
def lookup() -> Response:
    """The lookup form; its POST (the code in the body, never in the URL) leads to the receipt."""
    if request.method == "GET":
        # ?code= from an old link only fills in the form; nothing is looked up by URL.
        code = service.strip_control_characters(request.args.get("code", ""))[:32]
        return private(render_template("consultations/lookup.html", code=code, error=""))
    code = ReceiptCodeForm().code.data or ""
    comment = service.find_receipt(session, code)
    if comment is None or comment.consultation.status == "draft":
        return private(
            render_template(
                "consultations/lookup.html",
                code=service.strip_control_characters(code)[:32],
                error="未找到该回执码对应的意见，请核对后重新输入。",
            ),
            404,
        )
    visitor[SESSION_RECEIPT] = comment.receipt_code
    return redirect(url_for("consultations.receipt"), code=303)


@bp.get("/receipt/")
def receipt() -> Response:
    code = visitor.get(SESSION_RECEIPT)
    comment = service.find_receipt(session, code) if isinstance(code, str) else None
    if comment is None or comment.consultation.status == "draft":
        return redirect(url_for("consultations.lookup"), code=303)
    return private(
        render_template(
            "consultations/receipt.html",
            comment=comment,
            c=comment.consultation,
            received=local_datetime_text(comment.received_at),
        )
    )


@bp.get("/receipts/<code>/")
@limit_by_setting("receipt_lookup_rate_limit")
def old_receipt_link(code: str) -> Response:
    """Receipt pages used to be at /receipts/<code>/: such a bookmark opens the lookup form with the code
    filled in, one click from the receipt (deploy/ masks the code in access logs)."""
    code = service.strip_control_characters(code)[:32]
    return private(render_template("consultations/lookup.html", code=code, error=""))


@bp.get("/<slug>/report/")
def report(slug: str) -> str:
    c = service.public_consultation(session, slug)
    if c is None or c.status != "reported":
        abort(404)
    return render_template("consultations/report.html", c=c, report=reports.build_report(session, c))


@public_urls
def consultation_urls(sess: Session) -> Iterator[str]:
    """The list, each consultation (left to the app by the export while its form carries a CSRF token),
    feedback reports and the receipt lookup form."""
    yield "/consultations/"
    yield "/consultations/receipts/"
    for group in service.public_list(sess).values():
        for c in group:
            yield f"/consultations/{c.slug}/"
            if c.status == "reported":
                yield f"/consultations/{c.slug}/report/"

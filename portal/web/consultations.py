"""Public pages of consultations: the list, a consultation with its comment form, receipts, the report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from portal.db import session
from portal.models.consultations import CHANNELS, DISPOSITIONS, KINDS, MODERATION, STATUS
from portal.services import consultation_report as reports
from portal.services import consultation_search
from portal.services import consultations as service
from portal.services.consultation_rules import local_today, new_idempotency_key
from portal.web.limits import is_disabled, limiter, setting_limit
from portal.web.public_urls import public_urls
from portal.web.security import csrf

bp = Blueprint("consultations", __name__, url_prefix="/consultations")

HONEYPOT = "website"  # hidden from people; bots fill it in


@bp.record_once
def _register_search(_state: Any) -> None:
    consultation_search.register()


def _limit(name: str) -> Any:
    return limiter.limit(
        lambda: setting_limit(name) or "1000000 per second", exempt_when=lambda: is_disabled(name)
    )


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "consultation_links": lambda doc: service.consultations_for_document(session, doc),
        "new_key": new_idempotency_key,
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


def _page(
    consultation,
    form: dict[str, Any] | None = None,
    error: str = "",
    field: str = "",  # noqa: ANN001
    status: int = 200,
) -> tuple[str, int]:
    today = local_today()
    clause_arg = request.args.get("clause", "")
    form = form or {"clause": clause_arg if clause_arg.isdigit() else "", "key": new_idempotency_key()}
    return render_template(
        "consultations/consultation.html",
        c=consultation,
        phase=service.phase(consultation, today),
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


def _form_data() -> dict[str, Any]:
    f = request.form
    return {
        "body": f.get("body", ""),
        "clause": f.get("clause", ""),
        "name": f.get("name", ""),
        "contact": f.get("contact", ""),
        "consent": f.get("consent") == "1",
        "key": f.get("key", ""),
    }


# Exempt from the app-wide check only to check the token here instead: a citizen whose page sat open
# too long keeps the text typed and is asked to submit again, rather than losing it to an error page.
@csrf.exempt
@bp.post("/<slug>/comments")
@_limit("comment_rate_limit")
def submit(slug: str) -> Response | tuple[str, int]:
    c = service.consultation_for_comment(session, slug)
    if c is None:
        abort(404)
    form = _form_data()
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (CSRFError, ValidationError):
        # The page sat open too long or cookies are off: keep what was typed and ask again.
        return _refused(slug, form, "页面已过期，请确认内容后再次提交。")
    if request.form.get(HONEYPOT):
        return _refused(slug, form, "提交未成功，请检查后重试。")
    clause = form["clause"]
    if clause and not clause.isdigit():
        return _refused(slug, form, "所选条款不存在，请重新选择。", "clause")
    data = service.CommentInput(
        body=form["body"],
        idempotency_key=form["key"],
        clause_number=int(clause) if clause else None,
        name=form["name"],
        contact=form["contact"],
        consent=form["consent"],
    )
    secret = current_app.config["SECRET_KEY"]
    try:
        comment, _new = service.submit_comment(
            session, c, data, sender=service.sender_hash(secret, request.remote_addr or "")
        )
    except service.ConsultationError as exc:
        return _refused(slug, form, exc.message, exc.field, exc.status)
    # Committed: the receipt can be shown. 303 so that a reload of the receipt does not resubmit.
    return redirect(url_for("consultations.receipt", code=comment.receipt_code), code=303)


def _refused(
    slug: str, form: dict[str, Any], message: str, field: str = "", status: int = 400
) -> tuple[str, int]:
    """The page again with the form as typed and the reason; the full consultation is loaded only here."""
    session.rollback()
    return _page(service.public_consultation(session, slug), form, message, field, status)


@bp.get("/receipts/")
@_limit("receipt_lookup_rate_limit")
def lookup() -> Response | tuple[str, int]:
    code = request.args.get("code", "").strip()
    if not code:
        return render_template("consultations/lookup.html", code="", error=""), 200
    comment = service.find_receipt(session, code)
    if comment is None:
        return render_template(
            "consultations/lookup.html", code=code, error="未找到该回执码对应的意见，请核对后重新输入。"
        ), 404
    return redirect(url_for("consultations.receipt", code=comment.receipt_code), code=303)


@bp.get("/receipts/<code>/")
@_limit("receipt_lookup_rate_limit")
def receipt(code: str) -> str:
    comment = service.find_receipt(session, code)
    if comment is None or comment.consultation.status == "draft":
        abort(404)
    return render_template("consultations/receipt.html", comment=comment, c=comment.consultation)


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

"""Public pages of 邮件订阅 (/subscriptions/): subscribe, confirm, unsubscribe, manage without an account.

Every page here is ``private, no-store`` and sends no referrer: the links carry tokens. Following a link
from a mail (GET) never changes anything (mail scanners follow links); the page it opens has the button
that does (POST). The one exception is the RFC 8058 one-click POST to the unsubscribe address, which mail
clients send without a page: it is exempt from CSRF and needs the token in the address instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from portal.clock import LOCAL_TZ
from portal.db import current_session
from portal.models.subscriptions import FREQUENCIES, SUBSCRIPTION_KINDS, SUBSCRIPTION_STATES
from portal.services.subscriptions import pages, signup, tokens
from portal.web.headers import private
from portal.web.limits import wait_text
from portal.web.public_urls import DYNAMIC_PREFIXES
from portal.web.security import csrf
from portal.web.subscription_forms import ButtonForm, ManageForm, ManageLinkForm, SubscribeForm

bp = Blueprint("subscriptions", __name__, url_prefix="/subscriptions")
DYNAMIC_PREFIXES.append("/subscriptions/")  # forms and private pages: served by the app, never exported


@bp.app_template_global()
def subscribe_url(kind: str, target: str = "") -> str:
    """The link "邮件订阅" on a public page: the form for following ``kind``/``target``."""
    from flask import url_for

    # The kind in the path: one query parameter at most, so the link needs no "&" (nor "&amp;").
    if target:
        return url_for("subscriptions.new", kind=kind, target=target)
    return url_for("subscriptions.new", kind=kind)


def _db() -> Session:
    return current_session()  # the request's session itself


def _private(body: str, status: int = 200, retry_after: int = 0) -> Response:
    response = private(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _sender() -> str:
    return tokens.sender_hash(_secret(), request.remote_addr or "")


def _page(template: str, status: int = 200, retry_after: int = 0, **context: object) -> Response:
    return _private(
        render_template(
            f"subscriptions/{template}",
            kinds=SUBSCRIPTION_KINDS,
            frequencies=FREQUENCIES,
            states=SUBSCRIPTION_STATES,
            **context,
        ),
        status,
        retry_after,
    )


def _throttled(exc: signup.SubscriptionError) -> str:
    at = (datetime.now(UTC) + timedelta(seconds=exc.retry_after)).astimezone(LOCAL_TZ)
    return f"提交过于频繁，请于{wait_text(exc.retry_after)}后（北京时间{at:%H:%M}以后）再试。"


def _expired(form: SubscribeForm | ManageLinkForm) -> None:
    if form.csrf_token.errors:
        form.csrf_token.errors = []
        form.fail("", "页面已过期，请确认填写的内容后再次提交。")


@bp.get("/")
def index() -> Response:
    form = SubscribeForm(formdata=None)
    return _page(
        "index.html",
        form=form,
        target=pages.everything(),
        link_form=ManageLinkForm(formdata=None, prefix="manage"),
    )


@bp.get("/new/<kind>")
def new(kind: str) -> Response:
    raw = request.args.get("target", "")[:1000]
    try:
        target = signup.resolve(_db(), kind, raw)
    except signup.SubscriptionError as exc:
        return _page("invalid.html", 404, message=exc.message)
    form = SubscribeForm(formdata=None, kind=target.kind, target=target.value)
    return _page("new.html", form=form, target=target)


# The app-wide CSRF check is replaced by the form's own, so that an expired page keeps what was typed.
@csrf.exempt
@bp.post("/new")
def subscribe() -> Response:
    form = SubscribeForm()
    kind, raw = (form.kind.data or "")[:16], (form.target.data or "")[:1000]
    try:
        target = signup.resolve(_db(), kind, raw)
    except signup.SubscriptionError as exc:
        return _page("invalid.html", 404, message=exc.message)
    if form.website.data:
        form.fail("", "提交未成功，请检查后重试。")
        return _page("new.html", 400, form=form, target=target)
    if not form.validate():
        _expired(form)
        return _page("new.html", 400, form=form, target=target)
    try:
        signup.request(
            _db(),
            _secret(),
            email=form.email.data or "",
            kind=target.kind,
            target=target.value,
            frequency=form.frequency.data or "",
            sender=_sender(),
        )
        _db().commit()
    except signup.SubscriptionError as exc:
        _db().rollback()
        form.fail(exc.field, _throttled(exc) if exc.status == 429 else exc.message)
        return _page("new.html", exc.status, exc.retry_after, form=form, target=target)
    return _page("sent.html", target=target)


@csrf.exempt
@bp.post("/manage-link")
def manage_link() -> Response:
    form = ManageLinkForm(prefix="manage")
    blank = SubscribeForm(formdata=None)
    if form.website.data:
        form.fail("", "提交未成功，请检查后重试。")
        return _page("index.html", 400, form=blank, target=pages.everything(), link_form=form)
    if not form.validate():
        _expired(form)
        return _page("index.html", 400, form=blank, target=pages.everything(), link_form=form)
    try:
        signup.request_manage_link(_db(), _secret(), email=form.email.data or "", sender=_sender())
        _db().commit()
    except signup.SubscriptionError as exc:
        _db().rollback()
        form.fail(exc.field, _throttled(exc) if exc.status == 429 else exc.message)
        return _page(
            "index.html", exc.status, exc.retry_after, form=blank, target=pages.everything(), link_form=form
        )
    return _page("sent.html", target=None)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> Response:
    """GET shows what is to be confirmed and the button; only the button's POST (CSRF-checked) confirms."""
    pending = signup.pending_by_token(_db(), token)
    if pending is None:
        return _page("invalid.html", 404, message="确认链接无效或已过期。请重新订阅，以获取新的确认邮件。")
    form = ButtonForm()
    if request.method == "GET" or not form.validate():
        return _page("confirm.html", form=form, subscription=pending, expired=request.method == "POST")
    subscription = signup.confirm(_db(), token)
    if subscription is None:
        abort(404)
    manage = signup.manage_token(_secret(), subscription.subscriber)
    _db().commit()
    return _page("confirmed.html", subscription=subscription, manage_token=manage)


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str) -> Response:
    subscription = signup.by_unsubscribe_token(_db(), token)
    if subscription is None:
        return _page("invalid.html", 404, message="该订阅已经退订，或链接无效。")
    return _page("unsubscribe.html", subscription=subscription, token=token)


# RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the address of the header, with no
# page and no CSRF token; the token in the address is what proves the right to unsubscribe.
@csrf.exempt
@bp.post("/unsubscribe/<token>")
def unsubscribe(token: str) -> Response:
    subscription = signup.by_unsubscribe_token(_db(), token)
    if subscription is None:
        return _page("invalid.html", 404, message="该订阅已经退订，或链接无效。")
    label = signup.end(_db(), subscription)
    _db().commit()
    return _page("unsubscribed.html", label=label)


@bp.route("/manage/<token>", methods=["GET", "POST"])
def manage(token: str) -> Response:
    subscriber = signup.by_manage_token(_db(), token)
    if subscriber is None:
        return _page(
            "invalid.html", 404, message="管理链接无效或已更换。请在订阅页面输入邮箱，重新获取管理链接。"
        )
    form = ManageForm()
    notice = ""
    if request.method == "POST":
        if not form.validate():
            return _page("manage.html", 400, subscriber=subscriber, token=token, form=form, notice="")
        action = form.action.data
        chosen = signup.owned(subscriber, form.subscription_id.data)
        if action == "delete":
            signup.delete_subscriber(_db(), subscriber)
            _db().commit()
            return _page("deleted.html")
        if action == "revoke":
            signup.revoke(_db(), _secret(), subscriber)
            _db().commit()
            return _page("revoked.html")
        if action == "unsubscribe" and chosen is not None:
            label = signup.end(_db(), chosen)
            _db().commit()
            if signup.by_manage_token(_db(), token) is None:
                return _page("unsubscribed.html", label=label)
            notice = f"已退订：{label}"
        elif action == "frequency" and chosen is not None and form.frequency.data in FREQUENCIES:
            signup.set_frequency(_db(), subscriber, chosen.id, form.frequency.data)
            _db().commit()
            notice = f"已修改接收方式：{chosen.label}（{FREQUENCIES[chosen.frequency]}）"
        else:
            return _page("manage.html", 400, subscriber=subscriber, token=token, form=form, notice="")
    return _page(
        "manage.html", subscriber=subscriber, token=token, form=ManageForm(formdata=None), notice=notice
    )

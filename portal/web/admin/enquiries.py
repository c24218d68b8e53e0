"""Staff pages of 政务咨询 (/admin/enquiries/): the agency's queue with its watchdog, and each message's
steps — accept or refuse, transfer, extend, draft, review and answer (four eyes), publish.

Editors accept, transfer and draft; reviewers return or approve and send the reply (not their own draft);
publishers publish and take down. Staff see their own agency's messages; admins all.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.clock import today_local
from portal.db import session
from portal.models.enquiries import KINDS, STATES, TOPICS
from portal.services import attachments
from portal.services.enquiries import messages, pages
from portal.services.mail import MailError, send_mail
from portal.web import enquiry_forms as forms
from portal.web.admin import steps
from portal.web.admin.access import roles_required
from portal.web.downloads import send_stored_file
from portal.web.forms import choices
from portal.web.inputs import int_arg

bp = Blueprint("admin_enquiries", __name__, url_prefix="/admin/enquiries")
READERS = ("editor", "reviewer", "publisher", "admin")


Step = steps.Step[messages.Enquiry]


def _agency(form: forms.AgencyForm) -> Any:
    agency = pages.office(session, form.agency_id.data)
    if agency is None:
        raise messages.EnquiryError("请选择单位。", "agency_id")
    return agency


STEPS: dict[str, Step] = {
    "accept": Step(
        forms.EmptyForm,
        lambda f, m: messages.accept(session, current_user, m),
        "已受理。",
        roles=("editor", "reviewer"),
    ),
    "reject": Step(
        forms.ReasonForm,
        lambda f, m: messages.reject(session, current_user, m, f.reason.data),
        "已不予受理，理由将告知留言人。",
        roles=("editor", "reviewer"),
    ),
    "transfer": Step(
        forms.AgencyForm,
        lambda f, m: messages.transfer(session, current_user, m, _agency(f)),
        "已转办，留言时间和期限不变。",
        roles=("editor", "reviewer"),
    ),
    "extend": Step(
        forms.ReasonForm,
        lambda f, m: messages.extend(session, current_user, m, f.reason.data),
        "已延长答复期限。",
        roles=("reviewer",),
    ),
    "draft": Step(
        forms.ReplyForm,
        lambda f, m: messages.draft(session, current_user, m, f.reply.data, bool(f.publish_question.data)),
        "答复已起草，待审核。",
        roles=("editor", "reviewer"),
    ),
    "return": Step(
        forms.RemarkForm,
        lambda f, m: messages.return_draft(session, current_user, m, f.remark.data),
        "已退回修改。",
        roles=("reviewer",),
    ),
    "answer": Step(
        forms.EmptyForm,
        lambda f, m: messages.answer(session, current_user, m),
        "答复已审核并发出。",
        roles=("reviewer",),
    ),
    "publish": Step(
        forms.EmptyForm,
        lambda f, m: messages.publish(session, current_user, m),
        "答复已公开。",
        roles=("publisher",),
    ),
    "unpublish": Step(
        forms.ReasonForm,
        lambda f, m: messages.unpublish(session, current_user, m, f.reason.data),
        "已撤下。",
        roles=("publisher",),
    ),
}


def _visible(enquiry_id: int) -> messages.Enquiry:
    msg = pages.get(session, enquiry_id)
    if msg is None:
        abort(404)
    if not (current_user.has_role("admin") or current_user.agency_id in (None, msg.agency_id)):
        abort(403)
    return msg


@bp.get("/")
@roles_required(*READERS)
def index() -> str:
    return render_template(
        "admin/enquiries/index.html",
        queue=pages.queue(
            session,
            current_user,
            request.args.get("state", ""),
            int_arg("page", 1, 1, 99999),
        ),
        watch=pages.watch(session, current_user),
        states=STATES,
        state=request.args.get("state", "") if request.args.get("state", "") in STATES else "",
        today=today_local(),
    )


def _detail(msg: messages.Enquiry, status: int = 200, **in_error: Any) -> tuple[str, int]:
    step_forms = steps.blank_forms(STEPS, in_error)
    step_forms["transfer"].agency_id.choices = choices(
        (a.id, a.name) for a in pages.offices(session) if a.id != msg.agency_id
    )
    if "draft" not in in_error and msg.reply:
        step_forms["draft"].reply.data = msg.reply
        step_forms["draft"].publish_question.data = msg.publish_question
    allowed = {name for name, step in STEPS.items() if current_user.has_role(*step.roles)}
    return render_template(
        "admin/enquiries/detail.html",
        msg=msg,
        f=step_forms,
        allowed=allowed if pages.can_handle(current_user, msg) else set(),
        states=STATES,
        kinds=KINDS,
        topics=TOPICS,
        event_labels=pages.EVENT_LABELS,
        problems=messages.publication_problems(msg) if msg.state == "answered" else [],
        refusals=[m for form in in_error.values() for m in form.form_errors],
        today=today_local(),
    ), status


@bp.get("/<int:enquiry_id>/")
@roles_required(*READERS)
def detail(enquiry_id: int) -> tuple[str, int]:
    msg = _visible(enquiry_id)
    messages.audit_view(session, current_user, msg)
    session.commit()
    return _detail(msg)


@bp.get("/<int:enquiry_id>/attachment")
@roles_required(*READERS)
def attachment(enquiry_id: int) -> Any:
    """The writer's attachment, for the staff who may see the message (never on a public page)."""
    msg = _visible(enquiry_id)
    if not msg.attachment_sha256:
        abort(404)
    messages.audit_attachment_view(session, current_user, msg)
    session.commit()
    files = attachments.FileStore(current_app.extensions["settings"].instance_path)
    # Served like every staff download: attachment disposition, nosniff, sandbox; the staff area is no-store.
    return send_stored_file(
        files.path(msg.attachment_sha256, msg.attachment_kind),
        attachments.CONTENT_TYPES[msg.attachment_kind],
        msg.attachment_name,
        msg.attachment_sha256,
    )


def _notify(msg: messages.Enquiry) -> None:
    """Tell the writer the reply is there (by e-mail when they left one); a mail failure is only flashed."""
    if not msg.email:
        return
    settings = current_app.extensions["settings"]
    body = f"您的留言（登记号 {msg.receipt_code}）“{msg.subject}”已答复：\n\n{msg.reply}\n\n"
    body += f"凭登记号和查询密码可在 {settings.base_url.rstrip('/')}/enquiries/status 查看。"
    try:
        send_mail(settings, [msg.email], f"您的留言已答复（{msg.receipt_code}）", body)
    except MailError:
        flash("答复已发出，但通知邮件未能发送，请电话告知留言人。", "error")


def _choose_office(form: forms.AgencyForm) -> None:
    form.agency_id.choices = choices((a.id, a.name) for a in pages.offices(session))


@bp.post("/<int:enquiry_id>/<step>")
@roles_required("editor", "reviewer", "publisher")
def act(enquiry_id: int, step: str) -> Response | tuple[str, int]:
    if step not in STEPS:
        abort(404)
    msg = _visible(enquiry_id)
    if not pages.can_handle(current_user, msg) or not current_user.has_role(*STEPS[step].roles):
        abort(403)
    refused = steps.take(
        STEPS,
        step,
        msg,
        page=_detail,
        reload=lambda: pages.get(session, enquiry_id),
        refused=messages.EnquiryError,
        prepare=_choose_office if step == "transfer" else lambda form: None,
    )
    if refused is not None:
        return refused
    if step == "answer":
        _notify(msg)
    if (
        step == "transfer"
        and current_user.agency_id not in (None, msg.agency_id)
        and not current_user.has_role("admin")
    ):
        return redirect(url_for("admin_enquiries.index"))
    return redirect(url_for("admin_enquiries.detail", enquiry_id=msg.id))

"""Staff pages of the government gazette (/admin/gazette/): list issues, assemble a draft (number, title,
date, table of contents, printed PDF), publish and withdraw. Views parse the form, call
``services.gazette_assembly`` and render; every form carries the app-wide CSRF token.

Editors assemble; publishers publish and withdraw (and, four eyes, not an issue they last changed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from portal.db import session
from portal.models import GazetteIssue
from portal.models.gazette import GAZETTE_STATUS
from portal.services import attachments, gazette_assembly
from portal.services.publishing import WorkflowError
from portal.web.admin import gazette_forms as forms
from portal.web.admin import workflow
from portal.web.admin.access import roles_required
from portal.web.admin.workflow import me
from portal.web.inputs import int_arg

bp = Blueprint("admin_gazette", __name__, url_prefix="/admin/gazette")
VIEWERS = ("editor", "reviewer", "publisher")


def _issue(item_id: int) -> GazetteIssue:
    issue = gazette_assembly.issue_by_id(session, item_id)
    if issue is None:
        abort(404)
    return issue


def _form_values(issue: GazetteIssue | None) -> dict[str, str]:
    """The issue form as first shown: the issue's fields, or a new issue's proposed numbers."""
    if issue is None:
        year = int_arg("year", date.today().year, 1949, date.today().year + 1)
        number, running = gazette_assembly.proposed_numbers(session, year)
        data: Any = {
            "year": year,
            "number": number,
            "running_number": running,
            "published_on": date.today() if year == date.today().year else None,
        }
    else:
        data = issue
    return forms.IssueForm(formdata=None, obj=data if issue else None, data=None if issue else data).shown()


def show(
    issue: GazetteIssue | None,
    *,
    form: forms.IssueForm | None = None,
    errors: dict | None = None,
    error: str = "",
    status: int = 200,
) -> Any:
    """The issue page (or the new-issue form); ``form`` is a refused form, shown again as typed."""
    user = me()
    values = form.shown() if form is not None else None
    query = request.args.get("q", "").strip()
    context: dict[str, Any] = {
        "issue": issue,
        "values": values if values is not None else _form_values(issue),
        "errors": errors or {},
        "error": error,
        "user": user,
        "GAZETTE_STATUS": GAZETTE_STATUS,
        "query": query,
        "may_assemble": user.has_role("editor") and (issue is None or issue.status == "draft"),
    }
    if issue is not None:
        context.update(
            groups=gazette_assembly.toc_groups(issue),
            split=gazette_assembly.split_categories(issue),
            categories=gazette_assembly.categories(session),
            candidates=gazette_assembly.find_documents(session, query) if query else [],
            problems=gazette_assembly.publish_problems(session, issue) if issue.status == "draft" else [],
        )
    return render_template("admin/gazette/edit.html", **context), status


@bp.get("/")
@roles_required(*VIEWERS)
def index() -> str:
    year = int_arg("year")
    result = gazette_assembly.staff_issues(session, year, int_arg("page", 1, 1, 999_999))
    return render_template(
        "admin/gazette/index.html",
        issues=result.items,
        result=result,
        years=gazette_assembly.issue_years(session),
        year=year,
        GAZETTE_STATUS=GAZETTE_STATUS,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required("editor")
def new() -> Any:
    if request.method == "POST":
        return _save(None)
    return show(None)


@bp.route("/<int:item_id>", methods=["GET", "POST"])
@roles_required(*VIEWERS)
def edit(item_id: int) -> Any:
    issue = _issue(item_id)
    if request.method == "POST":
        return _save(issue)
    return show(issue)


def _save(issue: GazetteIssue | None) -> Any:
    form = forms.IssueForm()
    if not form.validate():
        return show(
            issue,
            form=form,
            errors=form.field_errors(),
            error="请更正标出的问题后再保存。",
            status=400,
        )
    return workflow.save_item(
        issue,
        form,
        show,
        lambda sess, _typed, item: gazette_assembly.check_issue(sess, form.issue(), item),
        gazette_assembly.save_issue,
        "admin_gazette.edit",
    )


def _act(issue: GazetteIssue, action: Any, done: str, anchor: str = "") -> Any:
    """Run one service action on ``issue``: a refusal re-renders the page with its message, success
    redirects back to the issue (to ``anchor``)."""
    try:
        action()
    except WorkflowError as exc:
        session.rollback()
        return show(gazette_assembly.issue_by_id(session, issue.id), error=exc.message, status=exc.status)
    except attachments.AttachmentError as exc:
        session.rollback()
        return show(gazette_assembly.issue_by_id(session, issue.id), error=str(exc), status=400)
    session.commit()
    flash(done, "info")
    return redirect(url_for("admin_gazette.edit", item_id=issue.id, _anchor=anchor or None))


def _entry_form() -> forms.EntryForm:
    return forms.EntryForm()  # nothing to refuse here: an id that is not a number names no entry (-1)


@bp.post("/<int:item_id>/entries")
@roles_required("editor")
def add_entry(item_id: int) -> Any:
    issue = _issue(item_id)
    form = forms.AddEntryForm()
    document_id = form.document_id.data
    if document_id is None:
        return show(issue, error="请先搜索并选择要收录的文件。", status=400)
    return _act(
        issue,
        lambda: gazette_assembly.add_entry(session, me(), issue, document_id, form.category.data or ""),
        "已加入本期目录。",
        "toc",
    )


@bp.post("/<int:item_id>/entries/move")
@roles_required("editor")
def move_entry(item_id: int) -> Any:
    issue = _issue(item_id)
    form = _entry_form()
    return _act(
        issue,
        lambda: gazette_assembly.move_entry(session, me(), issue, form.entry, form.direction.data or ""),
        "目录顺序已调整。",
        "toc",
    )


@bp.post("/<int:item_id>/entries/category")
@roles_required("editor")
def entry_category(item_id: int) -> Any:
    issue = _issue(item_id)
    form = _entry_form()
    return _act(
        issue,
        lambda: gazette_assembly.set_entry_category(
            session, me(), issue, form.entry, form.category.data or ""
        ),
        "类别已修改。",
        "toc",
    )


@bp.post("/<int:item_id>/entries/remove")
@roles_required("editor")
def remove_entry(item_id: int) -> Any:
    issue = _issue(item_id)
    return _act(
        issue,
        lambda: gazette_assembly.remove_entry(session, me(), issue, _entry_form().entry),
        "已从本期目录移除。",
        "toc",
    )


@bp.post("/<int:item_id>/pdf")
@roles_required("editor")
def upload_pdf(item_id: int) -> Any:
    issue = _issue(item_id)
    form = forms.PdfForm()
    if not form.validate():
        return show(issue, error=form.first_error()[1], status=400)
    upload = form.file.data
    settings = current_app.extensions["settings"]
    data = upload.read()
    return _act(
        issue,
        lambda: gazette_assembly.attach_pdf(
            session,
            me(),
            issue,
            upload.filename,
            data,
            instance_path=settings.instance_path,
            max_bytes=settings.upload_max_bytes,
            scan_command=settings.upload_scan_command,
        ),
        "PDF 已上传。",
        "pdf",
    )


@bp.post("/<int:item_id>/pdf/remove")
@roles_required("editor")
def remove_pdf(item_id: int) -> Any:
    issue = _issue(item_id)
    return _act(issue, lambda: gazette_assembly.remove_pdf(session, me(), issue), "PDF 已删除。", "pdf")


@bp.get("/<int:item_id>/pdf")
@roles_required(*VIEWERS)
def download_pdf(item_id: int) -> Any:
    from portal.web.gazette import send_pdf

    return send_pdf(_issue(item_id))


@bp.post("/<int:item_id>/publish")
@roles_required("publisher")
def publish(item_id: int) -> Any:
    issue = _issue(item_id)
    return _act(issue, lambda: gazette_assembly.publish_issue(session, me(), issue), "本期公报已发布。")


@bp.post("/<int:item_id>/withdraw")
@roles_required("publisher")
def withdraw(item_id: int) -> Any:
    issue = _issue(item_id)
    return _act(
        issue,
        lambda: gazette_assembly.withdraw_issue(session, me(), issue, forms.WithdrawForm().reason.data or ""),
        "本期公报已撤回。",
    )


@bp.post("/<int:item_id>/reopen")
@roles_required("editor", "publisher")
def reopen(item_id: int) -> Any:
    issue = _issue(item_id)
    return _act(
        issue, lambda: gazette_assembly.reopen_issue(session, me(), issue), "本期公报已转为草稿，可重新编辑。"
    )


@bp.post("/<int:item_id>/delete")
@roles_required("editor")
def delete(item_id: int) -> Any:
    issue = _issue(item_id)
    label = issue.title
    try:
        gazette_assembly.delete_issue(session, me(), issue)
    except WorkflowError as exc:
        session.rollback()
        return show(gazette_assembly.issue_by_id(session, issue.id), error=exc.message, status=exc.status)
    session.commit()
    flash(f"已删除草稿《{label}》。", "info")
    return redirect(url_for("admin_gazette.index"))

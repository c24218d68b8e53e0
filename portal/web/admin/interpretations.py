"""Staff pages for policy interpretations: list, create, edit with the ordered Q&A editor, workflow."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from portal.db import session
from portal.ingest.markdown import render_markdown
from portal.ingest.qatext import parse_interpretation
from portal.models import Document, Interpretation
from portal.models.documents import STATUS
from portal.services import channels, editing, importing, publishing, staff_lists
from portal.services.numbers import parse_int
from portal.web.admin import workflow
from portal.web.admin.access import roles_required
from portal.web.admin.interpretations_forms import InterpretationForm, QAImportForm
from portal.web.admin.workflow import STAFF, load_item, me

bp = Blueprint("admin_interpretations", __name__, url_prefix="/admin/interpretations")


def show(
    interp: Interpretation | None,
    *,
    form: InterpretationForm | None = None,
    errors: dict | None = None,
    error: str = "",
    preview: str = "",
    warnings: list[str] | None = None,
    status: int = 200,
    **_: Any,
) -> Any:
    """The interpretation page: its editor (``form`` as sent, or as the item is) and its workflow."""
    form = form if form is not None else InterpretationForm.of(interp, request.args.get("document", ""))
    user = me()
    context: dict[str, Any] = {
        "interp": interp,
        "values": form.values(),
        "errors": errors or {},
        "error": error,
        "preview": preview,
        "qa_rows": form.qa_rows(),
        "documents": staff_lists.interpretable_documents(session, user),
        "warnings": warnings or [],
        "user": user,
        "agencies": channels.agencies_in_order(session),
        "may_edit": editing.may_edit(user, interp)[0] if interp is not None else True,
    }
    if interp is not None:
        context.update(
            remarks=publishing.remarks_for(session, interp),
            versions=publishing.versions(session, interp),
            hits=publishing.privacy_hits(interp),
        )
    return render_template("admin/interpretations/edit.html", **context), status


@bp.get("/")
@roles_required(*STAFF)
def index() -> str:
    status = request.args.get("status", "")
    status = status if status in STATUS else ""
    result = staff_lists.interpretations(
        session, me(), status=status, page=staff_lists.page_arg(request.args)
    )
    return render_template(
        "admin/interpretations/index.html", result=result, items=result.items, status=status
    )


@bp.post("/import")
@roles_required("editor")
def import_text() -> Any:
    """A Q&A text (问：/答：), read as ``portal import --interpretation`` reads it, fills the new
    interpretation form for the chosen document; the editor checks it and saves."""
    sent = QAImportForm()
    form = InterpretationForm.of(None, sent.document_id.data or "")
    upload = sent.upload()
    if upload is None or not upload.filename:
        return show(None, form=form, error="请选择问答文本文件（.txt）。", status=400)
    try:
        text = importing.decode(upload.read(), upload.filename)
    except importing.ImportRefused as exc:
        return show(None, form=form, error=str(exc), status=400)
    number = parse_int(sent.document_id.data)
    doc = publishing.get_item(session, Document, number) if number is not None else None
    parsed = parse_interpretation(text)
    if not parsed.items:
        return show(
            None,
            form=form,
            error="未找到问答：文本应为“问：……答：……”，或以问号结尾的编号问题加回答。",
            status=400,
        )
    warnings = [
        f"第 {n} 个问题没有回答，请补充。" for n, item in enumerate(parsed.items, 1) if not item.answer
    ]
    title = parsed.title or (f"《{doc.title}》政策解读" if doc else "政策解读")
    if not parsed.title:
        warnings.append(f"文本开头没有标题，已暂定为“{title}”。")
    form.title.data, form.interpreter.data, form.body_md.data = title, parsed.interpreter, parsed.body
    # The answers as the command line writes them into a content file (Markdown-escaped paragraphs).
    qa = parsed.front_matter(doc.slug if doc else "")["qa"]
    form.question.data = [item["q"] for item in qa]
    form.answer.data = [item["a"] for item in qa]
    form.qa_position.data = [str(n) for n in range(1, len(qa) + 1)]
    return show(None, form=form, warnings=warnings)


def _save(interp: Interpretation | None) -> Any:
    form = InterpretationForm()
    if form.is_preview():
        return show(interp, form=form, preview=render_markdown(form.preview_text()))
    return workflow.save_item(
        interp,
        form,
        show,
        editing.parse_interpretation_form,
        editing.save_interpretation,
        "admin_interpretations.edit",
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required("editor")
def new() -> Any:
    if request.method == "POST":
        return _save(None)
    return show(None)


@bp.route("/<int:item_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit(item_id: int) -> Any:
    interp = load_item(Interpretation, item_id)
    if request.method == "POST":
        return _save(interp)
    return show(interp)


workflow.register(bp, Interpretation, lambda obj, **kw: show(obj, **kw))

"""Staff pages for policy interpretations: list, create, edit with the ordered Q&A editor, workflow."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.db import session
from portal.ingest.markdown import render_markdown
from portal.ingest.qatext import parse_interpretation
from portal.models import Agency, Document, Interpretation
from portal.models.documents import STATUS
from portal.services import editing, importing, publishing, staff_lists
from portal.services.numbers import parse_int
from portal.web.admin import workflow
from portal.web.admin.access import roles_required
from portal.web.admin.workflow import STAFF, load_item, me

bp = Blueprint("admin_interpretations", __name__, url_prefix="/admin/interpretations")
EMPTY_QA_ROWS = 2


def _form_values(interp: Interpretation | None) -> MultiDict:
    if interp is None:
        values = MultiDict({"form": "qa", "document_id": request.args.get("document", "")})
        return values
    values = MultiDict(
        {
            "title": interp.title,
            "slug": interp.slug,
            "document_id": str(interp.document_id),
            "form": interp.form,
            "interpreter": interp.interpreter,
            "agency_id": str(interp.agency_id or ""),
            "interpreted_on": interp.interpreted_on.isoformat() if interp.interpreted_on else "",
            "body_md": interp.body_md,
            "media_url": interp.media_url,
        }
    )
    for n, qa in enumerate(interp.items, 1):
        values.add("question", qa.question)
        values.add("answer", qa.answer_md)
        values.add("qa_position", str(n))
    return values


def _qa_rows(values: MultiDict) -> list[dict[str, str]]:
    q, a, p = values.getlist("question"), values.getlist("answer"), values.getlist("qa_position")
    rows = [
        {"question": q[i], "answer": a[i] if i < len(a) else "", "position": p[i] if i < len(p) else ""}
        for i in range(len(q))
        if q[i].strip() or (i < len(a) and a[i].strip())
    ]
    return rows + [{"question": "", "answer": "", "position": ""}] * EMPTY_QA_ROWS


def show(
    interp: Interpretation | None,
    *,
    values: MultiDict | None = None,
    errors: dict | None = None,
    error: str = "",
    preview: str = "",
    warnings: list[str] | None = None,
    status: int = 200,
    **_: Any,
) -> Any:
    values = values if values is not None else _form_values(interp)
    user = me()
    context: dict[str, Any] = {
        "interp": interp,
        "values": values,
        "errors": errors or {},
        "error": error,
        "preview": preview,
        "qa_rows": _qa_rows(values),
        "documents": staff_lists.interpretable_documents(session, user),
        "warnings": warnings or [],
        "user": user,
        "agencies": list(session.scalars(select(Agency).order_by(Agency.position, Agency.id))),
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
    document_id = (request.form.get("document_id") or "").strip()
    upload = request.files.get("file")
    values = MultiDict({"form": "qa", "document_id": document_id})
    if upload is None or not upload.filename:
        return show(None, values=values, error="请选择问答文本文件（.txt）。", status=400)
    try:
        text = importing.decode(upload.read(), upload.filename)
    except importing.ImportRefused as exc:
        return show(None, values=values, error=str(exc), status=400)
    doc = session.get(Document, n) if (n := parse_int(document_id)) is not None else None
    parsed = parse_interpretation(text)
    if not parsed.items:
        return show(
            None,
            values=values,
            error="未找到问答：文本应为“问：……答：……”，或以问号结尾的编号问题加回答。",
            status=400,
        )
    warnings = [
        f"第 {n} 个问题没有回答，请补充。" for n, item in enumerate(parsed.items, 1) if not item.answer
    ]
    title = parsed.title or (f"《{doc.title}》政策解读" if doc else "政策解读")
    if not parsed.title:
        warnings.append(f"文本开头没有标题，已暂定为“{title}”。")
    values.update({"title": title, "interpreter": parsed.interpreter, "body_md": parsed.body})
    # The answers as the command line writes them into a content file (Markdown-escaped paragraphs).
    for n, qa in enumerate(parsed.front_matter(doc.slug if doc else "")["qa"], 1):
        values.add("question", qa["q"])
        values.add("answer", qa["a"])
        values.add("qa_position", str(n))
    return show(None, values=values, warnings=warnings)


def _save(interp: Interpretation | None) -> Any:
    values = request.form
    if values.get("action") == "preview":
        answers = "\n\n".join(
            f"**问：{q}**\n\n{a}"
            for q, a in zip(values.getlist("question"), values.getlist("answer"), strict=False)
            if q.strip()
        )
        return show(
            interp, values=values, preview=render_markdown(values.get("body_md", "") + "\n\n" + answers)
        )
    return workflow.save_form(
        interp,
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

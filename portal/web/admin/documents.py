"""Staff pages for policy documents: list, create, edit with preview, import an official text,
attachments, validity, and the workflow actions (see ``workflow.py``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from portal.db import session
from portal.ingest.markdown import render_markdown
from portal.ingest.sourcefile import MAX_FILE_BYTES
from portal.models import Document
from portal.models.documents import MEASURE_STATUS, STATUS
from portal.services import attachments, channels, editing, importing, publishing, staff_lists
from portal.services import duplicates as dup_service
from portal.services.publishing import WorkflowError
from portal.services.xxgk import categories
from portal.web.admin import workflow
from portal.web.admin.access import roles_required
from portal.web.admin.documents_forms import AttachmentForm, DocumentForm, ImportForm, ValidityForm
from portal.web.admin.workflow import STAFF, load_item, me
from portal.web.downloads import send_attachment

bp = Blueprint("admin_documents", __name__, url_prefix="/admin/documents")


def show(
    doc: Document | None,
    *,
    form: DocumentForm | None = None,
    errors: dict | None = None,
    error: str = "",
    preview: str = "",
    warnings: list[str] | None = None,
    duplicates: list | None = None,
    status: int = 200,
) -> Any:
    """The document page: its editor (``form`` as sent, or as the document is) and what goes with it."""
    user = me()
    form = form if form is not None else DocumentForm.of(doc, user.agency_id)
    agencies = channels.agencies_in_order(session)
    context = {
        "doc": doc,
        "values": form.values(),
        "errors": errors or {},
        "error": error,
        "preview": preview,
        "warnings": warnings or [],
        "agencies": agencies,
        "owners": [a for a in agencies if not a.external],
        "issuer_rows": form.issuer_rows(channels.agency_names(session, form.agency_ids.data)),
        "duplicates": duplicates
        if duplicates is not None
        else (dup_service.of_document(session, doc) if doc is not None else []),
        "measure_rows": form.measure_rows(),
        "MEASURE_STATUS": MEASURE_STATUS,
        "genres": editing.GENRES,
        "disclosure_categories": categories.choices(session),
        "may_edit": editing.may_edit(user, doc)[0] if doc is not None else True,
        "user": user,
    }
    if doc is not None:
        context.update(
            remarks=publishing.remarks_for(session, doc),
            versions=publishing.versions(session, doc),
            attachments=attachments.attachments_of(doc),
            hits=publishing.privacy_hits(doc),
            waivers=publishing.waivers(session, doc),
        )
    return render_template("admin/documents/edit.html", **context), status


@bp.get("/")
@roles_required(*STAFF)
def index() -> str:
    status = request.args.get("status", "")
    status = status if status in STATUS else ""
    result = staff_lists.documents(session, me(), status=status, page=staff_lists.page_arg(request.args))
    return render_template("admin/documents/index.html", result=result, docs=result.items, status=status)


def _save(doc: Document | None) -> Any:
    form = DocumentForm()
    if form.is_preview():
        return show(doc, form=form, preview=render_markdown(form.body_md.data or ""))
    return workflow.save_item(
        doc, form, show, editing.parse_document_form, editing.save_document, "admin_documents.edit"
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
    doc = load_item(Document, item_id)
    if request.method == "POST":
        return _save(doc)
    return show(doc)


@bp.post("/import")
@roles_required("editor")
def import_text() -> Any:
    """Create a draft from an official plain text through the importer; warnings are shown."""
    form = ImportForm()
    if not form.validate():
        flash(form.first_error()[1], "error")
        return redirect(url_for("admin_documents.new"))
    upload = form.file.data
    try:
        # One byte past the limit is enough to know the file is too big, without reading all of it.
        data = upload.stream.read(MAX_FILE_BYTES + 1)
        result = importing.import_official_text(session, me(), data, upload.filename)
    except importing.ImportRefused as exc:
        session.rollback()
        return show(None, error=str(exc), status=400)
    except editing.FormErrors as exc:
        session.rollback()
        return show(
            None,
            form=DocumentForm(formdata=exc.values),
            errors=exc.errors,
            warnings=exc.warnings,
            duplicates=getattr(exc, "duplicates", None),
            error=import_headline(exc.errors),
            status=400,
        )
    session.commit()
    for warning in result.warnings:
        flash(f"导入提示：{warning}", "warning")
    flash("已根据上传的正式文本创建草稿，请核对各项信息。", "info")
    return redirect(url_for("admin_documents.edit", item_id=result.document.id))


FIELD_NAMES = {
    "title": "标题",
    "issuers": "发文机关",
    "owner_id": "维护部门",
    "doc_number": "文号",
    "written_on": "成文日期",
    "slug": "网址标识",
    "measures": "任务分工",
}


def import_headline(errors: dict[str, str]) -> str:
    """What stopped an import, said first: a likely duplicate, a 文号 already used, or what is missing."""
    if "duplicate" in errors:
        return "未导入：" + errors["duplicate"]
    if "doc_number" in errors:
        return "未导入：" + errors["doc_number"]
    missing = "、".join(FIELD_NAMES.get(k, k) for k in errors)
    return f"未导入：{missing}需要补充或更正，请在下面修改后保存为草稿。"


@bp.post("/<int:item_id>/validity")
@roles_required("publisher")
def validity(item_id: int) -> Any:
    doc = load_item(Document, item_id)
    form = ValidityForm()
    successor = None
    if ref := form.successor.data:
        successor = publishing.find_document(session, ref)
        if successor is None:
            return show(doc, error=f"找不到文件“{ref}”（请填写网址标识或文号）。", status=400)
    try:
        publishing.mark_validity(
            session, me(), doc, form.validity.data or "", successor, form.note.data or ""
        )
    except WorkflowError as exc:
        session.rollback()
        return show(doc, error=exc.message, status=exc.status)
    session.commit()
    flash("有效性已更新。", "info")
    return redirect(url_for("admin_documents.edit", item_id=doc.id))


@bp.post("/<int:item_id>/attachments")
@roles_required("editor", "publisher")
def upload_attachment(item_id: int) -> Any:
    doc = load_item(Document, item_id)
    allowed, why = editing.may_edit(me(), doc)
    if not allowed:
        return show(doc, error=why, status=403)
    form = AttachmentForm()
    if not form.validate():
        return show(doc, error=form.first_error()[1], status=400)
    upload = form.file.data
    settings = current_app.extensions["settings"]
    try:
        attachments.add(
            session,
            me(),
            doc,
            upload.filename,
            upload.read(),
            instance_path=settings.instance_path,
            max_bytes=settings.upload_max_bytes,
            max_per_item=settings.attachment_max_per_item,
            scan_command=settings.upload_scan_command,
        )
    except attachments.AttachmentError as exc:
        session.rollback()
        return show(doc, error=str(exc), status=400)
    session.commit()
    flash("附件已上传。", "info")
    return redirect(url_for("admin_documents.edit", item_id=doc.id))


@bp.post("/<int:item_id>/attachments/<int:attachment_id>/delete")
@roles_required("editor", "publisher")
def delete_attachment(item_id: int, attachment_id: int) -> Any:
    doc = load_item(Document, item_id)
    att = attachments.get(session, attachment_id)
    if att is None or att.document_id != doc.id:
        abort(404)
    allowed, why = editing.may_edit(me(), doc)
    if not allowed:
        return show(doc, error=why, status=403)
    attachments.remove(session, me(), att)
    session.commit()
    flash("附件已删除。", "info")
    return redirect(url_for("admin_documents.edit", item_id=doc.id))


@bp.get("/attachments/<int:attachment_id>")
@roles_required(*STAFF)
def download_attachment(attachment_id: int) -> Any:
    att = attachments.get(session, attachment_id)
    if att is None:
        abort(404)
    load_item(Document, att.document_id)
    return send_attachment(att)


workflow.register(bp, Document, lambda obj, **kw: show(obj, **kw))

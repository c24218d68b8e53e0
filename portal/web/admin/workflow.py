"""Workflow routes shared by documents and interpretations: submit, approve, return, publish,
withdraw, reopen, version diff. Views parse the form, call ``services.publishing``, and render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.db import session
from portal.models import Document, DocumentVersion, GazetteIssue, Interpretation, User
from portal.models.push import CHANNEL_KINDS
from portal.services import duplicates as dup_service
from portal.services import publishing, push
from portal.services.numbers import parse_int
from portal.services.privacy import Hit
from portal.services.publishing import Item, PublishRequest, WorkflowError
from portal.web.admin.access import roles_required

STAFF = ("editor", "reviewer", "publisher")


def me() -> User:
    return session.get_one(User, current_user.id)  # signed in: the row exists


ItemT = TypeVar("ItemT", Document, Interpretation)


def load_item(model: type[ItemT], item_id: int) -> ItemT:
    """The item, if it exists and is within the user's scope (agency for editors and reviewers)."""
    obj = session.get(model, item_id)
    if obj is None:
        abort(404)
    if not publishing.in_scope(me(), obj):
        abort(403)
    return obj


def save_form(
    item: Item | GazetteIssue | None,
    show: Callable[..., Any],
    parse: Callable[..., Any],
    save: Callable[..., Item | GazetteIssue],
    endpoint: str,
) -> Any:
    """Parse and save an editor form: errors re-render it with a 400, success redirects to the editor."""
    from portal.services import editing

    values = request.form
    try:
        saved = save(session, me(), parse(session, values, item), item)
    except editing.DuplicateSuspected as exc:
        session.rollback()
        return show(
            item,
            values=values,
            errors=exc.errors,
            duplicates=exc.duplicates,
            error=exc.errors["duplicate"],
            status=409,
        )
    except editing.FormErrors as exc:
        session.rollback()
        return show(item, values=values, errors=exc.errors, error="请更正标出的问题后再保存。", status=400)
    except WorkflowError as exc:
        session.rollback()
        return show(item, values=values, error=exc.message, status=exc.status)
    session.commit()
    flash("已保存。", "info")
    return redirect(url_for(endpoint, item_id=saved.id))


def _publish_hits(obj: Item) -> list:
    """Privacy findings in everything that would go public together: the item and, for a document,
    its approved interpretations."""
    hits = publishing.privacy_hits(obj)
    if isinstance(obj, Document):
        for interp in obj.interpretations:
            if interp.status == "approved":
                hits += publishing.privacy_hits(interp)
    return hits


def register(bp: Blueprint, model: type, show: Callable[..., Any]) -> None:
    """Add the workflow routes to ``bp``; ``show(obj, error=..., status=...)`` renders the item page."""
    noun = "文件" if model is Document else "解读"

    def act(item_id: int, action: Callable[[Item], None], done: str) -> Any:
        obj = load_item(model, item_id)
        try:
            action(obj)
        except WorkflowError as exc:
            session.rollback()
            return show(obj, error=exc.message, status=exc.status)
        session.commit()
        flash(done, "info")
        return redirect(url_for(f"{bp.name}.edit", item_id=obj.id))

    @bp.post("/<int:item_id>/submit")
    @roles_required("editor")
    def submit(item_id: int) -> Any:
        return act(item_id, lambda o: publishing.submit(session, me(), o), f"{noun}已提交审核。")

    @bp.post("/<int:item_id>/approve")
    @roles_required("reviewer")
    def approve(item_id: int) -> Any:
        return act(item_id, lambda o: publishing.approve(session, me(), o), f"{noun}已审核通过，等待发布。")

    @bp.post("/<int:item_id>/return")
    @roles_required("reviewer", "publisher")
    def return_(item_id: int) -> Any:
        remarks = request.form.get("remarks", "")
        return act(
            item_id, lambda o: publishing.return_to_draft(session, me(), o, remarks), f"{noun}已退回修改。"
        )

    @bp.post("/<int:item_id>/withdraw")
    @roles_required("publisher")
    def withdraw(item_id: int) -> Any:
        reason = request.form.get("reason", "")
        if request.form.get("confirm") != "1":
            # Withdrawing takes a page off the public site at once: it needs a deliberate second step.
            obj = load_item(model, item_id)
            return show(
                obj, error=f"撤回将使{noun}立即从公开页面下线：请勾选“确认撤回”后再提交。", status=400
            )
        return act(item_id, lambda o: publishing.withdraw(session, me(), o, reason), f"{noun}已撤回。")

    @bp.post("/<int:item_id>/reopen")
    @roles_required("editor", "publisher")
    def reopen(item_id: int) -> Any:
        return act(item_id, lambda o: publishing.reopen(session, me(), o), f"{noun}已转为草稿，可重新编辑。")

    @bp.route("/<int:item_id>/publish", methods=["GET", "POST"])
    @roles_required("publisher")
    def publish(item_id: int) -> Any:
        obj = load_item(model, item_id)
        channels = push.active_channels(session)
        req = PublishRequest()
        error, status = "", 200
        hits: list[Hit] = []
        duplicates = dup_service.of_document(session, obj) if isinstance(obj, Document) else []
        if request.method == "POST":
            req = PublishRequest(
                channel_ids=[i for i in map(parse_int, request.form.getlist("channel_ids")) if i is not None],
                waiver_reason=request.form.get("waiver_reason", ""),
                privacy_override=request.form.get("privacy_override", ""),
                confirm_duplicate=request.form.get("confirm_duplicate") == "1",
            )
            try:
                result = publishing.publish(session, me(), obj, req)
            except WorkflowError as exc:
                session.rollback()
                error, status = exc.message, exc.status
                # Another rule (三同步) may refuse first: the privacy findings stay on the page regardless.
                hits = exc.hits or _publish_hits(obj)
                duplicates = getattr(exc, "duplicates", duplicates)
            else:
                session.commit()
                flash(f"已发布 {len(result.published)} 项，推送 {result.pushes} 个渠道。", "info")
                return redirect(url_for(f"{bp.name}.edit", item_id=obj.id))
        else:
            hits = _publish_hits(obj)
        sync = publishing.sync_interpretations(obj) if isinstance(obj, Document) else []
        return render_template(
            "admin/publish.html",
            obj=obj,
            noun=noun,
            bp=bp.name,
            channels=channels,
            req=req,
            error=error,
            hits=hits,
            sync=sync,
            duplicates=duplicates,
            CHANNEL_KINDS=CHANNEL_KINDS,
        ), status

    @bp.get("/<int:item_id>/versions/<int:old>/<int:new>")
    @roles_required(*STAFF)
    def diff(item_id: int, old: int, new: int) -> Any:
        obj = load_item(model, item_id)
        found = {
            v.number: v
            for v in session.scalars(
                select(DocumentVersion).where(
                    DocumentVersion.item_type == publishing.item_type(obj),
                    DocumentVersion.item_id == obj.id,
                    DocumentVersion.number.in_([old, new]),
                )
            )
        }
        if old not in found or new not in found:
            abort(404)
        return render_template(
            "admin/diff.html",
            obj=obj,
            bp=bp.name,
            old=found[old],
            new=found[new],
            changes=publishing.diff_versions(found[old], found[new]),
        )

"""Workflow routes shared by documents and interpretations: submit, approve, return, publish,
withdraw, reopen, version diff. Views parse the form, call ``services.publishing``, and render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.db import session
from portal.models import Document, GazetteIssue, Interpretation, User
from portal.models.push import CHANNEL_KINDS
from portal.services import accounts, publishing, push
from portal.services import duplicates as dup_service
from portal.services.privacy import Hit
from portal.services.publishing import Item, PublishRequest, WorkflowError
from portal.web.admin.access import roles_required
from portal.web.admin.workflow_forms import PublishForm, ReturnForm, WithdrawForm

STAFF = ("editor", "reviewer", "publisher")


def me() -> User:
    return accounts.signed_in_user(session, current_user.id)


ItemT = TypeVar("ItemT", Document, Interpretation)


def load_item(model: type[ItemT], item_id: int) -> ItemT:
    """The item, if it exists and is within the user's scope (agency for editors and reviewers)."""
    obj = publishing.get_item(session, model, item_id)
    if obj is None:
        abort(404)
    if not publishing.in_scope(me(), obj):
        abort(403)
    return obj


def save_item(
    item: Item | GazetteIssue | None,
    form: Any,
    show: Callable[..., Any],
    parse: Callable[..., Any],
    save: Callable[..., Item | GazetteIssue],
    endpoint: str,
) -> Any:
    """Check and save an editor form (``form.values()``, the fields as the service reads them): a refusal
    shows the form again with its messages (409 for a likely duplicate), success redirects to the editor."""
    return _save(
        item, form.values(), lambda obj, **shown: show(obj, form=form, **shown), parse, save, endpoint
    )


def _save(
    item: Any,
    values: Any,
    show_again: Callable[..., Any],
    parse: Callable[..., Any],
    save: Callable[..., Any],
    endpoint: str,
) -> Any:
    from portal.services import editing

    try:
        saved = save(session, me(), parse(session, values, item), item)
    except editing.DuplicateSuspected as exc:
        session.rollback()
        return show_again(
            item, errors=exc.errors, duplicates=exc.duplicates, error=exc.errors["duplicate"], status=409
        )
    except editing.FormErrors as exc:
        session.rollback()
        return show_again(item, errors=exc.errors, error="请更正标出的问题后再保存。", status=400)
    except WorkflowError as exc:
        session.rollback()
        return show_again(item, error=exc.message, status=exc.status)
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


@dataclass(frozen=True)
class Kind:
    """What the workflow routes of one blueprint work on: its model, its noun, its item page."""

    bp: str
    model: type
    noun: str
    show: Callable[..., Any]

    def edit_url(self, obj: Item) -> str:
        return url_for(f"{self.bp}.edit", item_id=obj.id)


def _act(kind: Kind, item_id: int, action: Callable[[Item], object], done: str) -> Any:
    obj = load_item(kind.model, item_id)
    try:
        action(obj)
    except WorkflowError as exc:
        session.rollback()
        return kind.show(obj, error=exc.message, status=exc.status)
    session.commit()
    flash(f"{kind.noun}{done}", "info")
    return redirect(kind.edit_url(obj))


def _withdraw(kind: Kind, item_id: int) -> Any:
    form = WithdrawForm()
    if not form.confirm.data:
        obj = load_item(kind.model, item_id)
        message = f"撤回将使{kind.noun}立即从公开页面下线：请勾选“确认撤回”后再提交。"
        return kind.show(obj, error=message, status=400)
    reason = form.reason.data or ""
    return _act(kind, item_id, lambda o: publishing.withdraw(session, me(), o, reason), "已撤回。")


def _publish(kind: Kind, item_id: int) -> Any:
    obj = load_item(kind.model, item_id)
    form = PublishForm()
    duplicates = dup_service.of_document(session, obj) if isinstance(obj, Document) else []
    page = PublishPage(obj, PublishRequest(), duplicates=duplicates)
    if not form.validate_on_submit():
        return _publish_page(kind, page)
    page.req = form.publish_request()
    try:
        result = publishing.publish(session, me(), obj, page.req)
    except WorkflowError as exc:
        session.rollback()
        page.error, page.status = exc.message, exc.status
        # Another rule (三同步) may refuse first: the privacy findings stay on the page regardless.
        page.hits = exc.hits or _publish_hits(obj)
        page.duplicates = getattr(exc, "duplicates", page.duplicates)
        return _publish_page(kind, page)
    session.commit()
    flash(f"已发布 {len(result.published)} 项，推送 {result.pushes} 个渠道。", "info")
    return redirect(kind.edit_url(obj))


@dataclass
class PublishPage:
    obj: Item
    req: PublishRequest
    error: str = ""
    status: int = 200
    hits: list[Hit] | None = None
    duplicates: list = field(default_factory=list)


def _publish_page(kind: Kind, page: PublishPage) -> Any:
    obj = page.obj
    return render_template(
        "admin/publish.html",
        obj=obj,
        noun=kind.noun,
        bp=kind.bp,
        channels=push.active_channels(session),
        req=page.req,
        error=page.error,
        hits=page.hits if page.hits is not None else _publish_hits(obj),
        sync=publishing.sync_interpretations(obj) if isinstance(obj, Document) else [],
        duplicates=page.duplicates,
        CHANNEL_KINDS=CHANNEL_KINDS,
    ), page.status


def _diff(kind: Kind, item_id: int, old: int, new: int) -> Any:
    obj = load_item(kind.model, item_id)
    pair = publishing.version_pair(session, obj, old, new)
    if pair is None:
        abort(404)
    return render_template(
        "admin/diff.html",
        obj=obj,
        bp=kind.bp,
        old=pair[0],
        new=pair[1],
        changes=publishing.diff_versions(*pair),
    )


def register(bp: Blueprint, model: type, show: Callable[..., Any]) -> None:
    """Add the workflow routes to ``bp``; ``show(obj, error=..., status=...)`` renders the item page."""
    kind = Kind(bp.name, model, "文件" if model is Document else "解读", show)

    @bp.post("/<int:item_id>/submit")
    @roles_required("editor")
    def submit(item_id: int) -> Any:
        return _act(kind, item_id, lambda o: publishing.submit(session, me(), o), "已提交审核。")

    @bp.post("/<int:item_id>/approve")
    @roles_required("reviewer")
    def approve(item_id: int) -> Any:
        return _act(kind, item_id, lambda o: publishing.approve(session, me(), o), "已审核通过，等待发布。")

    @bp.post("/<int:item_id>/return")
    @roles_required("reviewer", "publisher")
    def return_(item_id: int) -> Any:
        remarks = ReturnForm().remarks.data or ""
        return _act(
            kind, item_id, lambda o: publishing.return_to_draft(session, me(), o, remarks), "已退回修改。"
        )

    @bp.post("/<int:item_id>/withdraw")
    @roles_required("publisher")
    def withdraw(item_id: int) -> Any:
        return _withdraw(kind, item_id)

    @bp.post("/<int:item_id>/reopen")
    @roles_required("editor", "publisher")
    def reopen(item_id: int) -> Any:
        return _act(kind, item_id, lambda o: publishing.reopen(session, me(), o), "已转为草稿，可重新编辑。")

    @bp.route("/<int:item_id>/publish", methods=["GET", "POST"])
    @roles_required("publisher")
    def publish(item_id: int) -> Any:
        return _publish(kind, item_id)

    @bp.get("/<int:item_id>/versions/<int:old>/<int:new>")
    @roles_required(*STAFF)
    def diff(item_id: int, old: int, new: int) -> Any:
        return _diff(kind, item_id, old, new)

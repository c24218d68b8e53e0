"""Moderating comments: publish, reject with a reason, mark as duplicate; block a sender."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import BlockedSender, Comment, Consultation, User
from portal.services.audit import record
from portal.services.consultations.commenting import find_receipt
from portal.services.consultations.errors import ConsultationError

MODERATION_ACTIONS = {"publish": "published", "reject": "rejected", "duplicate": "duplicate"}


Actor = User | str  # a staff member, or the system actor "content" (portal load)


def _editable(consultation: Consultation, actor: Actor) -> None:
    """A published report freezes its comments; a content file still corrects the report it published."""
    if consultation.status == "reported" and isinstance(actor, User):
        raise ConsultationError("反馈报告已发布，意见不能再修改。", status=409)


def comments_by_ids(sess: Session, consultation: Consultation, ids: Iterable[int]) -> list[Comment]:
    ids = {int(i) for i in ids}
    comments = list(
        sess.scalars(select(Comment).where(Comment.consultation_id == consultation.id, Comment.id.in_(ids)))
    )
    if not comments or len(comments) != len(ids):
        raise ConsultationError("请至少选择一条本征集的意见。")
    return comments


def moderate(
    sess: Session,
    actor: User,
    consultation: Consultation,
    ids: Iterable[int],
    action: str,
    reason: str = "",
    duplicate_of: str = "",
) -> int:
    """Publish, reject (with a reason) or mark as duplicate of another comment; return the count."""
    _editable(consultation, actor)
    if action not in MODERATION_ACTIONS:
        raise ConsultationError("未知的审核操作。")
    comments = comments_by_ids(sess, consultation, ids)
    original = find_receipt(sess, duplicate_of) if action == "duplicate" else None
    count = moderate_comments(sess, actor, consultation, comments, action, reason, original)
    sess.commit()
    return count


def moderate_comments(
    sess: Session,
    actor: Actor,
    consultation: Consultation,
    comments: list[Comment],
    action: str,
    reason: str = "",
    original: Comment | None = None,
) -> int:
    """:func:`moderate` of the comments given, without the commit; ``original`` is the comment they
    repeat (``duplicate``)."""
    _editable(consultation, actor)
    if action not in MODERATION_ACTIONS:
        raise ConsultationError("未知的审核操作。", en=f"unknown moderation '{action}'")
    reason = reason.strip()
    if action == "reject" and not reason:
        raise ConsultationError(
            "不予公开时必须填写理由。",
            field="reason",
            en="a rejected comment needs a 'reason' (shown publicly)",
        )
    if action == "duplicate":
        if original is None or original.consultation_id != consultation.id:
            raise ConsultationError(
                "请填写本征集中被重复的那条意见的回执码。",
                field="duplicate_of",
                en="a duplicate names the comment it repeats in 'duplicate_of' (a receipt of this consultation)",
            )
        if original in comments:
            raise ConsultationError(
                "一条意见不能标记为与自己重复。", field="duplicate_of", en="a comment cannot duplicate itself"
            )
        if original.moderation != "published":
            raise ConsultationError(
                "只能标记为与已公开（已受理）的意见重复。",
                field="duplicate_of",
                en=f"'duplicate_of' {original.receipt_code} must be a published comment",
            )
        reason = reason or f"与意见 {original.receipt_code} 重复"
    now = datetime.now(UTC)
    for comment in comments:
        before = {"moderation": comment.moderation, "reason": comment.moderation_reason}
        comment.moderation = MODERATION_ACTIONS[action]
        comment.moderation_reason = "" if action == "publish" else reason
        comment.duplicate_of_id = original.id if original else None
        comment.moderated_at = now
        if action != "publish":
            comment.disposition, comment.disposition_reason, comment.viewpoint_id = "", "", None
        record(
            sess,
            actor,
            f"comment.{action}",
            consultation,
            before=before,
            after={"moderation": comment.moderation, "reason": comment.moderation_reason},
            note=comment.receipt_code,
        )
    return len(comments)


def block_sender(sess: Session, actor: User, comment: Comment, reason: str) -> BlockedSender:
    """Refuse further comments from the sender of ``comment`` (by address hash and contact)."""
    if not reason.strip():
        raise ConsultationError("屏蔽发送者时必须填写理由。", field="reason")
    if not comment.sender_hash and not comment.contact:
        raise ConsultationError("这条意见没有可用于屏蔽的发送者信息。")
    block = BlockedSender(
        sender_hash=comment.sender_hash,
        contact=comment.contact,
        reason=reason.strip(),
        blocked_by_id=actor.id,
    )
    sess.add(block)
    record(
        sess, actor, "comment.block_sender", comment.consultation, note=f"{comment.receipt_code}: {reason}"
    )
    sess.commit()
    return block

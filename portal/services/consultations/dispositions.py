"""After the period: viewpoints and each accepted comment's disposition (采纳情况), all audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Comment, Consultation, User, Viewpoint
from portal.models.consultations import DISPOSITIONS
from portal.services.audit import record
from portal.services.consultations.errors import ConsultationError
from portal.services.consultations.moderation import comments_by_ids

REASON_REQUIRED = {"partly", "not_adopted", "not_applicable"}


def _check_disposition(disposition: str, reason: str, what: str) -> None:
    if disposition not in DISPOSITIONS:
        raise ConsultationError(f"{what}：请选择处理结果。")
    if disposition in REASON_REQUIRED and not reason.strip():
        raise ConsultationError(f"{what}：{DISPOSITIONS[disposition]}时必须说明理由。")


def add_viewpoint(
    sess: Session, actor: User, consultation: Consultation, summary: str, disposition: str, reason: str
) -> Viewpoint:
    if consultation.status != "closed":
        raise ConsultationError("结束征集后才能归纳意见和给出处理结果。", status=409)
    if not summary.strip():
        raise ConsultationError("请填写观点摘要。", field="summary")
    _check_disposition(disposition, reason, "观点")
    viewpoint = Viewpoint(
        summary=summary.strip(),
        disposition=disposition,
        reason=reason.strip(),
        position=len(consultation.viewpoints),
    )
    consultation.viewpoints.append(viewpoint)
    sess.flush()
    record(
        sess,
        actor,
        "consultation.viewpoint",
        consultation,
        after={"summary": viewpoint.summary, "disposition": disposition, "reason": viewpoint.reason},
    )
    sess.commit()
    return viewpoint


@dataclass
class DispositionRow:
    comment_id: int
    disposition: str = ""
    reason: str = ""
    viewpoint_id: int | None = None


def save_dispositions(
    sess: Session, actor: User, consultation: Consultation, rows: list[DispositionRow]
) -> int:
    """Give accepted comments their disposition, all or nothing.

    A comment grouped into a viewpoint takes the viewpoint's disposition and reason unless it has its own.
    """
    if consultation.status != "closed":
        raise ConsultationError("结束征集后才能给出处理结果。", status=409)
    comments = {c.id: c for c in comments_by_ids(sess, consultation, [r.comment_id for r in rows])}
    viewpoints = {v.id: v for v in consultation.viewpoints}
    changed = 0
    for row in rows:
        comment = comments[row.comment_id]
        if comment.moderation != "published":
            raise ConsultationError(f"意见 {comment.receipt_code} 未被受理，不需要处理结果。")
        viewpoint = None
        if row.viewpoint_id:
            viewpoint = viewpoints.get(row.viewpoint_id)
            if viewpoint is None:
                raise ConsultationError(f"意见 {comment.receipt_code}：所选观点不存在。")
        disposition, reason = row.disposition, row.reason.strip()
        if viewpoint and not disposition:
            disposition, reason = viewpoint.disposition, reason or viewpoint.reason
        if not disposition:
            continue  # left open for now; publishing the report asks for it
        _check_disposition(disposition, reason, f"意见 {comment.receipt_code}")
        new = (disposition, reason, viewpoint.id if viewpoint else None)
        if new != (comment.disposition, comment.disposition_reason, comment.viewpoint_id):
            before = {"disposition": comment.disposition, "reason": comment.disposition_reason}
            comment.disposition, comment.disposition_reason, comment.viewpoint_id = new
            record(
                sess,
                actor,
                "comment.disposition",
                consultation,
                before=before,
                after={"disposition": disposition, "reason": reason},
                note=comment.receipt_code,
            )
            changed += 1
    sess.commit()
    return changed


def open_dispositions(sess: Session, consultation: Consultation) -> int:
    return (
        sess.scalar(
            select(func.count(Comment.id)).where(
                Comment.consultation_id == consultation.id,
                Comment.moderation == "published",
                Comment.disposition == "",
            )
        )
        or 0
    )

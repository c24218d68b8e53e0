"""After the period: viewpoints and each accepted comment's disposition (采纳情况), all audited.

The actor is a staff member or the system actor ``content`` (``portal load``), under the same rules;
``new_viewpoint`` and ``answer_comments`` leave the commit to the caller.
"""

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
Actor = User | str


def check_disposition(disposition: str, reason: str, what: str, what_en: str = "") -> None:
    """A disposition is one of the known ones, with a reason unless the comment was adopted.
    ``what`` names the viewpoint or comment in Chinese, ``what_en`` in English (``portal load``)."""
    what_en = what_en or what
    if disposition not in DISPOSITIONS:
        raise ConsultationError(
            f"{what}：请选择处理结果。",
            en=f"{what_en}: unknown disposition '{disposition}' (allowed: {', '.join(DISPOSITIONS)})",
        )
    if disposition in REASON_REQUIRED and not reason.strip():
        raise ConsultationError(
            f"{what}：{DISPOSITIONS[disposition]}时必须说明理由。",
            en=f"{what_en}: a disposition '{disposition}' ({DISPOSITIONS[disposition]}) needs a reason",
        )


def _require_closed(consultation: Consultation, actor: Actor, zh: str) -> None:
    """Viewpoints and dispositions come after the period; a content file also corrects a published report."""
    if consultation.status == "closed" or (not isinstance(actor, User) and consultation.status == "reported"):
        return
    raise ConsultationError(
        zh,
        status=409,
        en=f"viewpoints and dispositions come after the period: the consultation is '{consultation.status}', "
        "not 'closed' or 'reported'",
    )


def add_viewpoint(
    sess: Session, actor: User, consultation: Consultation, summary: str, disposition: str, reason: str
) -> Viewpoint:
    viewpoint = new_viewpoint(sess, actor, consultation, summary, disposition, reason)
    sess.commit()
    return viewpoint


def new_viewpoint(
    sess: Session,
    actor: Actor,
    consultation: Consultation,
    summary: str,
    disposition: str,
    reason: str,
    what_en: str = "",
) -> Viewpoint:
    """:func:`add_viewpoint` without the commit."""
    _require_closed(consultation, actor, "结束征集后才能归纳意见和给出处理结果。")
    if not summary.strip():
        raise ConsultationError(
            "请填写观点摘要。", field="summary", en=f"{what_en or 'viewpoint'} needs a 'summary'"
        )
    check_disposition(disposition, reason, "观点", what_en)
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
    changed = answer_comments(sess, actor, consultation, rows)
    sess.commit()
    return changed


def answer_comments(
    sess: Session, actor: Actor, consultation: Consultation, rows: list[DispositionRow]
) -> int:
    """:func:`save_dispositions` without the commit."""
    _require_closed(consultation, actor, "结束征集后才能给出处理结果。")
    comments = {c.id: c for c in comments_by_ids(sess, consultation, [r.comment_id for r in rows])}
    viewpoints = {v.id: v for v in consultation.viewpoints}
    changed = 0
    for row in rows:
        comment = comments[row.comment_id]
        if comment.moderation != "published":
            raise ConsultationError(
                f"意见 {comment.receipt_code} 未被受理，不需要处理结果。",
                en=f"comment {comment.receipt_code} is '{comment.moderation}', not published: only an accepted "
                "comment gets a disposition or a viewpoint",
            )
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
        check_disposition(
            disposition, reason, f"意见 {comment.receipt_code}", f"comment {comment.receipt_code}"
        )
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

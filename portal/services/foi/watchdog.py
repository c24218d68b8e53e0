"""The FOI part of the daily watchdog: each FOI officer and head gets their agency's requests that are
overdue, due within 5 working days, waiting for confirmation, or past a correction or payment deadline."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import today_local
from portal.models import User
from portal.services.foi import pages
from portal.services.watchdog import Digest


def _lines(title: str, requests: list[pages.InfoRequest]) -> list[str]:
    if not requests:
        return []
    rows = [f"{title}（{len(requests)}件）："]
    for r in requests:
        due = (
            r.due_on.isoformat()
            if r.due_on
            else (r.pause_deadline_on.isoformat() if r.pause_deadline_on else "—")
        )
        rows.append(f"  {r.receipt_code}  {r.agency.name}  期限 {due}  {r.description[:40]}")
    return [*rows, ""]


def digests(sess: Session, base_url: str, today: date | None = None) -> list[Digest]:
    """One digest per FOI staff member with an e-mail address and something to act on."""
    today = today or today_local()
    staff = sess.scalars(select(User).where(User.active.is_(True), User.email != "")).all()
    out = []
    for user in staff:
        if not user.has_role(*pages.FOI_ROLES):
            continue
        w = pages.watch(sess, user, today)
        body = [
            *_lines("已超过答复期限", w.overdue),
            *_lines("5个工作日内到期", w.due_soon),
            *_lines("网上申请待登记确认", w.unconfirmed),
            *_lines("补正或缴费期限已过，待按逾期办结", w.pause_lapsed),
        ]
        if not body:
            continue
        subject = (
            f"依申请公开提醒：超期{len(w.overdue)}件，即将到期{len(w.due_soon)}件（{today.isoformat()}）"
        )
        out.append(Digest(user, subject, "\n".join([*body, f"办理入口：{base_url.rstrip('/')}/admin/foi/"])))
    return out

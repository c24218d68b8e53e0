"""The enquiries part of the daily watchdog: each editor and reviewer with an e-mail address gets their
agency's messages overdue, due within 2 working days, or unanswered for more than three months (NORMS 24),
and the board's publication cadence when it broke (NORMS 25)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import today_local
from portal.models import Enquiry, User
from portal.services.enquiries import pages
from portal.services.watchdog import Digest


def _lines(title: str, items: list[Enquiry]) -> list[str]:
    if not items:
        return []
    rows = [f"{title}（{len(items)}条）："]
    rows += [
        f"  {m.receipt_code}  {m.agency.name}  收到 {m.received_on.isoformat()}  {m.subject[:40]}"
        for m in items
    ]
    return [*rows, ""]


def digests(sess: Session, base_url: str, today: date | None = None) -> list[Digest]:
    today = today or today_local()
    out = []
    for user in sess.scalars(select(User).where(User.active.is_(True), User.email != "")):
        if not user.has_role("editor", "reviewer"):
            continue
        w = pages.watch(sess, user, today)
        body = [
            *_lines("超过三个月未答复（僵尸留言）", w.zombies),
            *_lines("已超过期限", [m for m in w.overdue if m not in w.zombies]),
            *_lines("2个工作日内到期", w.due_soon),
        ]
        if w.cadence_broken and user.has_role("reviewer"):
            last = w.last_published.isoformat() if w.last_published else "尚无"
            body += [f"公开答复已超过两个月未更新（最近一次：{last}）。", ""]
        if not body:
            continue
        subject = f"政务咨询提醒：僵尸留言{len(w.zombies)}条，超期{len(w.overdue)}条（{today.isoformat()}）"
        out.append(
            Digest(user, subject, "\n".join([*body, f"办理入口：{base_url.rstrip('/')}/admin/enquiries/"]))
        )
    return out

"""The feedback report of a consultation (意见采纳情况反馈), its publication, notifications and CSV export."""

from __future__ import annotations

import csv
import io
import logging
import smtplib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, selectinload

from portal import db
from portal.config import Settings
from portal.ingest.markdown import render_markdown
from portal.models import Comment, Consultation, Document, User, Viewpoint
from portal.models.consultations import CHANNELS, DISPOSITIONS, MODERATION
from portal.services.audit import record
from portal.services.consultations import search as consultation_search
from portal.services.consultations.dispositions import open_dispositions
from portal.services.consultations.errors import ConsultationError
from portal.services.consultations.lifecycle import pending_count
from portal.services.consultations.rules import email_of
from portal.services.documents import book_title
from portal.services.subscriptions import events as subscription_events

log = logging.getLogger(__name__)


@dataclass
class FeedbackReport:
    received: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    accepted: int = 0  # passed moderation and answered
    counts: dict[str, int] = field(default_factory=dict)  # disposition -> count
    duplicates: int = 0
    rejected: list[tuple[str, int]] = field(default_factory=list)  # moderation reason -> count
    viewpoints: list[tuple[Viewpoint, int]] = field(default_factory=list)  # with their comment count
    answered: list[Comment] = field(
        default_factory=list
    )  # comments outside any viewpoint, with a disposition

    @property
    def adopted(self) -> int:
        return self.counts.get("adopted", 0)

    @property
    def partly(self) -> int:
        return self.counts.get("partly", 0)

    @property
    def not_adopted(self) -> int:
        return self.counts.get("not_adopted", 0)

    @property
    def not_applicable(self) -> int:
        return self.counts.get("not_applicable", 0)


def build_report(sess: Session, consultation: Consultation) -> FeedbackReport:
    comments = sess.scalars(
        select(Comment)
        .where(Comment.consultation_id == consultation.id)
        .options(selectinload(Comment.clause))
        .order_by(Comment.received_at, Comment.id)
    ).all()
    report = FeedbackReport(received=len(comments))
    report.by_channel = dict(Counter(c.channel for c in comments))
    report.duplicates = sum(1 for c in comments if c.moderation == "duplicate")
    report.rejected = sorted(
        Counter(c.moderation_reason for c in comments if c.moderation == "rejected").items()
    )
    accepted = [c for c in comments if c.moderation == "published"]
    report.accepted = len(accepted)
    report.counts = {key: sum(1 for c in accepted if c.disposition == key) for key in DISPOSITIONS}
    members = Counter(c.viewpoint_id for c in accepted if c.viewpoint_id)
    report.viewpoints = [(v, members.get(v.id, 0)) for v in consultation.viewpoints]
    report.answered = [c for c in accepted if c.disposition and not c.viewpoint_id]
    return report


def publish_report(
    sess: Session,
    actor: User,
    consultation: Consultation,
    summary_md: str,
    final_document_id: int | None,
    settings: Settings,
) -> int:
    """Publish the feedback report, link the adopted document and tell commenters who left an e-mail.

    Returns the number of addresses that will be notified (after the commit).
    """
    record_report(sess, actor, consultation, summary_md, final_document_id)
    recipients = _recipients(sess, consultation)
    message = _message_data(consultation, settings)
    engine = sess.get_bind()

    def notify() -> None:
        notify_commenters(engine, settings, message, recipients)

    db.after_commit(sess, notify)
    consultation_search.refresh_after_commit(sess, consultation)
    sess.commit()
    return len(recipients)


def check_report(sess: Session, consultation: Consultation, summary_md: str, final: Document | None) -> None:
    """The rules of a feedback report: every comment moderated and every accepted one answered, a summary,
    and an adopted text the public can read."""
    pending = pending_count(sess, consultation)
    if pending:
        raise ConsultationError(
            "还有意见待审核，请先完成审核。",
            status=409,
            en=f"{pending} comment(s) still pending moderation: the report comes once all are moderated",
        )
    missing = open_dispositions(sess, consultation)
    if missing:
        raise ConsultationError(
            f"还有{missing}条已受理意见未给出处理结果。",
            status=409,
            en=f"{missing} accepted comment(s) have no disposition: each accepted comment is answered in the "
            "report (give it a 'disposition' or a 'viewpoint')",
        )
    if not summary_md.strip():
        raise ConsultationError(
            "请填写反馈报告的总体说明。", field="summary", en="a reported consultation needs report.summary"
        )
    if final is not None and not final.is_public:
        raise ConsultationError(
            "所选正式文件不存在或尚未公开发布。",
            field="final_document_id",
            en=f"'final_document' {final.slug} is not published and actively disclosed (主动公开)",
        )


def record_report(
    sess: Session,
    actor: User | str,
    consultation: Consultation,
    summary_md: str,
    final_document_id: int | None,
    published_at: datetime | None = None,
) -> None:
    """The report's rules, state, audit and subscription event, without the notifications and the commit
    (``portal load``: a report loaded as published was announced when it came out)."""
    if consultation.status != "closed":
        raise ConsultationError(
            "结束征集后才能发布反馈报告。",
            status=409,
            en=f"the report comes after the period is closed: the consultation is '{consultation.status}'",
        )
    final = None
    if final_document_id:
        final = sess.get(Document, final_document_id)
        if final is None:
            raise ConsultationError("所选正式文件不存在或尚未公开发布。", field="final_document_id")
    check_report(sess, consultation, summary_md, final)
    consultation.report_md = summary_md.strip()
    consultation.report_html = render_markdown(consultation.report_md)
    consultation.final_document_id = final.id if final else None
    consultation.report_published_at = published_at or datetime.now(UTC)
    consultation.status = "reported"
    record(
        sess,
        actor,
        "consultation.report",
        consultation,
        before={"status": "closed"},
        after={"status": "reported", "final_document": final.slug if final else None},
    )
    subscription_events.report_published(sess, consultation)


def correct_report(
    sess: Session,
    actor: User | str,
    consultation: Consultation,
    summary_md: str,
    final_document_id: int | None,
    published_at: datetime | None,
) -> bool:
    """A content file corrects the report it published: the report's rules again, audited when anything
    changed (which it returns); nobody is notified again."""
    final = sess.get(Document, final_document_id) if final_document_id else None
    check_report(sess, consultation, summary_md, final)
    before = (consultation.report_md, consultation.final_document_id, consultation.report_published_at)
    after = (
        summary_md.strip(),
        final.id if final else None,
        published_at or consultation.report_published_at,
    )
    if before == after:
        return False
    consultation.report_md, consultation.final_document_id, consultation.report_published_at = after
    consultation.report_html = render_markdown(consultation.report_md)
    record(
        sess,
        actor,
        "consultation.report_update",
        consultation,
        after={"final_document": final.slug if final else None},
    )
    consultation_search.refresh_after_commit(sess, consultation)
    return True


def _recipients(sess: Session, consultation: Consultation) -> dict[str, list[tuple[int, str]]]:
    """E-mail address -> [(comment id, receipt code)] of comments not yet notified."""
    out: dict[str, list[tuple[int, str]]] = {}
    for comment in sess.scalars(
        select(Comment).where(Comment.consultation_id == consultation.id, Comment.notified_at.is_(None))
    ):
        address = email_of(comment.contact)
        if address:
            out.setdefault(address.lower(), []).append((comment.id, comment.receipt_code))
    return out


def _message_data(consultation: Consultation, settings: Settings) -> dict[str, str]:
    return {
        "title": consultation.title,
        "url": f"{settings.base_url.rstrip('/')}/consultations/{consultation.slug}/report/",
    }


def notify_commenters(
    engine: Engine | Connection,
    settings: Settings,
    message: dict[str, str],
    recipients: dict[str, list[tuple[int, str]]],
) -> int:
    """Send one e-mail per address; mark its comments notified. Runs after commit, on its own session.

    A failure to reach the mail server is logged and leaves the comments unmarked, so staff can resend.
    """
    sent_ids: list[int] = []
    if recipients:
        try:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
                for address, items in recipients.items():
                    smtp.send_message(_email(settings, message, address, [code for _id, code in items]))
                    sent_ids.extend(i for i, _code in items)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("consultation report notification stopped after %d comments: %s", len(sent_ids), exc)
    if sent_ids:
        with Session(bind=engine) as other:
            other.execute(
                update(Comment).where(Comment.id.in_(sent_ids)).values(notified_at=datetime.now(UTC))
            )
            other.commit()
    return len(sent_ids)


def _email(settings: Settings, message: dict[str, str], address: str, codes: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = address
    mail["Subject"] = f"意见采纳情况反馈已发布：{message['title']}"
    mail.set_content(
        f"您好：\n\n您对{book_title(message['title'])}提出的意见（回执码：{'、'.join(codes)}）已处理完毕，"
        f"意见采纳情况反馈已经发布，请查看：\n{message['url']}\n\n感谢您的参与。\n{settings.site_name}\n"
    )
    return mail


def resend_notifications(sess: Session, actor: User, consultation: Consultation, settings: Settings) -> int:
    if consultation.status != "reported":
        raise ConsultationError("反馈报告发布后才能发送通知。", status=409)
    recipients = _recipients(sess, consultation)
    record(sess, actor, "consultation.notify", consultation, note=f"{len(recipients)} addresses")
    sess.commit()
    return notify_commenters(sess.get_bind(), settings, _message_data(consultation, settings), recipients)


def unnotified_count(sess: Session, consultation: Consultation) -> int:
    return sum(len(v) for v in _recipients(sess, consultation).values())


# -- CSV export -------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Spreadsheets run cells that start like a formula; prefix those so they stay text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_comments_csv(sess: Session, actor: User, consultation: Consultation, full: bool = False) -> str:
    """Comments as CSV (UTF-8 with BOM for spreadsheet programs).

    By default contacts and moderated-away comments (rejected, duplicates) are left out; ``full`` (for
    admins, audited) includes both.
    """
    stmt = select(Comment).where(Comment.consultation_id == consultation.id)
    if not full:
        stmt = stmt.where(Comment.moderation.in_(["pending", "published"]))
    comments = sess.scalars(
        stmt.options(selectinload(Comment.clause), selectinload(Comment.viewpoint)).order_by(
            Comment.received_at, Comment.id
        )
    ).all()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    header = [
        "回执码",
        "收到时间",
        "渠道",
        "条款",
        "姓名",
        "同意公开",
        "意见内容",
        "审核状态",
        "审核说明",
        "处理结果",
        "处理理由",
        "观点",
    ]
    if full:
        header.insert(5, "联系方式")
    writer.writerow(header)
    for c in comments:
        row = [
            c.receipt_code,
            c.received_at.isoformat(timespec="seconds"),
            CHANNELS.get(c.channel, c.channel),
            c.clause.label if c.clause else "",
            c.name,
            "是" if c.consent else "否",
            c.body,
            MODERATION.get(c.moderation, c.moderation),
            c.moderation_reason,
            DISPOSITIONS.get(c.disposition, ""),
            c.disposition_reason,
            c.viewpoint.summary if c.viewpoint else "",
        ]
        if full:
            row.insert(5, c.contact)
        writer.writerow([_cell(v) for v in row])
    record(sess, actor, "consultation.export", consultation, note="full" if full else "public fields")
    sess.commit()
    return out.getvalue()

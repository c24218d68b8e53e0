"""Timeliness on the one working-day clock (portal/clock.py).

- NORMS 1 (条例 art 26): information in the proactive scope is published within ``publish_deadline_wd``
  (20) working days of being made or changed. A document is late when its first publication falls after
  the 20th working day after its 成文日期; a change of validity (repealed, amended, expired) is late when
  it was recorded on the site after the 20th working day after it took effect (``validity_since``). A
  proactive document made that long ago and still not published is overdue.
- NORMS 12: an interpretation is late when it was published after the ``interpretation_deadline_wd``
  (3) working day after its policy; a published normative document still without any published
  interpretation past that day is flagged too (三同步, NORMS 11).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import add_working_days, local_day, today_local, working_days, year_bounds
from portal.models import AuditEntry, Document, Interpretation
from portal.services.compliance import settings


@dataclass
class Late:
    """One item past its deadline: what, from which day, due when, done when (None: not yet)."""

    kind: str  # publication | overdue | validity | interpretation | no_interpretation
    document: Document
    start: date
    due: date
    done: date | None
    interpretation: Interpretation | None = None

    @property
    def working_days_late(self) -> int:
        """Working days after the due day until it was done (or until today)."""
        return working_days(self.due + timedelta(days=1), self.done or today_local())

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


KIND_LABELS = {
    "publication": "发布超过成文后20个工作日",
    "overdue": "成文已超过20个工作日仍未发布",
    "validity": "有效性变化超过20个工作日才更新",
    "interpretation": "解读晚于文件发布3个工作日以上",
    "no_interpretation": "规范性文件发布3个工作日后仍无解读",
}


def publication_due(written_on: date, limit: int | None = None) -> date:
    return add_working_days(written_on, settings().publish_deadline_wd if limit is None else limit)


def late_publications(sess: Session, year: int | None = None, today: date | None = None) -> list[Late]:
    """Proactive documents published late (in ``year`` when given), and those overdue and unpublished."""
    today = today or today_local()
    query = select(Document).where(Document.disclosure == "active", Document.written_on.is_not(None))
    if year is not None:
        start, end = year_bounds(year)
        query = query.where(Document.published_at >= start, Document.published_at < end)
    out = []
    for doc in sess.scalars(query.order_by(Document.written_on, Document.id)):
        written = doc.written_on
        assert written is not None  # selected so
        due = publication_due(written)
        if doc.published_at is not None:
            done = local_day(doc.published_at)
            if done > due:
                out.append(Late("publication", doc, written, due, done))
        elif doc.status != "withdrawn" and due < today:
            out.append(Late("overdue", doc, written, due, None))
    return out


def late_validity_changes(sess: Session, year: int | None = None) -> list[Late]:
    """Validity changes recorded on the site more than the deadline after they took effect."""
    out = []
    docs = sess.scalars(
        select(Document).where(Document.validity != "valid", Document.validity_since.is_not(None))
    ).all()
    for doc in docs:
        since = doc.validity_since
        assert since is not None  # selected so
        recorded = sess.scalar(
            select(AuditEntry.at)
            .where(
                AuditEntry.object_type == "document",
                AuditEntry.object_id == doc.id,
                AuditEntry.action == "document.validity",
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        if recorded is None:
            continue  # loaded from content: the file carries the fact, not when the site learnt it
        done = local_day(recorded)
        due = publication_due(since)
        if done > due and (year is None or done.year == year):
            out.append(Late("validity", doc, since, due, done))
    return out


def late_interpretations(sess: Session, year: int | None = None, today: date | None = None) -> list[Late]:
    today = today or today_local()
    limit = settings().interpretation_deadline_wd
    query = select(Document).where(Document.status == "published", Document.published_at.is_not(None))
    if year is not None:
        start, end = year_bounds(year)
        query = query.where(Document.published_at >= start, Document.published_at < end)
    out = []
    for doc in sess.scalars(query.order_by(Document.published_at, Document.id)):
        assert doc.published_at is not None  # selected so
        start_day = local_day(doc.published_at)
        due = add_working_days(start_day, limit)
        published = [(i, i.published_at) for i in doc.interpretations if i.published_at is not None]
        for interp, at in published:
            done = local_day(at)
            if done > due:
                out.append(Late("interpretation", doc, start_day, due, done, interp))
        if doc.normative and not published and due < today:
            out.append(Late("no_interpretation", doc, start_day, due, None))
    return out


@dataclass
class TimelinessReport:
    year: int
    published: int  # proactive documents first published in the year with a 成文日期
    late: list[Late]

    @property
    def late_publications(self) -> int:
        return sum(1 for item in self.late if item.kind == "publication")


def year_report(sess: Session, year: int) -> TimelinessReport:
    start, end = year_bounds(year)
    published = len(
        sess.scalars(
            select(Document.id).where(
                Document.disclosure == "active",
                Document.written_on.is_not(None),
                Document.published_at >= start,
                Document.published_at < end,
            )
        ).all()
    )
    late = (
        late_publications(sess, year) + late_validity_changes(sess, year) + late_interpretations(sess, year)
    )
    late = [item for item in late if item.kind != "overdue"]  # a year's report counts what happened
    return TimelinessReport(year, published, late)

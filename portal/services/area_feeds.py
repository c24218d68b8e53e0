"""Atom feeds of the other public areas: consultations (意见征集), gazette issues (政府公报) and open
meetings (会议开放). The documents' feeds (all, per agency, per topic) are in ``portal.services.feeds``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import LOCAL_TZ
from portal.config import Settings
from portal.models import Consultation, GazetteIssue
from portal.services import meetings

FEED_SIZE = 50


@dataclass(frozen=True)
class Entry:
    path: str
    title: str
    published: datetime
    updated: datetime
    summary: str


def _day(value: date) -> datetime:
    """A calendar day as the start of that day in Beijing."""
    return datetime(value.year, value.month, value.day, tzinfo=LOCAL_TZ)


def consultation_entries(sess: Session) -> list[Entry]:
    rows = sess.scalars(
        select(Consultation)
        .where(Consultation.status != "draft")
        .order_by(Consultation.opens_on.desc(), Consultation.id.desc())
        .limit(FEED_SIZE)
    )
    entries = []
    for c in rows:
        opened = _day(c.opens_on)
        reported = c.report_published_at
        entries.append(
            Entry(
                f"/consultations/{c.slug}/",
                c.title,
                opened,
                max(opened, reported) if reported else opened,
                f"征集期：{c.opens_on.isoformat()} 至 {c.closes_on.isoformat()}"
                + ("；已发布意见采纳情况反馈" if reported else ""),
            )
        )
    return entries


def gazette_entries(sess: Session) -> list[Entry]:
    rows = sess.scalars(
        select(GazetteIssue)
        .where(GazetteIssue.status == "published", GazetteIssue.published_at.is_not(None))
        .order_by(GazetteIssue.published_at.desc(), GazetteIssue.id.desc())
        .limit(FEED_SIZE)
    )
    return [
        Entry(
            f"/gazette/{i.year}/{i.number}/",
            i.title,
            i.published_at,
            i.published_at,
            i.title,
        )
        for i in rows
        if i.published_at is not None  # selected on it
    ]


def meeting_entries(sess: Session) -> list[Entry]:
    return [
        Entry(
            f"/meetings/{m.slug}/",
            m.title,
            _day(m.held_on),
            _day(m.held_on),
            f"{m.agency.name} · {m.held_on.isoformat()}",
        )
        for m in meetings.public_meetings(sess)[:FEED_SIZE]
    ]


# area: (feed title, the page the feed belongs to, its entries)
AREAS: dict[str, tuple[str, str, Callable[[Session], list[Entry]]]] = {
    "consultations": ("意见征集", "/consultations/", consultation_entries),
    "gazette": ("政府公报", "/gazette/", gazette_entries),
    "meetings": ("会议开放", "/meetings/", meeting_entries),
}


def build_area_feed(sess: Session, settings: Settings, area: str) -> bytes:
    from feedgen.feed import FeedGenerator

    title, page, entries_of = AREAS[area]
    base = settings.base_url.rstrip("/")
    self_url = f"{base}/feeds/{area}.atom"
    entries = sorted(entries_of(sess), key=lambda e: (e.published, e.path))  # feedgen prepends
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(f"{settings.site_name} · {title}")
    fg.author({"name": settings.site_name})
    fg.link(href=self_url, rel="self")
    fg.link(href=f"{base}{page}", rel="alternate")
    fg.language("zh-CN")
    # Never "now": the same records give the same bytes, so a static re-export leaves the file alone.
    fg.updated(max((e.updated for e in entries), default=datetime(2000, 1, 1, tzinfo=UTC)))
    for e in entries:
        entry = fg.add_entry()
        entry.id(f"{base}{e.path}")
        entry.title(e.title)
        entry.link(href=f"{base}{e.path}")
        entry.published(e.published)
        entry.updated(e.updated)
        entry.summary(e.summary)
    return fg.atom_str(pretty=True)

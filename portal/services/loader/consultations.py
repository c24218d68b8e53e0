"""Loading ``content/consultations/<slug>.md``: a consultation, and for a finished one its comments,
viewpoints and feedback report. Format in ``content/README.md``.

Dates may be relative to the load date (``opens: -3d``, ``closes: +27d``) so that the demo always has a
consultation open for comment. Like every file, an unchanged file is skipped on the next load, so a
relative period is fixed when the file is first loaded (or changed).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.ingest.markdown import render_markdown
from portal.models import Comment, Consultation, Document, Viewpoint
from portal.models.consultations import CHANNELS, DISPOSITIONS, KINDS, MODERATION, STATUS
from portal.services import consultations as service
from portal.services.consultations import search as consultation_search
from portal.services.consultations.rules import local_today
from portal.services.loader import ContentError, LoadReport, Source, _upsert_files, find_agency

_RELATIVE = re.compile(r"^([+-]?\d+)\s*d$")


def _labels(mapping: dict[str, str]) -> dict[str, str]:
    return {**{k: k for k in mapping}, **{v: k for k, v in mapping.items()}}


def _day(src: Source, key: str, today: date) -> date | None:
    value = src.meta.get(key)
    if value in (None, ""):
        return None
    match = _RELATIVE.match(str(value).strip())
    if match:
        return today + timedelta(days=int(match.group(1)))
    return src.date(key)


def _document(sess: Session, src: Source, key: str) -> Document | None:
    slug = src.text(key)
    if not slug:
        return None
    doc = sess.scalars(select(Document).where(Document.slug == slug)).first()
    if doc is None:
        raise src.fail(key, f"'{key}' refers to unknown document '{slug}'")
    return doc


def _mapping(src: Source, key: str) -> dict:
    value = src.meta.get(key) or {}
    if not isinstance(value, dict):
        raise src.fail(key, f"'{key}' must be a mapping")
    return value


def apply_consultation(sess: Session, src: Source, c: Consultation) -> None:
    today = local_today()
    c.title = str(src.require("title")).strip()
    agency_ref = str(src.require("agency")).strip()
    agency = find_agency(sess, agency_ref)
    if agency is None:
        raise src.fail("agency", f"unknown agency '{agency_ref}'")
    c.agency_id = agency.id
    c.kind = src.choice("kind", _labels(KINDS), "other")
    c.affects_rights = bool(src.meta.get("affects_rights", True))
    opens_on, closes_on = _day(src, "opens", today), _day(src, "closes", today)
    c.short_period_reason = src.text("short_period_reason")
    try:
        service.check_period(c.kind, c.affects_rights, opens_on, closes_on, c.short_period_reason)
    except service.ConsultationError as exc:
        raise src.fail("closes" if exc.field != "opens_on" else "opens", exc.message) from None
    assert opens_on is not None and closes_on is not None  # check_period refused missing dates
    c.opens_on, c.closes_on = opens_on, closes_on
    channels = _mapping(src, "channels")
    c.accepts_online = bool(channels.get("online", True))
    c.channel_email = str(channels.get("email") or "").strip()
    c.channel_post = str(channels.get("post") or "").strip()
    c.channel_phone = str(channels.get("phone") or "").strip()
    c.status = src.choice("status", _labels(STATUS), "published")
    c.draft_document = _document(sess, src, "draft_document")
    c.final_document = _document(sess, src, "final_document")
    if not src.body.strip():
        raise ContentError("the body (the draft text) is empty", 1)
    service.set_draft(c, src.body.strip())
    service.set_texts(c, src.text("basis"), src.text("note"))
    report = _mapping(src, "report")
    c.report_md = str(report.get("summary") or "").strip()
    c.report_html = render_markdown(c.report_md)
    if c.status == "reported":
        if not c.report_md:
            raise src.fail("report", "a reported consultation needs report.summary")
        published = report.get("published_on")
        try:
            day = date.fromisoformat(str(published)) if published else closes_on
        except ValueError:
            raise src.fail("report", f"bad date '{published}' in report.published_on") from None
        c.report_published_at = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
    if c.status in {"closed", "reported"} and c.closed_at is None:
        c.closed_at = datetime(closes_on.year, closes_on.month, closes_on.day, 16, tzinfo=UTC)
    sess.add(c)
    sess.flush()  # comments and viewpoints need the consultation's id
    _apply_feedback(sess, src, c)
    consultation_search.refresh_after_commit(sess, c)


def _apply_feedback(sess: Session, src: Source, c: Consultation) -> None:
    """Viewpoints are replaced; comments are upserted by their receipt code (citizens' stay untouched)."""
    viewpoints_in = src.meta.get("viewpoints") or []
    comments_in = src.meta.get("comments") or []
    if not isinstance(viewpoints_in, list) or not isinstance(comments_in, list):
        raise src.fail("comments", "'viewpoints' and 'comments' must be lists")
    for viewpoint in list(c.viewpoints):
        for comment in viewpoint.comments:
            comment.viewpoint = None
        sess.delete(viewpoint)
    c.viewpoints.clear()
    sess.flush()
    by_key: dict[str, Viewpoint] = {}
    for position, item in enumerate(viewpoints_in):
        if not isinstance(item, dict) or not item.get("key") or not item.get("summary"):
            raise src.fail("viewpoints", f"viewpoint {position + 1} needs 'key' and 'summary'")
        disposition = _choice(
            src, "viewpoints", item.get("disposition"), DISPOSITIONS, f"viewpoint {item['key']}"
        )
        vp = Viewpoint(
            position=position,
            summary=str(item["summary"]).strip(),
            disposition=disposition,
            reason=str(item.get("reason") or "").strip(),
        )
        c.viewpoints.append(vp)
        by_key[str(item["key"])] = vp
    sess.flush()
    clauses = {cl.label: cl for cl in c.clauses if cl.label}
    codes: dict[str, Comment] = {}
    for position, item in enumerate(comments_in):
        where = f"comment {position + 1}"
        if not isinstance(item, dict) or not item.get("receipt") or not item.get("body"):
            raise src.fail("comments", f"{where} needs 'receipt' and 'body'")
        code = str(item["receipt"]).strip().upper()
        found = sess.scalars(select(Comment).where(Comment.receipt_code == code)).first()
        if found is None:
            comment = Comment(
                receipt_code=code, idempotency_key=f"content-{c.slug}-{code}"[:64], consultation_id=c.id
            )
            sess.add(comment)
        elif found.consultation_id != c.id:
            raise src.fail("comments", f"{where}: receipt {code} belongs to another consultation")
        else:
            comment = found
        label = str(item.get("clause") or "").strip()
        if label and label not in clauses:
            raise src.fail("comments", f"{where}: the draft has no clause '{label}'")
        comment.clause_id = clauses[label].id if label else None
        comment.body = str(item["body"]).strip()
        comment.name = str(item.get("name") or "").strip()
        comment.contact = str(item.get("contact") or "").strip()
        comment.consent = bool(item.get("consent", False))
        comment.channel = _choice(src, "comments", item.get("channel") or "online", CHANNELS, where)
        received = item.get("received_on")
        try:
            day = date.fromisoformat(str(received)) if received else c.opens_on
        except ValueError:
            raise src.fail("comments", f"{where}: bad date '{received}'") from None
        comment.received_at = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
        comment.moderation = _choice(
            src, "comments", item.get("moderation") or "published", MODERATION, where
        )
        comment.moderation_reason = str(item.get("reason") or "").strip()
        comment.disposition = _choice(
            src, "comments", item.get("disposition") or "", DISPOSITIONS, where, optional=True
        )
        comment.disposition_reason = str(item.get("disposition_reason") or "").strip()
        vp_key = str(item.get("viewpoint") or "")
        if vp_key and vp_key not in by_key:
            raise src.fail("comments", f"{where}: unknown viewpoint '{vp_key}'")
        comment.viewpoint = by_key.get(vp_key)
        if comment.viewpoint and not comment.disposition:
            comment.disposition = comment.viewpoint.disposition
            comment.disposition_reason = comment.disposition_reason or comment.viewpoint.reason
        comment.duplicate_of_id = None
        # A report loaded as already published was announced back then; nobody is to be told again.
        comment.notified_at = c.report_published_at if c.status == "reported" else None
        codes[code] = comment
        dup = str(item.get("duplicate_of") or "").strip().upper()
        if dup:
            if dup not in codes:
                raise src.fail("comments", f"{where}: duplicate_of '{dup}' must name an earlier comment")
            sess.flush()
            comment.duplicate_of_id = codes[dup].id
    sess.flush()


def _choice(
    src: Source, key: str, value: object, allowed: dict[str, str], where: str, optional: bool = False
) -> str:
    text = str(value or "").strip()
    if optional and not text:
        return ""
    labels = _labels(allowed)
    if text not in labels:
        raise src.fail(key, f"{where}: unknown value '{text}' (allowed: {', '.join(allowed)})")
    return labels[text]


def load_consultations(sess: Session, directory: Path, report: LoadReport) -> None:
    _upsert_files(
        sess, sorted(directory.glob("*.md")), Consultation, apply_consultation, "consultation", report
    )

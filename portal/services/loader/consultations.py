"""Loading ``content/consultations/<slug>.md`` through the staff area's services: a consultation, and for
a finished one its comments, viewpoints and feedback report. Format in ``content/README.md``.

A file is written as staff write a consultation (:mod:`portal.services.consultations`), as the system actor
``content``, audited: created under the rules of the staff form (title, agency, kind, draft, period,
channels), its comments entered under the rules of a comment and moderated under the moderation rules,
closed (after its period, every comment moderated), its viewpoints and dispositions given (a reason unless
adopted) and its report published (every accepted comment answered, the adopted text public). A changed
file corrects its consultation; the state staff moved it to is kept (a reload does not take it back), and
comments citizens sent through the site are never touched. Each file loads in its own savepoint: a refused
file writes nothing and is reported in English by file, line and field.

Dates may be relative to the load date (``opens: -3d``, ``closes: +27d``) so that the demo always has a
consultation open for comment. Like every file, an unchanged file is skipped on the next load, so a
relative period is fixed when the file is first loaded (or changed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Comment, Consultation, Document, Viewpoint
from portal.models.consultations import CHANNELS, DISPOSITIONS, KINDS, MODERATION, STATUS
from portal.services import consultations as service
from portal.services.audit import record
from portal.services.consultations import report as reports
from portal.services.consultations.rules import local_today
from portal.services.loader import LoadReport, Source, find_agency, load_files
from portal.services.publishing import CONTENT

_RELATIVE = re.compile(r"^([+-]?\d+)\s*d$")
ORDER = list(STATUS)  # draft, published, closed, reported: the way forward
# The front-matter key of a field the services name.
KEYS = {
    "agency_id": "agency",
    "opens_on": "opens",
    "closes_on": "closes",
    "short_period_reason": "closes",
    "accepts_online": "channels",
    "draft_document_id": "draft_document",
    "final_document_id": "final_document",
    "summary": "report",
}
MODERATION_ACTION = {"published": "publish", "rejected": "reject", "duplicate": "duplicate"}


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


def _mapping(src: Source, key: str) -> dict[str, Any]:
    value = src.meta.get(key) or {}
    if not isinstance(value, dict):
        raise src.fail(key, f"'{key}' must be a mapping")
    return value


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


def _date_of(src: Source, key: str, raw: object, default: date, where: str) -> date:
    try:
        return date.fromisoformat(str(raw)) if raw else default
    except ValueError:
        raise src.fail(key, f"{where}: bad date '{raw}'") from None


def _input(sess: Session, src: Source) -> service.ConsultationInput:
    """The file as the staff form's values (:class:`~portal.services.consultations.ConsultationInput`)."""
    today = local_today()
    agency_ref = str(src.require("agency")).strip()
    agency = find_agency(sess, agency_ref)
    if agency is None:
        raise src.fail("agency", f"unknown agency '{agency_ref}'")
    channels = _mapping(src, "channels")
    draft = _document(sess, src, "draft_document")
    return service.ConsultationInput(
        title=src.text("title"),
        agency_id=agency.id,
        kind=src.choice("kind", _labels(KINDS), "other"),
        opens_on=_day(src, "opens", today),
        closes_on=_day(src, "closes", today),
        draft_md=src.body.strip(),
        draft_document_id=draft.id if draft else None,
        affects_rights=bool(src.meta.get("affects_rights", True)),
        basis_md=src.text("basis"),
        note_md=src.text("note"),
        short_period_reason=src.text("short_period_reason"),
        accepts_online=bool(channels.get("online", True)),
        channel_email=str(channels.get("email") or "").strip(),
        channel_post=str(channels.get("post") or "").strip(),
        channel_phone=str(channels.get("phone") or "").strip(),
        slug=src.path.stem,
        publish=src.choice("status", _labels(STATUS), "published") != "draft",
    )


@dataclass
class _Report:
    summary: str
    published_at: datetime
    final: Document | None


def _report(sess: Session, src: Source, closes_on: date) -> _Report:
    report = _mapping(src, "report")
    day = _date_of(src, "report", report.get("published_on"), closes_on, "report.published_on")
    return _Report(
        summary=str(report.get("summary") or "").strip(),
        published_at=datetime(day.year, day.month, day.day, 2, tzinfo=UTC),
        final=_document(sess, src, "final_document"),
    )


def apply_consultation(sess: Session, src: Source, c: Consultation | None) -> Consultation:
    """Write one file through the consultation services, up to the state it asks for."""
    data = _input(sess, src)
    wanted = src.choice("status", _labels(STATUS), "published")
    if c is None:
        c = service.new_consultation(sess, CONTENT, data)
    else:
        if ORDER.index(c.status) > ORDER.index(wanted):
            raise src.fail(
                "status",
                f"'{c.slug}' is '{c.status}' on the site; a reload does not take it back to '{wanted}': "
                f"set 'status: {c.status}' in the file",
            )
        service.update_consultation(sess, CONTENT, c, data)
        if c.status == "draft" and wanted != "draft":
            service.publish_consultation(sess, CONTENT, c)
    sess.flush()  # comments and viewpoints need the consultation's id
    assert data.closes_on is not None  # the services refused a missing period
    comments = _apply_comments(sess, src, c)
    if wanted in {"closed", "reported"} and c.status == "published":
        closed = data.closes_on
        # The end of the last day of the period (Beijing midnight), when the period closed by itself.
        at = datetime(closed.year, closed.month, closed.day, 16, tzinfo=UTC)
        _step(src, "status", lambda: service.end_consultation(sess, CONTENT, c, closed_at=at))
    _apply_feedback(sess, src, c, comments)
    report = _report(sess, src, data.closes_on)
    final_id = report.final.id if report.final else None
    if wanted == "reported" and c.status == "closed":
        _step(
            src,
            "report",
            lambda: reports.record_report(sess, CONTENT, c, report.summary, final_id, report.published_at),
        )
    elif c.status == "reported":
        _step(
            src,
            "report",
            lambda: reports.correct_report(sess, CONTENT, c, report.summary, final_id, report.published_at),
        )
    elif report.final is not None:
        c.final_document_id = final_id  # the adopted text may be named before the report
    if c.status == "reported":
        # A report loaded as already published was announced back then; nobody is to be told again.
        for comment in comments.values():
            comment.notified_at = c.report_published_at
    return c


def _step(src: Source, key: str, action: Any) -> Any:
    """Run a service step; its refusal becomes this file's error at the line of its field (else ``key``)."""
    try:
        return action()
    except service.ConsultationError as exc:
        field = KEYS.get(exc.field, exc.field)
        raise src.fail(field if field in src.lines else key, exc.en) from None


def _apply_comments(sess: Session, src: Source, c: Consultation) -> dict[str, Comment]:
    """Comments are upserted by their receipt code (citizens' stay untouched), under the rules of a comment
    staff enter, then moderated as the file says."""
    items = src.meta.get("comments") or []
    if not isinstance(items, list):
        raise src.fail("comments", "'comments' must be a list")
    if items and c.status == "draft":
        raise src.fail("comments", "a draft consultation has no comments yet: publish it ('status') first")
    clauses = {cl.label: cl.number for cl in c.clauses if cl.label}
    codes: dict[str, Comment] = {}
    for position, item in enumerate(items):
        where = f"comment {position + 1}"
        if not isinstance(item, dict) or not item.get("receipt") or not item.get("body"):
            raise src.fail("comments", f"{where} needs 'receipt' and 'body'")
        code = str(item["receipt"]).strip().upper()
        label = str(item.get("clause") or "").strip()
        if label and label not in clauses:
            raise src.fail("comments", f"{where}: the draft has no clause '{label}'")
        data = service.CommentInput(
            body=str(item["body"]).strip(),
            idempotency_key=f"content-{c.slug}-{code}"[:64],
            clause_number=clauses[label] if label else None,
            name=str(item.get("name") or "").strip(),
            contact=str(item.get("contact") or "").strip(),
            consent=bool(item.get("consent", False)),
            channel=_choice(src, "comments", item.get("channel") or "online", CHANNELS, where),
        )
        try:
            clause_id = service.check_comment(sess, c, data)
        except service.ConsultationError as exc:
            raise src.fail("comments", f"{where}: {exc.en}") from None
        day = _date_of(src, "comments", item.get("received_on"), c.opens_on, where)
        comment = _write_comment(sess, src, c, code, data, clause_id, day, where)
        codes[code] = comment
        _moderate(sess, src, c, comment, item, codes, where)
    sess.flush()
    return codes


def _write_comment(
    sess: Session,
    src: Source,
    c: Consultation,
    code: str,
    data: service.CommentInput,
    clause_id: int | None,
    day: date,
    where: str,
) -> Comment:
    comment = sess.scalars(select(Comment).where(Comment.receipt_code == code)).first()
    if comment is not None and comment.consultation_id != c.id:
        raise src.fail("comments", f"{where}: receipt {code} belongs to another consultation")
    values = {
        "clause_id": clause_id,
        "body": data.body,
        "name": data.name,
        "contact": data.contact,
        "consent": data.consent,
        "channel": data.channel,
        "received_at": datetime(day.year, day.month, day.day, 2, tzinfo=UTC),
    }
    if comment is None:
        comment = Comment(
            receipt_code=code, idempotency_key=data.idempotency_key, consultation_id=c.id, **values
        )
        sess.add(comment)
        record(sess, CONTENT, "comment.enter", c, after={"channel": data.channel}, note=code)
    elif any(getattr(comment, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(comment, k, v)
        record(sess, CONTENT, "comment.update", c, note=code)
    sess.flush()
    return comment


def _moderate(
    sess: Session,
    src: Source,
    c: Consultation,
    comment: Comment,
    item: dict[str, Any],
    codes: dict[str, Comment],
    where: str,
) -> None:
    state = _choice(src, "comments", item.get("moderation") or "published", MODERATION, where)
    reason = str(item.get("reason") or "").strip()
    dup = str(item.get("duplicate_of") or "").strip().upper()
    if dup and dup not in codes:
        raise src.fail("comments", f"{where}: duplicate_of '{dup}' must name an earlier comment")
    original = codes.get(dup) if dup else None
    if state == "pending" or (state, comment.moderation_reason, comment.duplicate_of_id) == (
        comment.moderation,
        reason if state != "published" else "",
        original.id if original else None,
    ):
        return
    try:
        service.moderate_comments(sess, CONTENT, c, [comment], MODERATION_ACTION[state], reason, original)
    except service.ConsultationError as exc:
        raise src.fail("comments", f"{where}: {exc.en}") from None


def _apply_feedback(sess: Session, src: Source, c: Consultation, codes: dict[str, Comment]) -> None:
    """Viewpoints (replaced when the file changed them) and the dispositions of the file's comments."""
    viewpoints_in = src.meta.get("viewpoints") or []
    comments_in = src.meta.get("comments") or []
    if not isinstance(viewpoints_in, list):
        raise src.fail("viewpoints", "'viewpoints' must be a list")
    wanted = []
    for position, item in enumerate(viewpoints_in):
        if not isinstance(item, dict) or not item.get("key") or not item.get("summary"):
            raise src.fail("viewpoints", f"viewpoint {position + 1} needs 'key' and 'summary'")
        disposition = _choice(
            src, "viewpoints", item.get("disposition"), DISPOSITIONS, f"viewpoint {item['key']}"
        )
        wanted.append(
            (
                str(item["key"]),
                str(item["summary"]).strip(),
                disposition,
                str(item.get("reason") or "").strip(),
            )
        )
    by_key = _viewpoints(sess, src, c, wanted)
    rows = []
    for position, item in enumerate(comments_in):
        where = f"comment {position + 1}"
        disposition = _choice(
            src, "comments", item.get("disposition") or "", DISPOSITIONS, where, optional=True
        )
        vp_key = str(item.get("viewpoint") or "")
        if vp_key and vp_key not in by_key:
            raise src.fail("comments", f"{where}: unknown viewpoint '{vp_key}'")
        if disposition or vp_key:
            comment = codes[str(item["receipt"]).strip().upper()]
            rows.append(
                service.DispositionRow(
                    comment_id=comment.id,
                    disposition=disposition,
                    reason=str(item.get("disposition_reason") or "").strip(),
                    viewpoint_id=by_key[vp_key].id if vp_key else None,
                )
            )
    if rows:
        _step(src, "comments", lambda: service.answer_comments(sess, CONTENT, c, rows))


def _viewpoints(
    sess: Session, src: Source, c: Consultation, wanted: list[tuple[str, str, str, str]]
) -> dict[str, Viewpoint]:
    """The file's viewpoints by key: the existing ones when unchanged, else replaced through the service."""
    current = [(v.summary, v.disposition, v.reason) for v in c.viewpoints]
    if current == [w[1:] for w in wanted]:
        return {key: vp for (key, *_rest), vp in zip(wanted, c.viewpoints, strict=True)}
    for viewpoint in list(c.viewpoints):
        for comment in viewpoint.comments:
            comment.viewpoint = None
        sess.delete(viewpoint)
    c.viewpoints.clear()
    sess.flush()
    out = {}
    for key, summary, disposition, reason in wanted:
        out[key] = _step(
            src,
            "viewpoints",
            lambda s=summary, d=disposition, r=reason, k=key: service.new_viewpoint(
                sess, CONTENT, c, s, d, r, f"viewpoint {k}"
            ),
        )
    return out


def load_consultations(sess: Session, directory: Path, report: LoadReport) -> None:
    def write(src: Source, c: Consultation | None) -> Consultation:
        return _step(src, "title", lambda: apply_consultation(sess, src, c))

    load_files(sess, report, "consultation", sorted(directory.glob("*.md")), Consultation, write)

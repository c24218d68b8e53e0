"""Loading ``content/policies/*.md`` and ``content/interpretations/*.md`` through the staff area's services.

A content file is read into the staff form's values (:class:`~portal.services.editing.DocumentForm`,
:class:`~portal.services.editing.InterpretationForm`), checked by the shared field rules
(:mod:`portal.services.fields`), written by the same functions as a staff edit
(:func:`~portal.services.editing.write_document`: audit, and a version of a published item that changed)
and published by the workflow (:func:`~portal.services.publishing.publish_content`: 三同步, personal data,
registration and 索引号, subscription and search events), all as the system actor ``content``.

One policy file and the interpretation files that name it load together, in one savepoint: they go public
together (三同步), and a refusal of any of them loads none of them and names the file and field at fault.
Interpretations of a document loaded earlier (no policy file in this load) load on their own afterwards.

A file whose bytes did not change since its last load is skipped: a reload of unchanged content writes
nothing. A changed file wins over an edit staff made on the site since the last load; the change of a
published item becomes a new version (更新记录), so the staff edit stays in its history. The workflow
state staff set is kept: a document withdrawn on the site is not published again by a reload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Document, DocumentLink, Interpretation
from portal.models.interpretations import FORMS
from portal.search import refresh_after_commit
from portal.services import editing, fields, publishing
from portal.services.audit import record
from portal.services.documents import DISCLOSURE_INPUT, VALIDITY_INPUT
from portal.services.loader import (
    ContentError,
    LoadReport,
    Source,
    _disclosure_category,
    _owner,
    find_agency,
    read_source,
)
from portal.services.publishing import CONTENT, PublishRequest, WorkflowError

# The states a content file may ask for; review is done where the file is kept (the repository).
FILE_STATUS = {
    **{s: s for s in ("draft", "published", "withdrawn")},
    **{"草稿": "draft", "已发布": "published", "已撤回": "withdrawn"},
}
CHANGE_NOTE = "依内容文件更新"  # the 更新记录 note of a reload that changed a published item


@dataclass
class _Bundle:
    """A policy file with the interpretation files that name it."""

    src: Source
    interpretations: list[Source] = field(default_factory=list)


def _status(src: Source) -> str:
    return src.choice("status", FILE_STATUS, "published")


def _published_on(src: Source) -> datetime | None:
    return src.datetime("published_on")


# -- documents --------------------------------------------------------------------------------------


def document_form(sess: Session, src: Source, doc: Document | None) -> tuple[editing.DocumentForm, int]:
    """A policy file as the staff form's checked values, and the id of its owner (维护部门)."""
    from portal.services.loader import _check_facet_values

    m = src.meta
    doc_id = doc.id if doc is not None else None
    title = src.text("title")
    src.check(fields.check_title, title)
    _check_facet_values(src)
    form = editing.DocumentForm(
        title=title,
        slug=src.path.stem,
        index_no=src.text("index_no"),
        doc_number=src.text("doc_number"),  # as the file writes it; its key is the canonical form
        written_on=src.check(fields.parse_date, m.get("written_on"), "written_on", "成文日期"),
        genre=src.text("genre"),
        topics=src.str_list("topics"),
        normative=bool(m.get("normative", False)),
        registration_no=src.text("registration_no"),
        disclosure=src.choice("disclosure", DISCLOSURE_INPUT, "active"),
        disclosure_reason=src.text("disclosure_reason"),
        disclosure_category=_disclosure_category(sess, src),
        source=src.text("source"),
        body_md=src.body,
        change_note=src.text("change_note") or CHANGE_NOTE,
    )
    src.check(fields.check_disclosure, form.disclosure, form.disclosure_reason, key="disclosure")
    agency_key = "agencies" if "agencies" in m else "agency"
    refs = src.str_list("agencies") or src.str_list("agency")
    if not refs:
        raise src.fail("agency", "missing required field 'agency'")
    agencies = []
    for ref in refs:
        agency = find_agency(sess, ref)
        if agency is None:
            raise src.fail(agency_key, f"unknown agency '{ref}'")
        if agency not in agencies:
            agencies.append(agency)
    form.issuers = [(a.id, a.name) for a in agencies]
    owner = _owner(sess, src, agencies)
    form.measures = _measures(src)
    _number_rules(sess, src, form, doc_id)
    # The format only: the test corpora give many files one 文号 (the staff form also refuses a number
    # another document has). Last, so that a file's own problems are reported first.
    src.check(lambda: fields.check_doc_number(sess, form.doc_number, doc_id, unique=False))
    src.check(fields.check_slug, src.path.stem, key="title")
    return form, owner.id


def _measures(src: Source) -> list[editing.MeasureRow]:
    items = src.meta.get("measures") or []
    if not isinstance(items, list):
        raise src.fail("measures", "'measures' must be a list")
    rows = []
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("text"):
            raise src.fail("measures", f"measure {position + 1} needs at least 'no' and 'text'")
        status = str(item.get("status") or "pending")
        src.check(fields.check_measure_status, status, position + 1, str(item.get("no") or ""))
        rows.append(
            editing.MeasureRow(
                no=str(item.get("no") or position + 1),
                text=str(item["text"]).strip(),
                lead=[str(u) for u in item.get("lead") or []],
                units=[str(u) for u in item.get("units") or []],
                status=status,
            )
        )
    return rows


def _number_rules(sess: Session, src: Source, form: editing.DocumentForm, doc_id: int | None) -> None:
    """索引号 format and uniqueness (NORMS 5); a normative document's registration number (NORMS 9),
    required when the file publishes it — the staff form's rule."""
    from portal.services.compliance import RuleProblem
    from portal.services.compliance.index_no import check_index_no
    from portal.services.compliance.normative import check_registration_no

    try:
        check_index_no(sess, form.index_no, doc_id)
        if form.normative:
            required = _status(src) != "draft"
            check_registration_no(sess, form.registration_no, doc_id, required=required)
    except RuleProblem as problem:
        # The line of the field, or of "normative" when the number is missing altogether.
        raise src.fail(problem.field if problem.field in src.lines else "normative", problem.en) from None


def _check_state(src: Source, item: Document | Interpretation | None, wanted: str) -> None:
    """What a reload may not do to the workflow state an item has on the site."""
    if item is not None and item.status == "withdrawn" and wanted == "published":
        raise src.fail(
            "status",
            f"'{src.path.stem}' was withdrawn on the site ({item.withdrawn_reason or 'no reason'}); a reload does "
            "not publish it again: reopen it in the staff area, or mark the file 'status: withdrawn'",
        )
    if item is not None and item.published_at is not None and wanted == "draft":
        raise src.fail(
            "status",
            f"'{src.path.stem}' has been published: it cannot go back to draft; withdraw it with "
            "'status: withdrawn' and a 'withdrawn_reason'",
        )
    if wanted == "withdrawn" and not src.text("withdrawn_reason"):
        raise src.fail("status", "a withdrawn item needs a 'withdrawn_reason' (shown on its public page)")


def _write_document(sess: Session, src: Source, doc: Document | None) -> Document:
    form, owner_id = document_form(sess, src, doc)
    _check_state(src, doc, _status(src))
    doc = editing.write_document(sess, CONTENT, form, doc, owner_id)
    validity = src.choice("validity", VALIDITY_INPUT, "valid")
    # When a repeal or expiry took effect (report table 2 counts 废止 by it); a repealing document in the
    # content gives it otherwise (link_document).
    since = src.date("validity_since") if validity != "valid" else None
    if (doc.validity, doc.validity_since) != (validity, since):
        before = {"validity": doc.validity, "since": _iso(doc.validity_since)}
        doc.validity, doc.validity_since = validity, since
        after = {"validity": validity, "since": _iso(since)}
        record(sess, CONTENT, "document.validity", doc, before=before, after=after, note=str(src.path))
    doc.content_hash = src.digest
    return doc


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


# -- interpretations --------------------------------------------------------------------------------


def interpretation_form(sess: Session, src: Source, document: Document) -> editing.InterpretationForm:
    title = src.text("title")
    src.check(fields.check_title, title)
    form = editing.InterpretationForm(
        title=title,
        slug=src.path.stem,
        document_id=document.id,
        form=src.choice("form", {**{k: k for k in FORMS}, **{v: k for k, v in FORMS.items()}}, "qa"),
        interpreter=src.text("interpreter"),
        interpreted_on=src.check(
            fields.parse_date, src.meta.get("interpreted_on"), "interpreted_on", "解读日期"
        ),
        body_md=src.body,
        media_url=src.text("media_url"),
        change_note=src.text("change_note") or CHANGE_NOTE,
    )
    agency_ref = src.text("agency")
    if agency_ref:
        agency = find_agency(sess, agency_ref)
        if agency is None:
            raise src.fail("agency", f"unknown agency '{agency_ref}'")
        form.agency_id = agency.id
    src.check(fields.check_media_url, form.media_url)
    items = src.meta.get("qa") or []
    if not isinstance(items, list):
        raise src.fail("qa", "'qa' must be a list of {q, a}")
    if form.form == "qa" and not items:
        raise src.fail("qa", "a Q&A interpretation needs at least one item under 'qa'")
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("q") or not item.get("a"):
            raise src.fail("qa", f"Q&A item {position + 1} needs both 'q' and 'a'")
        form.items.append(editing.QARow(str(item["q"]).strip(), str(item["a"]).strip()))
    src.check(fields.check_slug, src.path.stem, key="title")
    return form


def _document_of(sess: Session, src: Source) -> Document:
    slug = str(src.require("document")).strip()
    document = sess.scalars(select(Document).where(Document.slug == slug)).first()
    if document is None:
        raise src.fail("document", f"'document' refers to unknown document '{slug}'")
    return document


def _write_interpretation(sess: Session, src: Source, interp: Interpretation | None) -> Interpretation:
    document = _document_of(sess, src)
    if interp is not None and interp.document_id != document.id:
        raise src.fail("document", "an interpretation stays with its document: 'document' cannot change")
    form = interpretation_form(sess, src, document)
    _check_state(src, interp, _status(src))
    if interp is None:
        interp = Interpretation(slug=src.path.stem, status="draft", title=form.title, document=document)
    interp = editing.write_interpretation(sess, CONTENT, form, interp)
    interp.content_hash = src.digest
    return interp


# -- publication ------------------------------------------------------------------------------------


def _publish(
    sess: Session, item: Document | Interpretation, src: Source, dates: dict[int, datetime | None]
) -> None:
    """Publish or withdraw ``item`` as its file says, through the workflow."""
    wanted = _status(src)
    if wanted == "draft" or item.status == "published" and wanted == "published":
        return
    if item.status == "withdrawn":
        return  # _check_state refused a republication; a withdrawn file leaves it withdrawn
    if item.status != "published":
        req = PublishRequest(waiver_reason=src.text("sync_waiver"))
        publishing.publish_content(sess, item, req, lambda i: dates.get(id(i)))
    if wanted == "withdrawn":
        publishing.withdraw(sess, CONTENT, item, src.text("withdrawn_reason"))


def _privacy_culprit(items: list[tuple[Source, Document | Interpretation]]) -> Source:
    for src, item in items:
        if publishing.privacy_hits(item):
            return src
    return items[0][0]


# -- the load ---------------------------------------------------------------------------------------


def _read(path: Path, report: LoadReport) -> Source | None:
    try:
        return read_source(path)
    except ContentError as exc:
        report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
        return None


def load_library(sess: Session, directory: Path, report: LoadReport) -> None:
    """Load ``policies/`` with the interpretations of ``interpretations/`` beside it that name them, then
    the interpretations of documents loaded before, then the amend and repeal links."""
    interp_dir = directory.parent / "interpretations"
    interp_srcs = [s for p in sorted(interp_dir.glob("*.md")) if (s := _read(p, report)) is not None]
    bundles: dict[str, _Bundle] = {}
    for path in sorted(directory.glob("*.md")):
        src = _read(path, report)
        if src is not None:
            bundles[path.stem] = _Bundle(src)
    alone: list[Source] = []
    for isrc in interp_srcs:
        bundle = bundles.get(str(isrc.meta.get("document") or "").strip())
        (bundle.interpretations if bundle else alone).append(isrc)
    loaded = [(b.src, doc) for b in bundles.values() if (doc := _load_bundle(sess, b, report)) is not None]
    for isrc in alone:
        _load_bundle_of_one(sess, isrc, report)
    for src, doc in loaded:
        try:
            with sess.begin_nested():
                link_document(sess, src, doc)
        except ContentError as exc:
            report.errors.append(f"{src.path}:{exc.line or 1}: {exc.message}")


def _unchanged(obj: Document | Interpretation | None, src: Source) -> bool:
    return obj is not None and obj.content_hash == src.digest


def _load_bundle(sess: Session, bundle: _Bundle, report: LoadReport) -> Document | None:
    src = bundle.src
    doc = sess.scalars(select(Document).where(Document.slug == src.path.stem)).first()
    interps = [
        (isrc, sess.scalars(select(Interpretation).where(Interpretation.slug == isrc.path.stem)).first())
        for isrc in bundle.interpretations
    ]
    if _unchanged(doc, src) and all(_unchanged(i, s) for s, i in interps):
        report.unchanged += [
            f"document:{src.path.stem}",
            *(f"interpretation:{s.path.stem}" for s, _ in interps),
        ]
        return doc
    culprit = src
    written: list[tuple[Source, Document | Interpretation]] = []
    outcome: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}

    def note(kind: str, obj: object, src: Source) -> None:
        outcome["unchanged" if _unchanged(obj, src) else "updated" if obj else "created"].append(  # type: ignore[arg-type]
            f"{kind}:{src.path.stem}"
        )

    try:
        with sess.begin_nested():
            note("document", doc, src)
            if not _unchanged(doc, src):
                doc = _write_document(sess, src, doc)
            assert doc is not None
            written.append((src, doc))
            dates: dict[int, datetime | None] = {id(doc): _published_on(src)}
            goes_out = doc.status != "published" and _status(src) != "draft"
            for isrc, interp in interps:
                culprit = isrc
                note("interpretation", interp, isrc)
                if not _unchanged(interp, isrc):
                    interp = _write_interpretation(sess, isrc, interp)
                    # To go public with its document (三同步): approved by its file, published with it.
                    if goes_out and interp.status == "draft" and _status(isrc) != "draft":
                        publishing.approve_content(sess, interp)
                assert interp is not None
                written.append((isrc, interp))
                dates[id(interp)] = _published_on(isrc)
            for isrc, item in written:
                culprit = isrc
                _publish(sess, item, isrc, dates)
            sess.flush()
            refresh_after_commit(sess, *(item for _, item in written))
    except ContentError as exc:
        _report_failure(report, culprit, exc.line, exc.message, bundle)
        return None
    except WorkflowError as exc:
        if exc.code == "privacy":
            culprit = _privacy_culprit(written)
        line = culprit.lines.get(_RULE_KEYS.get(exc.code, "status"), 1)
        _report_failure(report, culprit, line, exc.en, bundle)
        return None
    report.created += outcome["created"]
    report.updated += outcome["updated"]
    report.unchanged += outcome["unchanged"]
    return doc


# The front-matter key a refusal of the workflow points at.
_RULE_KEYS = {
    "sync": "normative",
    "registration_no": "registration_no",
    "index_no": "index_no",
    "privacy": "title",
    "document": "document",
    "annual_report": "genre",
}


def _report_failure(
    report: LoadReport, culprit: Source, line: int | None, message: str, bundle: _Bundle
) -> None:
    report.errors.append(f"{culprit.path}:{line or 1}: {message}")
    others = [s for s in [bundle.src, *bundle.interpretations] if s is not culprit]
    if others:
        names = ", ".join(s.path.name for s in others)
        report.errors.append(
            f"{culprit.path}:1: not loaded with it: {names} (a document and its interpretations load together)"
        )


def _load_bundle_of_one(sess: Session, src: Source, report: LoadReport) -> None:
    """An interpretation of a document already on the site: written, then published if its file says so."""
    interp = sess.scalars(select(Interpretation).where(Interpretation.slug == src.path.stem)).first()
    if _unchanged(interp, src):
        report.unchanged.append(f"interpretation:{src.path.stem}")
        return
    is_new = interp is None
    try:
        with sess.begin_nested(), sess.no_autoflush:
            interp = _write_interpretation(sess, src, interp)
            _publish(sess, interp, src, {id(interp): _published_on(src)})
            sess.flush()
            refresh_after_commit(sess, interp)
    except ContentError as exc:
        report.errors.append(f"{src.path}:{exc.line or 1}: {exc.message}")
        return
    except WorkflowError as exc:
        report.errors.append(f"{src.path}:{src.lines.get(_RULE_KEYS.get(exc.code, 'status'), 1)}: {exc.en}")
        return
    (report.created if is_new else report.updated).append(f"interpretation:{src.path.stem}")


def link_document(sess: Session, src: Source, doc: Document) -> None:
    """Record which documents this one amends or repeals; run after every document of the load exists."""
    wanted: set[tuple[int, str]] = set()
    for kind in ("amends", "repeals"):
        for slug in src.str_list(kind):
            target = sess.scalars(select(Document).where(Document.slug == slug)).first()
            if target is None:
                raise src.fail(kind, f"'{kind}' refers to unknown document '{slug}'")
            wanted.add((target.id, kind))
    existing = {
        (link.target_id, link.kind): link
        for link in sess.scalars(select(DocumentLink).where(DocumentLink.source_id == doc.id))
    }
    if set(existing) == wanted:
        return  # nothing changed: write nothing, so that a second load is a no-op
    for key, link in existing.items():
        if key not in wanted:
            sess.delete(link)
    for target_id, kind in wanted - set(existing):
        sess.add(DocumentLink(source_id=doc.id, target_id=target_id, kind=kind))
        target = sess.get_one(Document, target_id)  # resolved from a slug above
        before = {"validity": target.validity}
        target.validity = "amended" if kind == "amends" else "repealed"
        if target.validity_since is None:
            from portal.services.compliance.normative import issued_on

            target.validity_since = issued_on(doc)
        after = {"validity": target.validity, "successor": doc.slug}
        record(sess, CONTENT, "document.validity", target, before=before, after=after, note=str(src.path))
        refresh_after_commit(sess, target)

"""Loading ``content/`` into the database: an idempotent upsert keyed by slug.

Each file is loaded in its own savepoint: a file with an error is reported with its name and line and
loads nothing, while the other files still load. A file whose bytes have not changed since its last load
is skipped, so loading twice changes nothing (not even ``updated_at``).

Areas add their own kinds of content by appending a :class:`ContentKind` to :data:`KINDS`; kinds load in
list order, so a kind may refer to records of the kinds before it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.ingest.markdown import render_markdown
from portal.models import (
    Agency,
    Document,
    DocumentAgency,
    DocumentLink,
    Interpretation,
    Measure,
    QAItem,
    Topic,
)
from portal.models.documents import MEASURE_STATUS, STATUS
from portal.models.interpretations import FORMS
from portal.search import refresh_after_commit
from portal.services.audit import record
from portal.services.documents import (
    DISCLOSURE_INPUT,
    VALIDITY_INPUT,
    is_valid_doc_number,
    normalize_doc_number,
    update_duplicate_keys,
)
from portal.services.facet_values import PROBLEMS, facet_value_problem

ACTOR = "loader"


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so that a bad date is reported by field and line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class ContentError(Exception):
    """A problem in one content file, located by line (1-based) where the line is known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "path:line: message"

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.errors)} with errors"
        )


@dataclass
class Source:
    """One parsed content file: front matter with the line of each key, and the Markdown body."""

    path: Path
    meta: dict[str, Any]
    lines: dict[str, int]
    body: str
    digest: str

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def fail(self, key: str, message: str) -> ContentError:
        return ContentError(message, self.line(key))

    def require(self, key: str) -> Any:
        value = self.meta.get(key)
        if value in (None, "", []):
            raise ContentError(f"missing required field '{key}'", self.lines.get(key, 1))
        return value

    def text(self, key: str, default: str = "") -> str:
        value = self.meta.get(key, default)
        return "" if value is None else str(value).strip()

    def date(self, key: str) -> date | None:
        value = self.meta.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise self.fail(key, f"bad date '{value}' in '{key}' (expected YYYY-MM-DD)") from None

    def datetime(self, key: str) -> datetime | None:
        value = self.meta.get(key)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        day = self.date(key)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None

    def choice(self, key: str, allowed: dict[str, str], default: str) -> str:
        value = self.text(key) or default
        if value not in allowed:
            raise self.fail(key, f"unknown {key} '{value}' (allowed: {', '.join(sorted(set(allowed)))})")
        return allowed[value]

    def str_list(self, key: str) -> list[str]:
        value = self.meta.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(key, f"'{key}' must be a list")
        return [str(v).strip() for v in value if str(v).strip()]


def read_source(path: Path) -> Source:
    """Parse a Markdown file with YAML front matter, or a plain YAML file, keeping key line numbers."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text ({exc.reason})") from None
    offset = 0
    if path.suffix in {".yml", ".yaml"}:
        meta_text, body = text, ""
    else:
        if not text.startswith("---"):
            raise ContentError("no front matter (the file must start with a '---' line)", 1)
        # python-frontmatter splits; the YAML is parsed here, to keep dates as text and line numbers.
        try:
            meta_text, body = YAMLHandler().split(text)
        except ValueError:
            raise ContentError("front matter is not closed by a '---' line", 1) from None
        offset = text[: text.find(meta_text)].count("\n")
    try:
        node = yaml.compose(meta_text, Loader=_Loader)
        meta = yaml.load(meta_text, Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + offset if mark else None
        raise ContentError(f"invalid YAML: {getattr(exc, 'problem', exc)}", line) from None
    if not isinstance(meta, dict):
        raise ContentError("front matter must be a mapping of fields", 1 + offset)
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1 + offset
    return Source(path=path, meta=meta, lines=lines, body=body, digest=digest)


# -- agencies ---------------------------------------------------------------------------------------


def find_agency(sess: Session, ref: str) -> Agency | None:
    """An agency by slug, full name or short name."""
    return sess.scalars(
        select(Agency).where((Agency.slug == ref) | (Agency.name == ref) | (Agency.short_name == ref))
    ).first()


# agencies.yml ``foi_office:`` keys → Agency columns (the 指南's office fields, NORMS 4).
FOI_OFFICE_KEYS = {
    "name": "foi_office_name",
    "address": "foi_address",
    "hours": "foi_hours",
    "phone": "foi_phone",
    "fax": "foi_fax",
    "email": "foi_email",
    "postal": "foi_postal",
}


def load_agencies(sess: Session, path: Path, report: LoadReport) -> None:
    try:
        src = read_source(path)
        entries = src.meta.get("agencies")
        if not isinstance(entries, list):
            raise ContentError("agencies.yml must hold a list under 'agencies'", 1)
        node = yaml.compose(path.read_text("utf-8"), Loader=_Loader)
        assert node is not None  # read_source found the list in it
        entry_lines = [item.start_mark.line + 1 for item in node.value[0][1].value]
    except ContentError as exc:
        report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
        return
    for position, (entry, line) in enumerate(zip(entries, entry_lines, strict=True)):
        label = f"{path}:{line}"
        if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("name"):
            report.errors.append(f"{label}: an agency needs 'slug' and 'name'")
            continue
        with sess.begin_nested():
            agency = sess.scalars(select(Agency).where(Agency.slug == entry["slug"])).first()
            parent = find_agency(sess, entry["parent"]) if entry.get("parent") else None
            if entry.get("parent") and parent is None:
                report.errors.append(f"{label}: unknown parent agency '{entry['parent']}'")
                continue
            values = {
                "name": str(entry["name"]),
                "short_name": str(entry.get("short_name") or ""),
                "kind": str(entry.get("kind") or "department"),
                "parent_id": parent.id if parent else None,
                "position": position,
                "external": bool(entry.get("external", False)),
                "needs_review": False,  # listed in agencies.yml: checked by whoever keeps the file
            }
            office = entry.get("foi_office") or {}
            if not isinstance(office, dict):
                report.errors.append(f"{label}: 'foi_office' must be a mapping of fields")
                continue
            unknown = sorted(set(office) - set(FOI_OFFICE_KEYS))
            if unknown:
                report.errors.append(
                    f"{label}: unknown foi_office field '{unknown[0]}' (allowed: {', '.join(FOI_OFFICE_KEYS)})"
                )
                continue
            # Only the fields the file gives: an admin's edit of the others in the staff area stays.
            values.update({FOI_OFFICE_KEYS[k]: str(v or "").strip() for k, v in office.items()})
            if agency is None:
                agency = Agency(slug=str(entry["slug"]), **values)
                sess.add(agency)
                sess.flush()
                record(sess, ACTOR, "agency.create", agency, after=values)
                report.created.append(f"agency:{agency.slug}")
            elif any(getattr(agency, k) != v for k, v in values.items()):
                before = {k: getattr(agency, k) for k in values}
                for k, v in values.items():
                    setattr(agency, k, v)
                record(sess, ACTOR, "agency.update", agency, before=before, after=values)
                report.updated.append(f"agency:{agency.slug}")
            else:
                report.unchanged.append(f"agency:{agency.slug}")


# -- documents --------------------------------------------------------------------------------------


def _topics(sess: Session, names: list[str]) -> list[Topic]:
    topics = []
    for name in names:
        topic = sess.scalars(select(Topic).where(Topic.name == name)).first()
        if topic is None:
            topic = Topic(name=name)
            sess.add(topic)
        topics.append(topic)
    return topics


def _check_facet_values(src: Source) -> None:
    """Refuse a genre or topic that could not be a path segment of the site (see facet_values)."""
    for key, values in (("genre", [src.text("genre")]), ("topics", src.str_list("topics"))):
        for value in values:
            if value and (problem := facet_value_problem(value)):
                raise src.fail(key, f"{key} value {value!r} {PROBLEMS[problem][0]}")


def apply_document(sess: Session, src: Source, doc: Document) -> None:
    """Copy a policy file's fields onto ``doc``, validating as it goes."""
    m = src.meta
    _check_facet_values(src)
    doc.title = str(src.require("title")).strip()
    doc.index_no = src.text("index_no") or doc.index_no  # a number given on an earlier load is kept
    doc.doc_number = src.text("doc_number")
    if doc.doc_number and not is_valid_doc_number(doc.doc_number):
        raise src.fail("doc_number", f"bad doc_number '{doc.doc_number}' (expected e.g. 西政发〔2020〕4号)")
    doc.doc_number_key = normalize_doc_number(doc.doc_number)
    doc.written_on = src.date("written_on")
    doc.genre = src.text("genre")
    doc.normative = bool(m.get("normative", False))
    doc.registration_no = src.text("registration_no")
    doc.validity = src.choice("validity", VALIDITY_INPUT, "valid")
    # When a repeal or expiry took effect (report table 2 counts 废止 by it); a repealing document in the
    # content gives it otherwise (link_document).
    doc.validity_since = src.date("validity_since") if doc.validity != "valid" else None
    doc.disclosure = src.choice("disclosure", DISCLOSURE_INPUT, "active")
    doc.disclosure_reason = src.text("disclosure_reason")
    doc.disclosure_category = _disclosure_category(sess, src)
    if doc.disclosure != "active" and not doc.disclosure_reason:
        raise src.fail("disclosure", "a disclosure_reason is required unless disclosure is active (主动公开)")
    doc.status = src.choice("status", {k: k for k in STATUS}, "published")
    doc.withdrawn_reason = src.text("withdrawn_reason")
    doc.source = src.text("source")
    # The publication date is set once, at first publication, and never moves afterwards.
    published_on = src.datetime("published_on")
    if doc.status == "published" and doc.published_at is None:
        doc.published_at = published_on or datetime.now(UTC)

    agency_refs = src.str_list("agencies") or src.str_list("agency")
    if not agency_refs:
        raise src.fail("agency", "missing required field 'agency'")
    agencies = []
    for ref in agency_refs:
        agency = find_agency(sess, ref)
        if agency is None:
            raise src.fail("agencies" if "agencies" in m else "agency", f"unknown agency '{ref}'")
        agencies.append(agency)
    doc.issuers = [DocumentAgency(agency=a, agency_id=a.id, position=i) for i, a in enumerate(agencies)]
    doc.owner = _owner(sess, src, agencies)
    doc.topics = _topics(sess, src.str_list("topics"))

    measures = m.get("measures") or []
    if not isinstance(measures, list):
        raise src.fail("measures", "'measures' must be a list")
    doc.measures.clear()
    for position, item in enumerate(measures):
        if not isinstance(item, dict) or not item.get("text"):
            raise src.fail("measures", f"measure {position + 1} needs at least 'no' and 'text'")
        status = str(item.get("status") or "pending")
        if status not in MEASURE_STATUS:
            raise src.fail("measures", f"measure {item.get('no')}: unknown status '{status}'")
        doc.measures.append(
            Measure(
                position=position,
                no=str(item.get("no") or position + 1),
                text=str(item["text"]).strip(),
                units=[str(u) for u in item.get("units") or []],
                lead=[str(u) for u in item.get("lead") or []],
                status=status,
            )
        )
    doc.body_md = src.body
    doc.body_html = render_markdown(src.body)
    update_duplicate_keys(doc)
    _check_rules(sess, src, doc)


def _disclosure_category(sess: Session, src: Source) -> str:
    from portal.services.xxgk.content import category_of  # builds on this module: bound late

    return category_of(sess, src, "disclosure_category")


def _owner(sess: Session, src: Source, issuers: list[Agency]) -> Agency:
    """The agency that maintains a document on the portal: ``owner``, else its first issuer that is a
    district body (files written before ``owner`` existed load as they did), else the district
    government (the first ``government`` agency that is not external), as for a text ``portal import``
    wrote from another authority's document."""
    ref = src.text("owner")
    if ref:
        owner = find_agency(sess, ref)
        if owner is None:
            raise src.fail("owner", f"unknown agency '{ref}' in 'owner'")
        if owner.external:
            raise src.fail("owner", f"'owner' must be a district agency, not the external '{ref}'")
        return owner
    for agency in issuers:
        if not agency.external:
            return agency
    government = sess.scalars(
        select(Agency)
        .where(Agency.kind == "government", Agency.external.is_(False))
        .order_by(Agency.position, Agency.id)
    ).first()
    if government is not None:
        return government
    raise src.fail(
        "agencies" if "agencies" in src.meta else "agency",
        "every issuer is external and no district government is listed: add 'owner', the district "
        "agency that maintains the document",
    )


def _check_rules(sess: Session, src: Source, doc: Document) -> None:
    """The library's rules, as at publication: the registration number of a normative document (NORMS 9)
    and the 索引号 format and uniqueness (NORMS 5); an empty 索引号 is given the next serial."""
    from portal.services.compliance import RuleProblem
    from portal.services.compliance.index_no import assign_index_no, check_index_no
    from portal.services.compliance.normative import check_registration

    try:
        check_registration(sess, doc)
        check_index_no(sess, doc.index_no, doc.id)
    except RuleProblem as problem:
        # The line of the field, or of "normative" when the number is missing altogether.
        raise src.fail(problem.field if problem.field in src.lines else "normative", problem.en) from None
    if not doc.index_no:
        assign_index_no(sess, doc)


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
        target = sess.get_one(Document, target_id)  # resolved from a slug or 文号 above
        target.validity = "amended" if kind == "amends" else "repealed"
        if target.validity_since is None:
            from portal.services.compliance.normative import issued_on

            target.validity_since = issued_on(doc)
        refresh_after_commit(sess, target)


def _snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


DOCUMENT_AUDIT_FIELDS = (
    "title",
    "doc_number",
    "written_on",
    "status",
    "validity",
    "disclosure",
    "disclosure_category",
    "normative",
)


def _upsert_files(
    sess: Session,
    paths: list[Path],
    model: type[Any],  # Document, Interpretation, GazetteIssue, Consultation: each has slug, content_hash
    apply: Callable[[Session, Source, Any], None],
    action: str,
    report: LoadReport,
) -> list[tuple[Source, Any]]:
    """Upsert each file into ``model`` by slug; return the (source, record) pairs that loaded."""
    loaded = []
    for path in paths:
        slug = path.stem
        try:
            src = read_source(path)
        except ContentError as exc:
            report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
            continue
        obj = sess.scalars(select(model).where(model.slug == slug)).first()
        if obj is not None and obj.content_hash == src.digest:
            report.unchanged.append(f"{action}:{slug}")
            loaded.append((src, obj))
            continue
        try:
            with sess.begin_nested():
                is_new = obj is None
                before = (
                    None
                    if obj is None
                    else _snapshot(obj, DOCUMENT_AUDIT_FIELDS if model is Document else ("title",))
                )
                if obj is None:
                    obj = model(slug=slug)
                # No autoflush: a half-applied record must never reach the database, even in a savepoint.
                with sess.no_autoflush:
                    apply(sess, src, obj)
                obj.content_hash = src.digest
                sess.add(obj)
                sess.flush()
                after = _snapshot(obj, DOCUMENT_AUDIT_FIELDS if model is Document else ("title", "status"))
                record(
                    sess,
                    ACTOR,
                    f"{action}.{'create' if is_new else 'update'}",
                    obj,
                    before=before,
                    after=after,
                    note=str(path),
                )
        except ContentError as exc:
            report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
            continue
        (report.created if is_new else report.updated).append(f"{action}:{slug}")
        refresh_after_commit(sess, obj)
        loaded.append((src, obj))
    return loaded


def load_documents(sess: Session, directory: Path, report: LoadReport) -> None:
    loaded = _upsert_files(sess, sorted(directory.glob("*.md")), Document, apply_document, "document", report)
    for src, doc in loaded:
        try:
            with sess.begin_nested():
                link_document(sess, src, doc)
        except ContentError as exc:
            report.errors.append(f"{src.path}:{exc.line or 1}: {exc.message}")


# -- interpretations --------------------------------------------------------------------------------


def apply_interpretation(sess: Session, src: Source, interp: Interpretation) -> None:
    interp.title = str(src.require("title")).strip()
    slug = str(src.require("document")).strip()
    document = sess.scalars(select(Document).where(Document.slug == slug)).first()
    if document is None:
        raise src.fail("document", f"'document' refers to unknown document '{slug}'")
    interp.document = document
    interp.form = src.choice("form", {**{k: k for k in FORMS}, **{v: k for k, v in FORMS.items()}}, "qa")
    interp.interpreter = src.text("interpreter")
    agency_ref = src.text("agency")
    interp.agency = None
    if agency_ref:
        interp.agency = find_agency(sess, agency_ref)
        if interp.agency is None:
            raise src.fail("agency", f"unknown agency '{agency_ref}'")
    interp.interpreted_on = src.date("interpreted_on")
    interp.status = src.choice("status", {k: k for k in STATUS}, "published")
    interp.media_url = src.text("media_url")
    if interp.status == "published" and interp.published_at is None:
        interp.published_at = src.datetime("published_on") or datetime.now(UTC)
    items = src.meta.get("qa") or []
    if not isinstance(items, list):
        raise src.fail("qa", "'qa' must be a list of {q, a}")
    if interp.form == "qa" and not items:
        raise src.fail("qa", "a Q&A interpretation needs at least one item under 'qa'")
    interp.items.clear()
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("q") or not item.get("a"):
            raise src.fail("qa", f"Q&A item {position + 1} needs both 'q' and 'a'")
        answer = str(item["a"]).strip()
        interp.items.append(
            QAItem(
                position=position,
                question=str(item["q"]).strip(),
                answer_md=answer,
                answer_html=render_markdown(answer),
            )
        )
    interp.body_md = src.body
    interp.body_html = render_markdown(src.body)


def load_interpretations(sess: Session, directory: Path, report: LoadReport) -> None:
    _upsert_files(
        sess, sorted(directory.glob("*.md")), Interpretation, apply_interpretation, "interpretation", report
    )


# -- the kinds, in load order -----------------------------------------------------------------------


def _load_gazette(sess: Session, directory: Path, report: LoadReport) -> None:
    from portal.services.loader.gazette import load_gazette  # imported late: that module builds on this one

    load_gazette(sess, directory, report)


@dataclass(frozen=True)
class ContentKind:
    name: str
    path: str  # relative to the content directory: a file or a folder
    load: Callable[[Session, Path, LoadReport], None]


def _load_targets(sess: Session, path: Path, report: LoadReport) -> None:
    from portal.services.loader.registers import load_targets  # imports this module: bound late

    load_targets(sess, path, report)


def _load_meetings(sess: Session, path: Path, report: LoadReport) -> None:
    from portal.services.loader.registers import load_meetings

    load_meetings(sess, path, report)


def _load_consultations(sess: Session, path: Path, report: LoadReport) -> None:
    from portal.services.loader.consultations import load_consultations  # imports this module: bound late

    load_consultations(sess, path, report)


def _load_foi(sess: Session, path: Path, report: LoadReport) -> None:
    from flask import current_app, has_app_context

    from portal.services.foi.content import load_requests  # the service does every write

    secret = current_app.config["SECRET_KEY"] if has_app_context() else ""
    created, unchanged, errors = load_requests(sess, path, secret)
    report.created += created
    report.unchanged += unchanged
    report.errors += errors


def _load_enquiries(sess: Session, path: Path, report: LoadReport) -> None:
    from flask import current_app, has_app_context

    from portal.services.enquiries.content import load_messages  # the service does every write

    secret = current_app.config["SECRET_KEY"] if has_app_context() else ""
    created, unchanged, errors = load_messages(sess, path, secret)
    report.created += created
    report.unchanged += unchanged
    report.errors += errors


def _load_annual_reports(sess: Session, path: Path, report: LoadReport) -> None:
    from portal.services.annual_reports.content import load_reports  # the service does every write

    created, unchanged, errors = load_reports(sess, path)
    report.created += created
    report.unchanged += unchanged
    report.errors += errors


def _load_categories(sess: Session, path: Path, report: LoadReport) -> None:
    from portal.services.xxgk.content import load_categories  # imports this module: bound late

    load_categories(sess, path, report)


def _load_info_pages(sess: Session, path: Path, report: LoadReport) -> None:
    from portal.services.xxgk.content import load_pages

    load_pages(sess, path, report)


KINDS: list[ContentKind] = [
    ContentKind("agencies", "agencies.yml", load_agencies),
    # Before the policies: a document names its disclosure category, which may be a district one.
    ContentKind("disclosure categories", "xxgk/categories.yml", _load_categories),
    ContentKind("policies", "policies", load_documents),
    ContentKind("interpretations", "interpretations", load_interpretations),
    ContentKind("gazette", "gazette", _load_gazette),
    ContentKind("targets", "targets.yml", _load_targets),
    ContentKind("meetings", "meetings", _load_meetings),
    ContentKind("consultations", "consultations", _load_consultations),
    ContentKind("foi", "foi", _load_foi),
    ContentKind("enquiries", "enquiries", _load_enquiries),
    ContentKind("annual_reports", "annual_reports", _load_annual_reports),  # after what it counts
    ContentKind("information pages", "xxgk/pages", _load_info_pages),
]


def load_content(sess: Session, directory: Path) -> LoadReport:
    """Load every kind of content found under ``directory`` and commit what loaded cleanly."""
    report = LoadReport()
    if not directory.is_dir():
        report.errors.append(f"{directory}: no such content directory")
        return report
    for kind in KINDS:
        target = directory / kind.path
        if target.exists():
            kind.load(sess, target, report)
    sess.commit()
    return report

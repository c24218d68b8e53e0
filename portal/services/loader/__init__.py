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

from portal.models import Agency
from portal.services import fields
from portal.services.refusals import Refused

# Every write of the loader is audited as this system actor (the services take a user or such a name).
ACTOR = "content"


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

    def check(
        self, rule: Callable[..., Any], *args: Any, key: str = "", keys: dict[str, str] | None = None
    ) -> Any:
        """Run one of the shared field rules (:mod:`portal.services.fields`, the staff forms' too) or a
        service's write that checks a whole record (:class:`~portal.services.refusals.Refused`); a refusal
        becomes this file's error in English, at the line of ``key``, else of the file key that ``keys``
        maps the rule's field to, else of the field."""
        try:
            return rule(*args)
        except (fields.RuleProblem, Refused) as exc:
            problem = exc.first if isinstance(exc, Refused) else exc
            raise self.fail(key or (keys or {}).get(problem.field, problem.field), problem.en) from None

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


def load_files(
    sess: Session,
    report: LoadReport,
    kind: str,
    paths: Iterable[Path],
    model: Any,
    write: Callable[[Source, Any], Any],
) -> None:
    """Each file of one kind, found by its slug (the file name): a file unchanged since it was last loaded
    is left alone; any other is written by ``write`` (through its area's services) in a savepoint of its
    own, so a refused file leaves nothing half-written and is reported, and the others still load."""
    for path in paths:
        label = f"{kind}:{path.stem}"
        try:
            src = read_source(path)
            item = sess.scalars(select(model).where(model.slug == path.stem)).first()
            if item is not None and item.content_hash == src.digest:
                report.unchanged.append(label)
                continue
            with sess.begin_nested():
                written = write(src, item)
                written.content_hash = src.digest
                sess.flush()
        except ContentError as exc:
            report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
            continue
        (report.created if item is None else report.updated).append(label)


def find_agency(sess: Session, ref: str) -> Agency | None:
    """An agency by slug, full name or short name."""
    return sess.scalars(
        select(Agency).where((Agency.slug == ref) | (Agency.name == ref) | (Agency.short_name == ref))
    ).first()


def load_agencies(sess: Session, path: Path, report: LoadReport) -> None:
    from portal.services.loader.agencies import load_agencies  # imports this module: bound late

    load_agencies(sess, path, report)


# -- documents --------------------------------------------------------------------------------------


def _check_facet_values(src: Source) -> None:
    """Refuse a genre or topic that could not be a path segment of the site (see facet_values)."""
    src.check(fields.check_facet, "genre", src.text("genre"), "公文种类")
    for topic in src.str_list("topics"):
        src.check(fields.check_facet, "topics", topic, "主题分类")


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


# -- the kinds, in load order -----------------------------------------------------------------------


def _load_library(sess: Session, directory: Path, report: LoadReport) -> None:
    from portal.services.loader.policies import load_library  # builds on this module: bound late

    load_library(sess, directory, report)


def _load_interpretations_alone(sess: Session, directory: Path, report: LoadReport) -> None:
    """Interpretations without a policies/ folder beside them: of documents loaded before."""
    if not (directory.parent / "policies").is_dir():
        _load_library(sess, directory.parent / "policies", report)


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
    # A policy file and the interpretations that name it load together (they go public together, 三同步).
    ContentKind("policies", "policies", _load_library),
    ContentKind("interpretations", "interpretations", _load_interpretations_alone),
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

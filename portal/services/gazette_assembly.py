"""Assembling and publishing gazette issues in the staff area (政府公报编辑).

Editors create a draft issue, fill its table of contents with published public documents under category
headings, order it and attach the printed PDF; publishers publish it (then it is on /gazette/, in search
and on the documents' pages) or withdraw it with a public reason. Only drafts are edited: a published
issue is withdrawn and reopened first, like a document.

Every function checks the actor's role and the issue's state, writes the audit entry and leaves the commit
to the caller; a refusal raises before anything is changed, so the caller rolls back nothing half-written.
The actor is a staff member or the system actor ``content`` (``portal load``, whose files are reviewed where
they are kept): the same rules (:mod:`portal.services.gazette_rules`) and transitions hold for both; roles and
four eyes are the staff's, and a content file may correct the issue it published (the rules of a
publication are checked again, :func:`check_published`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import AuditEntry, Document, GazetteEntry, GazetteIssue, User
from portal.models.base import utcnow
from portal.models.gazette import GAZETTE_CATEGORIES, GAZETTE_STATUS
from portal.services import attachments, staff_lists
from portal.services.audit import record
from portal.services.compliance import RuleProblem
from portal.services.documents import normalize_doc_number
from portal.services.editing import FormErrors
from portal.services.gazette_rules import (
    IssueFields,
    check_category,
    check_document,
    issue_problems,
    publication_problems,
)
from portal.services.gazette_rules import split_categories as _split
from portal.services.policies.queries import public_documents
from portal.services.publishing import Actor, NotAllowed, WorkflowError

# Audit actions that change what an issue carries: whoever made the last of them does not publish it.
CONTENT_ACTIONS = (
    "gazette.create",
    "gazette.update",
    "gazette.entry_add",
    "gazette.entry_remove",
    "gazette.entry_move",
    "gazette.entry_category",
    "gazette.pdf_upload",
    "gazette.pdf_remove",
    "gazette.contents",
)
PDF_ONLY = "公报只接受 PDF 文件；该文件的内容不是 PDF。"


class ConflictError(WorkflowError):
    """The form is fine but the database refused it (someone took the number meanwhile)."""


# -- the issue's own fields -------------------------------------------------------------------------


IssueForm = IssueFields  # the service's input, whoever fills it in


def _refusal(problem: RuleProblem, code: str = "") -> WorkflowError:
    return WorkflowError(problem.zh, code=code or problem.field, en=problem.en)


def proposed_numbers(sess: Session, year: int) -> tuple[int, int]:
    """The next issue number within ``year`` and the next running number overall."""
    number = (sess.scalar(select(func.max(GazetteIssue.number)).where(GazetteIssue.year == year)) or 0) + 1
    running = (sess.scalar(select(func.max(GazetteIssue.running_number))) or 0) + 1
    return number, running


def issue_by_id(sess: Session, issue_id: int) -> GazetteIssue | None:
    return sess.get(GazetteIssue, issue_id)


def check_issue(sess: Session, f: IssueForm, issue: GazetteIssue | None) -> IssueForm:
    """Every rule of an issue's own fields (:func:`~portal.services.gazette_rules.issue_problems`); raises
    FormErrors with the first problem of each field, in Chinese."""
    errors: dict[str, str] = {}
    for problem in issue_problems(sess, f, issue.id if issue is not None else None):
        errors.setdefault(problem.field, problem.zh)
    if errors:
        raise FormErrors(errors)
    return f


def _require(user: Actor, role: str, action: str) -> None:
    if isinstance(user, User) and not user.has_role(role):
        raise NotAllowed(f"您没有{action}的权限。")


def _require_draft(issue: GazetteIssue, doing: str, actor: Actor | None = None) -> None:
    """Only drafts are edited; a content file (a system actor) also corrects the issue it published."""
    if actor is not None and not isinstance(actor, User) and issue.status == "published":
        return
    if issue.status != "draft":
        state = GAZETTE_STATUS.get(issue.status, issue.status)
        hint = "请先撤回并“重新编辑”。" if issue.status == "published" else "请先“重新编辑”。"
        raise WorkflowError(f"本期公报当前为“{state}”，只有草稿才能{doing}；{hint}")


def _fields(issue: GazetteIssue) -> dict[str, Any]:
    return {
        "year": issue.year,
        "number": issue.number,
        "running_number": issue.running_number,
        "custom_title": issue.custom_title,
        "published_on": issue.published_on.isoformat() if issue.published_on else None,
        "pdf_url": issue.pdf_url,
    }


def _flush(sess: Session) -> None:
    """Flush in a savepoint: a number taken meanwhile by another session becomes a clear refusal."""
    try:
        with sess.begin_nested():
            sess.flush()
    except IntegrityError as exc:
        raise ConflictError("期号、总期号或所选文件刚被其他人占用，请刷新页面核对后重试。") from exc


def slug_of(year: int, number: int) -> str:
    """The issue's slug, and the name of its content file: ``2020-06``."""
    return f"{year}-{number:02d}"


def save_issue(
    sess: Session, user: Actor, form: IssueForm, issue: GazetteIssue | None = None
) -> GazetteIssue:
    """Create a draft issue (``issue`` None) or change a draft's number, title and date; audited. The
    caller has checked ``form`` (:func:`check_issue`)."""
    _require(user, "editor", "编排公报")
    if issue is None:
        issue = GazetteIssue(status="draft", slug="", content_hash="")
        sess.add(issue)
        before = None
    else:
        _require_draft(issue, "修改", user)
        before = _fields(issue)
    assert form.year and form.number and form.published_on, "the form refused an incomplete issue"
    with sess.no_autoflush:
        issue.year, issue.number = form.year, form.number
        issue.running_number = form.running_number
        issue.custom_title = form.custom_title
        issue.published_on = form.published_on
        if form.pdf_url is not None:
            issue.pdf_url = form.pdf_url
        issue.slug = slug_of(form.year, form.number)  # the content file it would be exported to
    _flush(sess)
    after = _fields(issue)
    if before is None:
        record(sess, user, "gazette.create", issue, after=after)
    elif before != after:
        record(sess, user, "gazette.update", issue, before=before, after=after)
    return issue


def delete_issue(sess: Session, user: User, issue: GazetteIssue) -> None:
    """Delete a draft that was never published (a published one is withdrawn, so its notice stays)."""
    _require(user, "editor", "删除公报")
    _require_draft(issue, "删除")
    if issue.published_at is not None:
        raise WorkflowError("本期公报曾经发布，不能删除；如不再公开，请保持撤回状态。")
    record(sess, user, "gazette.delete", issue, before={**_fields(issue), "entries": len(issue.entries)})
    sess.delete(issue)


# -- the table of contents --------------------------------------------------------------------------


@dataclass
class Candidate:
    """A search result of the "add documents" box: the document and the issue it is already in, if any."""

    document: Document
    issue: GazetteIssue | None


def find_documents(sess: Session, query: str, limit: int = 20) -> list[Candidate]:
    """Public documents whose title or 文号 contains ``query``, newest first."""
    query = query.strip()
    if not query:
        return []
    words = query.replace("%", "").replace("_", "")
    number = normalize_doc_number(query).replace("%", "").replace("_", "")
    stmt = (
        public_documents()
        .where(
            or_(
                Document.title.ilike(f"%{words}%"),
                Document.doc_number_key.like(f"%{number}%"),
            )
        )
        .order_by(Document.published_at.desc(), Document.id.desc())
        .limit(limit)
    )
    docs = list(sess.scalars(stmt).unique())
    issues = _issues_of(sess, [d.id for d in docs])
    return [Candidate(d, issues.get(d.id)) for d in docs]


def _issues_of(sess: Session, document_ids: list[int]) -> dict[int, GazetteIssue]:
    if not document_ids:
        return {}
    rows = sess.execute(
        select(GazetteEntry.document_id, GazetteIssue)
        .join(GazetteIssue, GazetteEntry.issue_id == GazetteIssue.id)
        .where(GazetteEntry.document_id.in_(document_ids))
    )
    return {doc_id: issue for doc_id, issue in rows}


def categories(sess: Session) -> list[str]:
    """The usual headings, then any other heading already used in an issue."""
    used = sess.scalars(select(GazetteEntry.category).distinct().order_by(GazetteEntry.category)).all()
    return GAZETTE_CATEGORIES + [c for c in used if c not in GAZETTE_CATEGORIES]


def _category(raw: str) -> str:
    try:
        return check_category(raw)
    except RuleProblem as problem:
        raise _refusal(problem) from None


def _entry(issue: GazetteIssue, entry_id: int) -> GazetteEntry:
    for entry in issue.entries:
        if entry.id == entry_id:
            return entry
    raise WorkflowError("本期目录中没有这一项（可能已被移除），请刷新页面。", code="entry")


def _renumber(entries: list[GazetteEntry]) -> None:
    for position, entry in enumerate(entries):
        entry.position = position


def _toc(issue: GazetteIssue) -> list[dict[str, Any]]:
    return [{"category": e.category, "document": e.document.slug} for e in issue.entries]


def add_entry(
    sess: Session, user: User, issue: GazetteIssue, document_id: int, category: str
) -> GazetteEntry:
    """Put a published public document under ``category``, after the last document of that category."""
    _require(user, "editor", "编排公报")
    _require_draft(issue, "调整目录")
    category = _category(category)
    try:
        doc = check_document(sess, issue, sess.get(Document, document_id))
    except RuleProblem as problem:
        raise _refusal(problem) from None
    entries = list(issue.entries)
    same = [n for n, e in enumerate(entries) if e.category == category]
    at = same[-1] + 1 if same else len(entries)
    entry = GazetteEntry(category=category, document=doc, document_id=doc.id)
    entries.insert(at, entry)
    issue.entries = entries
    _renumber(entries)
    _flush(sess)
    record(
        sess,
        user,
        "gazette.entry_add",
        issue,
        after={"document": doc.slug, "category": category, "position": at + 1},
    )
    return entry


def remove_entry(sess: Session, user: User, issue: GazetteIssue, entry_id: int) -> None:
    _require(user, "editor", "编排公报")
    _require_draft(issue, "调整目录")
    entry = _entry(issue, entry_id)
    entries = [e for e in issue.entries if e is not entry]
    issue.entries = entries
    _renumber(entries)
    record(
        sess,
        user,
        "gazette.entry_remove",
        issue,
        before={"document": entry.document.slug, "category": entry.category},
    )


def move_entry(sess: Session, user: User, issue: GazetteIssue, entry_id: int, direction: str) -> None:
    """Swap an entry with the one above (``up``) or below (``down``)."""
    _require(user, "editor", "编排公报")
    _require_draft(issue, "调整目录")
    if direction not in {"up", "down"}:
        raise WorkflowError("未知的移动方向。", code="direction")
    entries = list(issue.entries)
    entry = _entry(issue, entry_id)
    at = entries.index(entry)
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(entries):
        raise WorkflowError(
            "已经在目录的最前面。" if direction == "up" else "已经在目录的最后面。", code="direction"
        )
    before = _toc(issue)
    entries[at], entries[to] = entries[to], entries[at]
    issue.entries = entries
    _renumber(entries)
    record(sess, user, "gazette.entry_move", issue, before={"toc": before}, after={"toc": _toc(issue)})


def set_entry_category(sess: Session, user: User, issue: GazetteIssue, entry_id: int, category: str) -> None:
    _require(user, "editor", "编排公报")
    _require_draft(issue, "调整目录")
    category = _category(category)
    entry = _entry(issue, entry_id)
    if entry.category == category:
        return
    before = entry.category
    entry.category = category
    record(
        sess,
        user,
        "gazette.entry_category",
        issue,
        before={"document": entry.document.slug, "category": before},
        after={"document": entry.document.slug, "category": category},
    )


@dataclass
class TocGroup:
    category: str
    entries: list[GazetteEntry]


def toc_groups(issue: GazetteIssue) -> list[TocGroup]:
    """The table of contents as printed: consecutive entries of one category under one heading."""
    groups: list[TocGroup] = []
    for entry in issue.entries:
        if not groups or groups[-1].category != entry.category:
            groups.append(TocGroup(entry.category, []))
        groups[-1].entries.append(entry)
    return groups


def split_categories(issue: GazetteIssue) -> list[str]:
    """Categories whose documents are not next to each other (the printed contents would repeat them)."""
    return _split(e.category for e in issue.entries)


@dataclass
class ContentsRow:
    """One line of a table of contents as a whole list gives it (a content file)."""

    category: str
    document: Document


def set_contents(sess: Session, user: Actor, issue: GazetteIssue, rows: Sequence[ContentsRow]) -> bool:
    """Replace the table of contents by ``rows``, in order, under the rules of :func:`add_entry`; audited
    once when it changed. Returns whether it changed."""
    _require(user, "editor", "编排公报")
    _require_draft(issue, "调整目录", user)
    before = _toc(issue)
    # Existing lines are kept and renumbered rather than replaced: a document is in one issue only
    # (a unique constraint), and a flush inserts new rows before it deletes old ones.
    existing = {entry.document_id: entry for entry in issue.entries}
    entries: list[GazetteEntry] = []
    seen: set[int] = set()
    try:
        for row in rows:
            category = check_category(row.category)
            if row.document.id in seen:
                raise RuleProblem(
                    "document",
                    f"《{row.document.title}》已在本期目录中。",
                    f"document '{row.document.slug}' is listed twice",
                )
            seen.add(row.document.id)
            check_document(sess, issue, row.document, kept=row.document.id in existing)
            entry = existing.pop(row.document.id, None) or GazetteEntry(
                document=row.document, document_id=row.document.id
            )
            entry.category = category
            entries.append(entry)
    except RuleProblem as problem:
        raise _refusal(problem) from None
    _renumber(entries)
    issue.entries = entries
    after = _toc(issue)
    if after == before:
        return False
    _flush(sess)
    record(sess, user, "gazette.contents", issue, before={"toc": before}, after={"toc": after})
    return True


# -- the printed PDF --------------------------------------------------------------------------------


def attach_pdf(
    sess: Session,
    user: User,
    issue: GazetteIssue,
    filename: str,
    data: bytes,
    *,
    instance_path: Path,
    max_bytes: int,
    scan_command: str = "",
) -> None:
    """Store the printed issue; the type is decided by the content (the publishing area's sniffing)."""
    _require(user, "editor", "编排公报")
    _require_draft(issue, "上传 PDF")
    attachments.check_upload(data, max_bytes, accept={"pdf"}, refused=PDF_ONLY)
    before = {"pdf": issue.pdf_filename, "sha256": issue.pdf_sha256} if issue.pdf_sha256 else None
    issue.pdf_sha256 = attachments.store(data, "pdf", instance_path, scan_command)
    issue.pdf_filename = attachments.clean_filename(filename, "pdf")
    issue.pdf_size = len(data)
    record(
        sess,
        user,
        "gazette.pdf_upload",
        issue,
        before=before,
        after={"pdf": issue.pdf_filename, "sha256": issue.pdf_sha256, "size": issue.pdf_size},
    )


def remove_pdf(sess: Session, user: User, issue: GazetteIssue) -> None:
    _require(user, "editor", "编排公报")
    _require_draft(issue, "删除 PDF")
    if not issue.pdf_sha256:
        raise WorkflowError("本期尚未上传 PDF。", code="pdf")
    record(
        sess,
        user,
        "gazette.pdf_remove",
        issue,
        before={"pdf": issue.pdf_filename, "sha256": issue.pdf_sha256},
    )
    issue.pdf_sha256, issue.pdf_filename, issue.pdf_size = "", "", 0  # the stored file may be shared


def pdf_path(instance_path: Path, issue: GazetteIssue) -> Path | None:
    if not issue.pdf_sha256:
        return None
    return attachments.storage_dir(instance_path) / issue.pdf_storage_name


# -- publishing -------------------------------------------------------------------------------------


def last_assembler_id(sess: Session, issue: GazetteIssue) -> int | None:
    """Who made the last change to what the issue carries (from the audit log)."""
    return sess.scalar(
        select(AuditEntry.actor_id)
        .where(
            AuditEntry.object_type == "gazetteissue",
            AuditEntry.object_id == issue.id,
            AuditEntry.action.in_(CONTENT_ACTIONS),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def publish_problems(sess: Session, issue: GazetteIssue) -> list[str]:
    """What stops the issue from going out, in Chinese (empty when it may be published)."""
    return [p.zh for p in publication_problems(issue)]


def check_published(issue: GazetteIssue) -> None:
    """The rules of a publication, for an issue that stays published (a content file corrected it)."""
    problems = publication_problems(issue)
    if problems:
        raise WorkflowError(
            "暂不能发布：" + "；".join(p.zh for p in problems),
            code="incomplete",
            en="; ".join(p.en for p in problems),
        )


def publish_issue(sess: Session, user: Actor, issue: GazetteIssue) -> None:
    """Put a draft issue on the site: /gazette/, search, and the documents' "刊登于" line."""
    _require(user, "publisher", "发布公报")
    if issue.status != "draft":
        raise WorkflowError(
            f"本期公报当前为“{GAZETTE_STATUS.get(issue.status, issue.status)}”，只有草稿才能发布。"
        )
    check_published(issue)
    # Four eyes, as for documents: whoever last changed the contents does not publish them (a content
    # file was reviewed where it is kept).
    if isinstance(user, User) and last_assembler_id(sess, issue) == user.id:
        raise WorkflowError("不能发布由自己最后编排的公报，请由其他发布人员核对后发布。", code="four_eyes")
    if issue.published_at is None:
        issue.published_at = utcnow()
    issue.status = "published"
    issue.withdrawn_reason = ""
    record(
        sess,
        user,
        "gazette.publish",
        issue,
        before={"status": "draft"},
        after={"status": "published", "documents": [e.document.slug for e in issue.entries]},
    )
    _after_change(sess, issue)


def withdraw_issue(sess: Session, user: User, issue: GazetteIssue, reason: str) -> None:
    """Take a published issue off the site; its page then shows the public reason (410)."""
    _require(user, "publisher", "撤回公报")
    if issue.status != "published":
        raise WorkflowError("只有已发布的公报才能撤回。")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("撤回时必须填写公开的撤回理由。", code="reason")
    if len(reason) > 2000:
        raise WorkflowError("撤回理由不能超过 2000 个字符。", code="reason")
    issue.status = "withdrawn"
    issue.withdrawn_reason = reason
    record(
        sess,
        user,
        "gazette.withdraw",
        issue,
        before={"status": "published"},
        after={"status": "withdrawn"},
        note=reason,
    )
    _after_change(sess, issue)


def reopen_issue(sess: Session, user: User, issue: GazetteIssue) -> None:
    """A withdrawn issue goes back to draft, to be corrected and published again."""
    if not user.has_role("editor", "publisher"):
        raise NotAllowed("您没有重新编辑公报的权限。")
    if issue.status != "withdrawn":
        raise WorkflowError("只有已撤回的公报才能重新编辑。")
    issue.status = "draft"
    record(sess, user, "gazette.reopen", issue, before={"status": "withdrawn"}, after={"status": "draft"})


def _after_change(sess: Session, issue: GazetteIssue) -> None:
    """Keep the search index in step once the transaction commits (pages follow the public stamp)."""
    from portal.search import refresh_after_commit

    refresh_after_commit(sess, issue)


# -- lists ------------------------------------------------------------------------------------------


def staff_issues(sess: Session, year: int | None = None, page: int = 1) -> staff_lists.Page:
    """One page of the issues, drafts included, newest first."""
    stmt = select(GazetteIssue).order_by(
        GazetteIssue.year.desc(), GazetteIssue.number.desc(), GazetteIssue.id.desc()
    )
    if year is not None:
        stmt = stmt.where(GazetteIssue.year == year)
    return staff_lists.paginate(sess, stmt, page)


def issue_years(sess: Session) -> list[int]:
    return list(sess.scalars(select(GazetteIssue.year).distinct().order_by(GazetteIssue.year.desc())))

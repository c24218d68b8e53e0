"""Assembling and publishing gazette issues in the staff area (政府公报编辑).

Editors create a draft issue, fill its table of contents with published public documents under category
headings, order it and attach the printed PDF; publishers publish it (then it is on /gazette/, in search
and on the documents' pages) or withdraw it with a public reason. Only drafts are edited: a published
issue is withdrawn and reopened first, like a document.

Every function checks the actor's role and the issue's state, writes the audit entry and leaves the commit
to the caller; a refusal raises before anything is changed, so the caller rolls back nothing half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
from portal.services.documents import normalize_doc_number
from portal.services.editing import FormErrors
from portal.services.policies.queries import public_documents
from portal.services.publishing import NotAllowed, WorkflowError

MAX_NUMBER = 999  # the slug (and content file name) holds up to three digits
MAX_RUNNING = 99999
MAX_CATEGORY = 64
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
)
PDF_ONLY = "公报只接受 PDF 文件；该文件的内容不是 PDF。"


class ConflictError(WorkflowError):
    """The form is fine but the database refused it (someone took the number meanwhile)."""


# -- the issue's own fields -------------------------------------------------------------------------


@dataclass
class IssueForm:
    year: int | None = None
    number: int | None = None
    running_number: int | None = None
    custom_title: str = ""
    published_on: date | None = None


def proposed_numbers(sess: Session, year: int) -> tuple[int, int]:
    """The next issue number within ``year`` and the next running number overall."""
    number = (sess.scalar(select(func.max(GazetteIssue.number)).where(GazetteIssue.year == year)) or 0) + 1
    running = (sess.scalar(select(func.max(GazetteIssue.running_number))) or 0) + 1
    return number, running


def issue_by_id(sess: Session, issue_id: int) -> GazetteIssue | None:
    return sess.get(GazetteIssue, issue_id)


def check_issue(sess: Session, f: IssueForm, issue: GazetteIssue | None) -> IssueForm:
    """The rules across fields of a parsed issue form (the date within the year, numbers unique); raises
    FormErrors listing every problem. The staff form (``web/admin/gazette_forms.py``) parses each field."""
    errors: dict[str, str] = {}
    if f.year is not None and f.published_on is not None and f.published_on.year not in (f.year, f.year + 1):
        errors["published_on"] = f"出版日期应在 {f.year} 年内（年末一期可在次年年初出版）。"
    own_id = issue.id if issue is not None else -1
    if f.year is not None and f.number is not None:
        clash = sess.scalars(
            select(GazetteIssue).where(
                GazetteIssue.year == f.year, GazetteIssue.number == f.number, GazetteIssue.id != own_id
            )
        ).first()
        if clash is not None:
            errors["number"] = (
                f"{f.year}年第{f.number}期已存在（{GAZETTE_STATUS.get(clash.status, clash.status)}），请换一个期号。"
            )
    if f.running_number is not None:
        clash = sess.scalars(
            select(GazetteIssue).where(
                GazetteIssue.running_number == f.running_number, GazetteIssue.id != own_id
            )
        ).first()
        if clash is not None:
            errors["running_number"] = (
                f"总第{f.running_number}期已被{clash.year}年第{clash.number}期使用，请换一个总期号。"
            )
    if errors:
        raise FormErrors(errors)
    return f


def _require(user: User, role: str, action: str) -> None:
    if not user.has_role(role):
        raise NotAllowed(f"您没有{action}的权限。")


def _require_draft(issue: GazetteIssue, doing: str) -> None:
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
    }


def _flush(sess: Session) -> None:
    """Flush in a savepoint: a number taken meanwhile by another session becomes a clear refusal."""
    try:
        with sess.begin_nested():
            sess.flush()
    except IntegrityError as exc:
        raise ConflictError("期号、总期号或所选文件刚被其他人占用，请刷新页面核对后重试。") from exc


def save_issue(sess: Session, user: User, form: IssueForm, issue: GazetteIssue | None = None) -> GazetteIssue:
    """Create a draft issue (``issue`` None) or change a draft's number, title and date; audited."""
    _require(user, "editor", "编排公报")
    if issue is None:
        issue = GazetteIssue(status="draft", slug="")
        sess.add(issue)
        before = None
    else:
        _require_draft(issue, "修改")
        before = _fields(issue)
    assert form.year and form.number and form.published_on, "the form refused an incomplete issue"
    with sess.no_autoflush:
        issue.year, issue.number = form.year, form.number
        issue.running_number = form.running_number
        issue.custom_title = form.custom_title
        issue.published_on = form.published_on
        issue.slug = f"{form.year}-{form.number:02d}"  # the content file it would be exported to
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
    category = (raw or "").strip()
    if not category:
        raise WorkflowError("请选择文件所属类别。", code="category")
    if len(category) > MAX_CATEGORY:
        raise WorkflowError(f"类别名称不能超过 {MAX_CATEGORY} 个字符。", code="category")
    return category


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
    doc = sess.scalars(public_documents().where(Document.id == document_id)).first()
    if doc is None:
        raise WorkflowError("只能收录已发布且主动公开的文件。", code="document")
    holder = _issues_of(sess, [doc.id]).get(doc.id)
    if holder is not None and holder.id == issue.id:
        raise WorkflowError(f"《{doc.title}》已在本期目录中。", code="document")
    if holder is not None:
        raise WorkflowError(
            f"《{doc.title}》已收入《{holder.title}》，一份文件只能刊登在一期公报中。", code="document"
        )
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
    seen: list[str] = []
    split: list[str] = []
    for group in toc_groups(issue):
        if group.category in seen and group.category not in split:
            split.append(group.category)
        seen.append(group.category)
    return split


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
    problems = []
    if not issue.entries:
        problems.append("目录为空：请至少收录一份文件。")
    hidden = [e.document.title for e in issue.entries if not e.document.is_public]
    if hidden:
        problems.append("以下文件已不再公开，请移出目录：" + "、".join(f"《{t}》" for t in hidden))
    split = split_categories(issue)
    if split:
        problems.append("同一类别的文件应相邻排列，请调整顺序：" + "、".join(f"“{c}”" for c in split))
    return problems


def publish_issue(sess: Session, user: User, issue: GazetteIssue) -> None:
    """Put a draft issue on the site: /gazette/, search, and the documents' "刊登于" line."""
    _require(user, "publisher", "发布公报")
    if issue.status != "draft":
        raise WorkflowError(
            f"本期公报当前为“{GAZETTE_STATUS.get(issue.status, issue.status)}”，只有草稿才能发布。"
        )
    problems = publish_problems(sess, issue)
    if problems:
        raise WorkflowError("暂不能发布：" + "；".join(problems), code="incomplete")
    # Four eyes, as for documents: whoever last changed the contents does not publish them.
    if last_assembler_id(sess, issue) == user.id:
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

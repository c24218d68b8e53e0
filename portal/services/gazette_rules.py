"""The rules of a gazette issue, one function per rule, for every writer.

The staff forms (``web/admin/gazette_forms.py`` and :mod:`portal.services.gazette_assembly`) and ``portal
load`` (:mod:`portal.services.loader.gazette`) call the same functions, so that a rule added here holds on
both paths. A refusal is a :class:`~portal.services.compliance.RuleProblem`: ``zh`` is shown to staff
beside the field, ``en`` is printed by the loader after the file and line. ``field`` is the staff form's
name (``custom_title``, ``pdf_url``; a content file says ``title`` and ``pdf``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import today_local
from portal.models import Document, GazetteEntry, GazetteIssue
from portal.models.gazette import GAZETTE_STATUS
from portal.services.compliance import RuleProblem

if TYPE_CHECKING:
    from collections.abc import Iterable

FIRST_YEAR = 1949
MAX_NUMBER = 999  # the slug (and content file name) holds up to three digits
MAX_RUNNING = 99999
MAX_TITLE = 200
MAX_CATEGORY = 64

# The whole-number fields: Chinese label and bounds (the latest year is next year, for a year-end issue).
WHOLE = {
    "year": ("年份", FIRST_YEAR, None),
    "number": ("期号", 1, MAX_NUMBER),
    "running_number": ("总期号", 1, MAX_RUNNING),
}


def high_bound(field: str) -> int:
    high = WHOLE[field][2]
    return today_local().year + 1 if high is None else high


def whole_problem(field: str, raw: object) -> RuleProblem:
    """A value of a whole-number field that is not a number within its bounds."""
    label, low, _ = WHOLE[field]
    high = high_bound(field)
    return RuleProblem(
        field,
        f"{label}应为 {low}–{high} 之间的整数。",
        f"'{field}' must be a whole number from {low} to {high}, not '{raw}'",
    )


def check_whole(field: str, value: int | None, *, required: bool = True) -> None:
    if value is None:
        if required:
            raise RuleProblem(field, f"请填写{WHOLE[field][0]}。", f"missing required field '{field}'")
        return
    if not WHOLE[field][1] <= value <= high_bound(field):
        raise whole_problem(field, value)


def check_title(title: str) -> None:
    if len(title) > MAX_TITLE:
        raise RuleProblem(
            "custom_title",
            f"标题不能超过 {MAX_TITLE} 个字符。",
            f"'title' must be at most {MAX_TITLE} characters",
        )


def check_published_on(year: int | None, published_on: date | None) -> None:
    """The printed date falls in the issue's year (the year's last issue may come out early next year)."""
    if published_on is None:
        raise RuleProblem("published_on", "请填写出版日期。", "missing required field 'published_on'")
    if year is not None and published_on.year not in (year, year + 1):
        raise RuleProblem(
            "published_on",
            f"出版日期应在 {year} 年内（年末一期可在次年年初出版）。",
            f"'published_on' {published_on.isoformat()} must fall in {year} (or early {year + 1} for the "
            "year's last issue)",
        )


def check_pdf_url(url: str) -> None:
    """The printed issue named by address (a content file's ``pdf``); staff upload the file instead."""
    if url and not url.startswith(("/", "https://", "http://")):
        raise RuleProblem(
            "pdf_url",
            "PDF 地址须以 /、http:// 或 https:// 开头。",
            "'pdf' must be a site path starting with '/' or an http(s) URL",
        )


@dataclass
class IssueFields:
    """An issue's own fields, as the staff form and a content file give them."""

    year: int | None = None
    number: int | None = None
    running_number: int | None = None
    custom_title: str = ""
    published_on: date | None = None
    pdf_url: str | None = None  # None: left as it is (the staff form has no such field)


def issue_problems(sess: Session, f: IssueFields, own_id: int | None) -> list[RuleProblem]:
    """Every rule of an issue's own fields, in the order of the form; empty when it may be saved."""
    problems: list[RuleProblem] = []

    def run(rule: object, *args: object) -> None:
        try:
            rule(*args)  # type: ignore[operator]
        except RuleProblem as problem:
            problems.append(problem)

    run(check_whole, "year", f.year)
    run(check_whole, "number", f.number)
    run(lambda: check_whole("running_number", f.running_number, required=False))
    run(check_title, f.custom_title)
    run(check_published_on, f.year, f.published_on)
    if f.pdf_url is not None:
        run(check_pdf_url, f.pdf_url)
    other = own_id if own_id is not None else -1
    if f.year is not None and f.number is not None:
        clash = sess.scalars(
            select(GazetteIssue).where(
                GazetteIssue.year == f.year, GazetteIssue.number == f.number, GazetteIssue.id != other
            )
        ).first()
        if clash is not None:
            problems.append(
                RuleProblem(
                    "number",
                    f"{f.year}年第{f.number}期已存在（{GAZETTE_STATUS.get(clash.status, clash.status)}），"
                    "请换一个期号。",
                    f"issue {f.year}-{f.number} already exists as '{clash.slug}'",
                )
            )
    if f.running_number is not None:
        clash = sess.scalars(
            select(GazetteIssue).where(
                GazetteIssue.running_number == f.running_number, GazetteIssue.id != other
            )
        ).first()
        if clash is not None:
            problems.append(
                RuleProblem(
                    "running_number",
                    f"总第{f.running_number}期已被{clash.year}年第{clash.number}期使用，请换一个总期号。",
                    f"running number {f.running_number} is already used by issue '{clash.slug}'",
                )
            )
    return problems


# -- the table of contents --------------------------------------------------------------------------


def check_category(raw: str) -> str:
    category = (raw or "").strip()
    if not category:
        raise RuleProblem("category", "请选择文件所属类别。", "each item of 'contents' needs a 'category'")
    if len(category) > MAX_CATEGORY:
        raise RuleProblem(
            "category",
            f"类别名称不能超过 {MAX_CATEGORY} 个字符。",
            f"category '{category[:20]}…' must be at most {MAX_CATEGORY} characters",
        )
    return category


def holder_of(sess: Session, document_id: int) -> GazetteIssue | None:
    """The issue that carries a document, if any (a document appears in one issue only)."""
    return sess.scalar(
        select(GazetteIssue)
        .join(GazetteEntry, GazetteEntry.issue_id == GazetteIssue.id)
        .where(GazetteEntry.document_id == document_id)
    )


def check_document(
    sess: Session, issue: GazetteIssue, doc: Document | None, slug: str = "", *, kept: bool = False
) -> Document:
    """A document may go in ``issue``: published, actively disclosed, in no other issue (and, unless
    ``kept``, not in this one already)."""
    if doc is None or not doc.is_public:
        raise RuleProblem(
            "document",
            "只能收录已发布且主动公开的文件。",
            f"document '{doc.slug if doc else slug}' is not published and actively disclosed (主动公开): "
            "only public documents go in an issue",
        )
    holder = holder_of(sess, doc.id)
    if holder is not None and holder.id == issue.id:
        if kept:
            return doc
        raise RuleProblem(
            "document", f"《{doc.title}》已在本期目录中。", f"document '{doc.slug}' is listed twice"
        )
    if holder is not None:
        raise RuleProblem(
            "document",
            f"《{doc.title}》已收入《{holder.title}》，一份文件只能刊登在一期公报中。",
            f"document '{doc.slug}' is already in gazette issue '{holder.slug}' "
            "(a document appears in one issue only)",
        )
    return doc


def split_categories(categories: Iterable[str]) -> list[str]:
    """Categories whose documents are not next to each other (the printed contents would repeat them)."""
    seen: list[str] = []
    split: list[str] = []
    previous = None
    for category in categories:
        if category != previous:
            if category in seen and category not in split:
                split.append(category)
            seen.append(category)
        previous = category
    return split


def publication_problems(issue: GazetteIssue) -> list[RuleProblem]:
    """What stops the issue from going out (or a content file from keeping it out)."""
    problems = []
    if not issue.entries:
        problems.append(
            RuleProblem(
                "contents", "目录为空：请至少收录一份文件。", "'contents' must list at least one document"
            )
        )
    hidden = [e.document for e in issue.entries if not e.document.is_public]
    if hidden:
        problems.append(
            RuleProblem(
                "contents",
                "以下文件已不再公开，请移出目录：" + "、".join(f"《{d.title}》" for d in hidden),
                "no longer public, take them out of 'contents': " + ", ".join(d.slug for d in hidden),
            )
        )
    split = split_categories(e.category for e in issue.entries)
    if split:
        problems.append(
            RuleProblem(
                "contents",
                "同一类别的文件应相邻排列，请调整顺序：" + "、".join(f"“{c}”" for c in split),
                "the documents of a category are listed together (the printed contents name each category "
                "once): " + ", ".join(f"'{c}'" for c in split),
            )
        )
    return problems

"""Loading gazette issues from ``content/gazette/<year>-<no>.yml`` through the staff area's services.

```yaml
year: 2020
number: 5
running_number: 125        # optional, 总第N期
title: 优化营商环境专刊      # optional, shown after the issue's name
published_on: 2020-05-15
pdf: /static/gazette/2020-05.pdf   # optional, the printed issue
contents:                  # the table of contents, in printed order
  - category: 区政府文件
    documents: [slug-a, slug-b]
```

A file is written as an editor and a publisher write an issue in the staff area
(:mod:`portal.services.gazette_assembly`), as the system actor ``content``: the same field rules
(:mod:`portal.services.gazette_rules`), the same table-of-contents rules (published public documents, one
issue per document) and the same publication (contents not empty, categories together), audited. A new
issue is created as a draft, filled and published; a changed file corrects its published issue (the rules
of a publication are checked again). An issue staff withdrew on the site is not published again by a
reload. Each file loads in its own savepoint: a refused file writes nothing and is reported in English by
file, line and field. An unchanged file is skipped, so a second load writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Document, GazetteIssue
from portal.search import refresh_after_commit
from portal.services import gazette_assembly as assembly
from portal.services.compliance import RuleProblem
from portal.services.gazette_rules import IssueFields, issue_problems, whole_problem
from portal.services.loader import ContentError, LoadReport, Source, load_files
from portal.services.numbers import parse_int
from portal.services.publishing import CONTENT, WorkflowError

# The content file's key for a field the services name otherwise.
KEYS = {
    "custom_title": "title",
    "pdf_url": "pdf",
    "document": "contents",
    "category": "contents",
    "incomplete": "contents",
}


def _key(field: str) -> str:
    return KEYS.get(field, field)


def _whole(src: Source, key: str) -> int | None:
    value = src.meta.get(key)
    if value in (None, ""):
        return None
    number = None if isinstance(value, bool) else parse_int(value)
    if number is None:
        raise src.fail(key, whole_problem(key, value).en)
    return number


def _fields(src: Source) -> IssueFields:
    return IssueFields(
        year=_whole(src, "year"),
        number=_whole(src, "number"),
        running_number=_whole(src, "running_number"),
        custom_title=src.text("title"),
        published_on=src.date("published_on"),
        pdf_url=src.text("pdf"),
    )


def _contents(sess: Session, src: Source) -> list[assembly.ContentsRow]:
    sections = src.meta.get("contents")
    if not isinstance(sections, list) or not sections:
        raise src.fail("contents", "'contents' must list at least one {category, documents}")
    rows = []
    for section in sections:
        if not isinstance(section, dict) or not section.get("category") or not section.get("documents"):
            raise src.fail("contents", "each item of 'contents' needs 'category' and 'documents'")
        slugs = section["documents"]
        if not isinstance(slugs, list):
            raise src.fail("contents", f"'documents' of category '{section['category']}' must be a list")
        for slug in (str(s).strip() for s in slugs):
            doc = sess.scalars(select(Document).where(Document.slug == slug)).first()
            if doc is None:
                raise src.fail("contents", f"'contents' refers to unknown document '{slug}'")
            rows.append(assembly.ContentsRow(str(section["category"]), doc))
    return rows


def _write(sess: Session, src: Source, issue: GazetteIssue | None) -> GazetteIssue:
    """Write one file's issue through the staff services; raises ContentError or a service refusal."""
    fields = _fields(src)
    problems = issue_problems(sess, fields, issue.id if issue is not None else None)
    if problems:
        raise src.fail(_key(problems[0].field), problems[0].en)
    assert fields.year is not None and fields.number is not None  # issue_problems refused them missing
    if src.path.stem != assembly.slug_of(fields.year, fields.number):
        raise ContentError(
            f"file name '{src.path.name}' must be <year>-<number>.yml matching year {fields.year} and "
            f"number {fields.number}: {assembly.slug_of(fields.year, fields.number)}.yml",
            1,
        )
    if issue is not None and issue.status == "withdrawn":
        raise src.fail(
            "published_on",
            f"issue '{issue.slug}' was withdrawn on the site ({issue.withdrawn_reason or 'no reason'}); a reload "
            "does not publish it again: reopen it in the staff area first",
        )
    rows = _contents(sess, src)
    issue = assembly.save_issue(sess, CONTENT, fields, issue)
    assembly.set_contents(sess, CONTENT, issue, rows)
    if issue.status == "draft":
        assembly.publish_issue(sess, CONTENT, issue)
    else:
        assembly.check_published(issue)
    return issue


def load_gazette(sess: Session, directory: Path, report: LoadReport) -> None:
    def write(src: Source, issue: GazetteIssue | None) -> GazetteIssue:
        try:
            written = _write(sess, src, issue)
        except (WorkflowError, RuleProblem) as exc:
            raise src.fail(
                _key(exc.field) if isinstance(exc, RuleProblem) else _key(exc.code), exc.en
            ) from exc
        refresh_after_commit(sess, written)
        return written

    paths = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
    load_files(sess, report, "gazette", paths, GazetteIssue, write)

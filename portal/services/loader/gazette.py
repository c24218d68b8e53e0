"""Loading gazette issues from ``content/gazette/<year>-<no>.yml``.

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
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Document, GazetteEntry, GazetteIssue
from portal.models.base import utcnow
from portal.services.loader import ContentError, LoadReport, Source, _upsert_files

SLUG_RE = re.compile(r"^(\d{4})-(\d{1,3})$")


def _positive_int(src: Source, key: str, required: bool = True) -> int | None:
    value = src.meta.get(key)
    if value in (None, ""):
        if required:
            raise src.fail(key, f"missing required field '{key}'")
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(value) <= 0:
        raise src.fail(key, f"'{key}' must be a positive whole number, not '{value}'")
    return int(value)


def apply_issue(sess: Session, src: Source, issue: GazetteIssue) -> None:
    """Copy a gazette file's fields onto ``issue``, validating as it goes."""
    year, number = _positive_int(src, "year"), _positive_int(src, "number")
    assert year is not None and number is not None  # required: refused when missing
    issue.year, issue.number = year, number
    match = SLUG_RE.match(src.path.stem)
    if not match or (int(match[1]), int(match[2])) != (issue.year, issue.number):
        raise ContentError(
            f"file name '{src.path.name}' must be <year>-<number>.yml matching year {issue.year} "
            f"and number {issue.number} (e.g. {issue.year}-{issue.number:02d}.yml)",
            1,
        )
    issue.running_number = _positive_int(src, "running_number", required=False)
    if issue.running_number is not None:
        clash = sess.scalar(
            select(GazetteIssue.slug).where(
                GazetteIssue.running_number == issue.running_number, GazetteIssue.slug != src.path.stem
            )
        )
        if clash is not None:
            raise src.fail(
                "running_number", f"running number {issue.running_number} is already used by issue '{clash}'"
            )
    published_on = src.date("published_on")
    if published_on is None:
        raise src.fail("published_on", "missing required field 'published_on'")
    issue.published_on = published_on
    issue.pdf_url = src.text("pdf")
    if issue.pdf_url and not issue.pdf_url.startswith(("/", "https://", "http://")):
        raise src.fail("pdf", "'pdf' must be a site path starting with '/' or an http(s) URL")
    issue.custom_title = src.text("title")
    if len(issue.custom_title) > 200:
        raise src.fail("title", "'title' must be at most 200 characters")
    issue.status = "published"
    issue.withdrawn_reason = ""
    if issue.published_at is None:
        issue.published_at = utcnow()

    sections = src.meta.get("contents")
    if not isinstance(sections, list) or not sections:
        raise src.fail("contents", "'contents' must list at least one {category, documents}")
    # Existing lines are kept and renumbered rather than replaced: a document is in one issue only
    # (a unique constraint), and a flush inserts new rows before it deletes old ones.
    existing = {entry.document_id: entry for entry in issue.entries}
    entries: list[GazetteEntry] = []
    seen: set[str] = set()
    for section in sections:
        if not isinstance(section, dict) or not section.get("category") or not section.get("documents"):
            raise src.fail("contents", "each item of 'contents' needs 'category' and 'documents'")
        slugs = section["documents"]
        if not isinstance(slugs, list):
            raise src.fail("contents", f"'documents' of category '{section['category']}' must be a list")
        for slug in (str(s).strip() for s in slugs):
            if slug in seen:
                raise src.fail("contents", f"document '{slug}' is listed twice")
            seen.add(slug)
            doc = sess.scalars(select(Document).where(Document.slug == slug)).first()
            if doc is None:
                raise src.fail("contents", f"'contents' refers to unknown document '{slug}'")
            elsewhere = sess.scalar(
                select(GazetteIssue.slug)
                .join(GazetteEntry, GazetteEntry.issue_id == GazetteIssue.id)
                .where(GazetteEntry.document_id == doc.id, GazetteIssue.slug != src.path.stem)
            )
            if elsewhere is not None:
                raise src.fail(
                    "contents",
                    f"document '{slug}' is already in gazette issue '{elsewhere}' "
                    "(a document appears in one issue only)",
                )
            entry = existing.pop(doc.id, None) or GazetteEntry(document=doc, document_id=doc.id)
            entry.position = len(entries)
            entry.category = str(section["category"]).strip()
            entries.append(entry)
    duplicate = sess.scalars(
        select(GazetteIssue).where(
            GazetteIssue.year == issue.year,
            GazetteIssue.number == issue.number,
            GazetteIssue.slug != src.path.stem,
        )
    ).first()
    if duplicate is not None:
        raise src.fail("number", f"issue {issue.year}-{issue.number} is already loaded as '{duplicate.slug}'")
    issue.entries = entries


def load_gazette(sess: Session, directory: Path, report: LoadReport) -> None:
    paths = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
    _upsert_files(sess, paths, GazetteIssue, apply_issue, "gazette", report)

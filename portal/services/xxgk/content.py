"""Loading the column's content: the district's categories (content/xxgk/categories.yml) and the
information pages (content/xxgk/pages/<slug>.md). Both are upserts keyed by slug, like every loader.

categories.yml is configuration: a category no longer listed there is removed (the documents that carried
it show on the staff dashboard as uncategorised). A page whose category is unknown loads nothing."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.ingest.markdown import render_markdown
from portal.models import DisclosureCategory, InfoPage
from portal.services.audit import record
from portal.services.loader import ACTOR, ContentError, LoadReport, Source, find_agency, read_source
from portal.services.xxgk.categories import RULES, SLUG_RE, STATUTORY, lookup

RESERVED = {c.slug for c in (*STATUTORY, RULES)} | {c.name for c in (*STATUTORY, RULES)}


def unknown_category(src: Source, key: str, value: str, sess: Session) -> ContentError:
    from portal.services.xxgk.categories import all_categories

    allowed = ", ".join(c.slug for c in all_categories(sess))
    return src.fail(key, f"unknown {key} '{value}' (allowed: {allowed}; or a category's Chinese name)")


def category_of(sess: Session, src: Source, key: str) -> str:
    """The slug of the category a content file names (by slug or name), "" when it names none."""
    value = src.text(key)
    if not value:
        return ""
    found = lookup(sess, value)
    if found is None:
        raise unknown_category(src, key, value, sess)
    return found.slug


def load_categories(sess: Session, path: Path, report: LoadReport) -> None:
    try:
        src = read_source(path)
        entries = src.meta.get("categories")
        if not isinstance(entries, list):
            raise ContentError("categories.yml must hold a list under 'categories'", 1)
        seen: set[str] = set()
        rows = []
        for number, entry in enumerate(entries, start=1):
            where = f"category {number}"
            if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("name"):
                raise ContentError(f"{where}: a category needs 'slug' and 'name'", src.line("categories"))
            slug, name = str(entry["slug"]).strip(), str(entry["name"]).strip()
            if not re.match(SLUG_RE, slug):
                raise ContentError(
                    f"{where}: bad slug '{slug}' (lower-case letters, digits, '-')", src.line("categories")
                )
            if slug in RESERVED or name in RESERVED:
                raise ContentError(
                    f"{where}: '{slug}' / '{name}' is a statutory category already", src.line("categories")
                )
            if slug in seen or name in seen:
                raise ContentError(f"{where}: '{slug}' / '{name}' is listed twice", src.line("categories"))
            seen |= {slug, name}
            rows.append(
                {
                    "slug": slug,
                    "name": name,
                    "description": str(entry.get("description") or "").strip(),
                    "basis": str(entry.get("basis") or "《政府信息公开条例》第二十一条").strip(),
                    "position": number,
                }
            )
    except ContentError as exc:
        report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
        return
    with sess.begin_nested():
        existing = {c.slug: c for c in sess.scalars(select(DisclosureCategory))}
        for slug, gone in existing.items():
            if slug not in seen:
                record(
                    sess,
                    ACTOR,
                    "category.delete",
                    gone,
                    before={"slug": slug, "name": gone.name},
                    note=str(path),
                )
                sess.delete(gone)
                report.updated.append(f"category:{slug}")
        sess.flush()
        for values in rows:
            row: DisclosureCategory | None = existing.get(str(values["slug"]))
            if row is None:
                row = DisclosureCategory(**values)
                sess.add(row)
                sess.flush()
                record(sess, ACTOR, "category.create", row, after=values, note=str(path))
                report.created.append(f"category:{row.slug}")
            elif any(getattr(row, k) != v for k, v in values.items()):
                before = {k: getattr(row, k) for k in values}
                for k, v in values.items():
                    setattr(row, k, v)
                record(sess, ACTOR, "category.update", row, before=before, after=values, note=str(path))
                report.updated.append(f"category:{row.slug}")
            else:
                report.unchanged.append(f"category:{row.slug}")


def _apply_page(sess: Session, src: Source, page: InfoPage) -> None:
    page.title = str(src.require("title")).strip()
    page.category = category_of(sess, src, "category")
    if not page.category:
        raise src.fail("category", "missing required field 'category'")
    published = src.date("published_on")
    if published is None:
        raise src.fail("published_on", "missing required field 'published_on' (every item shows its date)")
    page.published_on = published
    agency_ref = src.text("agency")
    page.agency = None
    if agency_ref:
        page.agency = find_agency(sess, agency_ref)
        if page.agency is None:
            raise src.fail("agency", f"unknown agency '{agency_ref}'")
    page.body_md = src.body
    page.body_html = render_markdown(src.body)


def load_pages(sess: Session, directory: Path, report: LoadReport) -> None:
    for path in sorted(directory.glob("*.md")):
        slug = path.stem
        try:
            src = read_source(path)
            page = sess.scalars(select(InfoPage).where(InfoPage.slug == slug)).first()
            if page is not None and page.content_hash == src.digest:
                report.unchanged.append(f"page:{slug}")
                continue
            with sess.begin_nested():
                is_new = page is None
                page = page or InfoPage(slug=slug)
                with sess.no_autoflush:
                    _apply_page(sess, src, page)
                page.content_hash = src.digest
                sess.add(page)
                sess.flush()
                record(
                    sess,
                    ACTOR,
                    f"page.{'create' if is_new else 'update'}",
                    page,
                    after={"title": page.title, "category": page.category},
                    note=str(path),
                )
        except ContentError as exc:
            report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
            continue
        (report.created if is_new else report.updated).append(f"page:{slug}")

"""Loading the column's content: the district's categories (content/xxgk/categories.yml) and the
information pages (content/xxgk/pages/<slug>.md). Both are upserts keyed by slug, like every loader, written
by the column's service functions (:mod:`portal.services.xxgk.editing`: the rules, the audit).

categories.yml is configuration: a category no longer listed there is removed (the documents that carried
it show on the staff dashboard as uncategorised). A page whose category is unknown loads nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import InfoPage
from portal.services.loader import ACTOR, ContentError, LoadReport, Source, find_agency, read_source
from portal.services.xxgk import editing
from portal.services.xxgk.categories import lookup


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
    """The file is the whole list, written by :func:`~portal.services.xxgk.editing.save_categories` as
    the actor ``content``; a refused list writes nothing."""
    try:
        src = read_source(path)
        entries = src.meta.get("categories")
        if not isinstance(entries, list):
            raise ContentError("categories.yml must hold a list under 'categories'", 1)
        rows = [
            editing.CategoryEntry(
                slug=str(entry.get("slug") or "").strip(),
                name=str(entry.get("name") or "").strip(),
                description=str(entry.get("description") or "").strip(),
                basis=str(entry.get("basis") or editing.DEFAULT_BASIS).strip(),
            )
            if isinstance(entry, dict)
            else editing.CategoryEntry("", "")
            for entry in entries
        ]
        with sess.begin_nested():
            done = src.check(editing.save_categories, sess, ACTOR, rows, str(path), key="categories")
    except ContentError as exc:
        report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
        return
    report.created += done.created
    report.updated += done.updated
    report.unchanged += done.unchanged


def page_form(sess: Session, src: Source) -> editing.PageForm:
    """A page file read into the values a writer gives; the service checks them."""
    agency_ref = src.text("agency")
    agency = find_agency(sess, agency_ref) if agency_ref else None
    if agency_ref and agency is None:
        raise src.fail("agency", f"unknown agency '{agency_ref}'")
    return editing.PageForm(
        title=src.text("title"),
        category=src.text("category"),
        published_on=src.text("published_on") or None,
        agency_id=agency.id if agency else None,
        body_md=src.body,
    )


def load_pages(sess: Session, directory: Path, report: LoadReport) -> None:
    """Each file is written by :func:`~portal.services.xxgk.editing.save_page` as the actor ``content``."""
    for path in sorted(directory.glob("*.md")):
        slug = path.stem
        try:
            src = read_source(path)
            page = sess.scalars(select(InfoPage).where(InfoPage.slug == slug)).first()
            if page is not None and page.content_hash == src.digest:
                report.unchanged.append(f"page:{slug}")
                continue
            form = page_form(sess, src)
            with sess.begin_nested():
                before = None if page is None else editing.page_state(page)
                saved = src.check(
                    editing.save_page, sess, ACTOR, form, page, slug, str(path), keys={"slug": "title"}
                )
                changed = before != editing.page_state(saved)
                saved.content_hash = src.digest
        except ContentError as exc:
            report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
            continue
        if page is None:
            report.created.append(f"page:{slug}")
        else:
            (report.updated if changed else report.unchanged).append(f"page:{slug}")

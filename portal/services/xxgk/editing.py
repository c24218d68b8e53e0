"""The writes of the column's own records: the district's categories (art 21) and the information pages,
each with its rules and audit, for ``portal load`` (content/xxgk/) and any staff form that comes later.

A refused record raises :class:`~portal.services.refusals.Refused` before anything is written, with each
problem in Chinese (a form) and English (the loader); a save that changes nothing writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.ingest.markdown import render_markdown
from portal.models import Agency, DisclosureCategory, InfoPage, User
from portal.services import fields
from portal.services.audit import record
from portal.services.compliance import RuleProblem
from portal.services.refusals import refuse
from portal.services.xxgk.categories import RULES, SLUG_RE, STATUTORY, all_categories, lookup

RESERVED = {c.slug for c in (*STATUTORY, RULES)} | {c.name for c in (*STATUTORY, RULES)}
DEFAULT_BASIS = "《政府信息公开条例》第二十一条"
NAME_MAX, BASIS_MAX = 64, 128  # the column sizes (the slug's is in SLUG_RE)


# -- the district's categories ----------------------------------------------------------------------


@dataclass
class CategoryEntry:
    slug: str
    name: str
    description: str = ""
    basis: str = DEFAULT_BASIS


@dataclass
class Saved:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def check_categories(entries: list[CategoryEntry]) -> list[RuleProblem]:
    """Every rule the list breaks (the first of each entry)."""
    problems = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where, at = f"category {number}", f"第{number}个类别"
        slug, name = entry.slug, entry.name
        if not slug or not name:
            problem = RuleProblem(
                "slug", f"{at}：请填写标识和名称。", f"{where}: a category needs 'slug' and 'name'"
            )
        elif not re.match(SLUG_RE, slug):
            problem = RuleProblem(
                "slug",
                f"{at}：标识只能包含小写字母、数字和连字符，2–32 个字符，以字母开头。",
                f"{where}: bad slug '{fields.shown(slug, 40)}' (2-32 lower-case letters, digits, '-', "
                "starting with a letter)",
            )
        elif len(name) > NAME_MAX or len(entry.basis) > BASIS_MAX:
            problem = RuleProblem(
                "name",
                f"{at}：名称不能超过 {NAME_MAX} 个字符，依据不能超过 {BASIS_MAX} 个字符。",
                f"{where}: 'name' must be at most {NAME_MAX} characters and 'basis' at most {BASIS_MAX}",
            )
        elif slug in RESERVED or name in RESERVED:
            problem = RuleProblem(
                "slug",
                f"{at}：与法定类别重复。",
                f"{where}: '{slug}' / '{name}' is a statutory category already",
            )
        elif slug in seen or name in seen:
            problem = RuleProblem(
                "slug", f"{at}：重复列出。", f"{where}: '{slug}' / '{name}' is listed twice"
            )
        else:
            seen |= {slug, name}
            continue
        problems.append(problem)
    return problems


def save_categories(sess: Session, actor: User | str, entries: list[CategoryEntry], note: str = "") -> Saved:
    """Make ``entries`` the district's categories, in their order: a category left out is removed (the
    documents that carried it are listed on the staff dashboard as uncategorised)."""
    refuse(check_categories(entries))
    done = Saved()
    wanted = {e.slug for e in entries}
    existing = {c.slug: c for c in sess.scalars(select(DisclosureCategory))}
    for slug, gone in existing.items():
        if slug not in wanted:
            record(sess, actor, "category.delete", gone, before={"slug": slug, "name": gone.name}, note=note)
            sess.delete(gone)
            done.updated.append(f"category:{slug}")
    sess.flush()  # a name may pass from a removed category to a new one
    for position, entry in enumerate(entries, start=1):
        values: dict[str, Any] = {
            "slug": entry.slug,
            "name": entry.name,
            "description": entry.description,
            "basis": entry.basis or DEFAULT_BASIS,
            "position": position,
        }
        row = existing.get(entry.slug)
        if row is None:
            row = DisclosureCategory(**values)
            sess.add(row)
            sess.flush()
            record(sess, actor, "category.create", row, after=values, note=note)
            done.created.append(f"category:{row.slug}")
        elif any(getattr(row, k) != v for k, v in values.items()):
            before = {k: getattr(row, k) for k in values}
            for k, v in values.items():
                setattr(row, k, v)
            record(sess, actor, "category.update", row, before=before, after=values, note=note)
            done.updated.append(f"category:{row.slug}")
        else:
            done.unchanged.append(f"category:{row.slug}")
    return done


# -- information pages ------------------------------------------------------------------------------


@dataclass
class PageForm:
    """An information page as a writer gives it, not yet checked: ``category`` by slug or name,
    ``published_on`` a date or its text."""

    title: str
    category: str
    published_on: date | str | None
    agency_id: int | None = None
    body_md: str = ""


def _checked(sess: Session, form: PageForm, slug: str) -> tuple[list[RuleProblem], str, date | None]:
    """The problems, and the category's slug and the date when they are valid."""
    problems = []
    for rule in (
        lambda: fields.check_title(form.title),
        lambda: fields.check_slug(slug) if slug else None,
    ):
        try:
            rule()
        except RuleProblem as problem:
            problems.append(problem)
    category = lookup(sess, form.category)
    if not form.category:
        problems.append(RuleProblem("category", "请选择公开类别。", "missing required field 'category'"))
    elif category is None:
        allowed = ", ".join(c.slug for c in all_categories(sess))
        problems.append(
            RuleProblem(
                "category",
                "公开类别无效。",
                f"unknown category '{fields.shown(form.category)}' (allowed: {allowed}; or a category's "
                "Chinese name)",
            )
        )
    day = None
    try:
        day = fields.parse_date(form.published_on, "published_on", "发布日期")
        if day is None:
            problems.append(
                RuleProblem(
                    "published_on",
                    "请填写发布日期。",
                    "missing required field 'published_on' (every item shows its date)",
                )
            )
    except RuleProblem as problem:
        problems.append(problem)
    if form.agency_id is not None and sess.get(Agency, form.agency_id) is None:
        problems.append(RuleProblem("agency", "发布机关无效。", "unknown agency"))
    return problems, category.slug if category else "", day


def check_page(sess: Session, form: PageForm, slug: str = "") -> list[RuleProblem]:
    return _checked(sess, form, slug)[0]


def page_state(page: InfoPage) -> dict[str, Any]:
    return {
        "title": page.title,
        "category": page.category,
        "published_on": page.published_on.isoformat() if page.published_on else None,
        "agency_id": page.agency_id,
        "body_md": page.body_md,
    }


def save_page(
    sess: Session,
    actor: User | str,
    form: PageForm,
    page: InfoPage | None = None,
    slug: str = "",
    note: str = "",
) -> InfoPage:
    """Create (with ``slug``) or update an information page, with an audit entry."""
    problems, category, day = _checked(sess, form, slug if page is None else "")
    refuse(problems)
    assert day is not None  # checked
    wanted = {
        "title": form.title,
        "category": category,
        "published_on": day.isoformat(),
        "agency_id": form.agency_id,
        "body_md": form.body_md,
    }
    before = None if page is None else page_state(page)
    if before == wanted:
        return page  # type: ignore[return-value]  # before is None when page is
    if page is None:
        page = InfoPage(slug=slug)
        sess.add(page)
    page.title, page.category, page.published_on = form.title, category, day
    page.agency_id = form.agency_id
    page.body_md, page.body_html = form.body_md, render_markdown(form.body_md)
    sess.flush()
    shown = None if before is None else {"title": before["title"], "category": before["category"]}
    after = {"title": page.title, "category": page.category}
    action = f"page.{'create' if before is None else 'update'}"
    record(sess, actor, action, page, before=shown, after=after, note=note)
    return page

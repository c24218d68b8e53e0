"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, before_render_template, current_app
from jinja2 import Template

from portal.clock import LOCAL_TZ
from portal.models.accounts import ROLES
from portal.models.documents import DISCLOSURE, STATUS, VALIDITY
from portal.models.interpretations import FORMS


def cn_date(value: date | datetime | None) -> str:
    """2020年6月2日, in Beijing time for datetimes."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ) if value.tzinfo else value
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime | None) -> str:
    """2020年6月2日 14:05, in Beijing time."""
    if value is None:
        return ""
    local = value.astimezone(LOCAL_TZ) if value.tzinfo else value
    return f"{cn_date(local)} {local:%H:%M}"


def iso_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = (value.astimezone(LOCAL_TZ) if value.tzinfo else value).date()
    return value.isoformat()


def book_title(title: str) -> str:
    """A title in book-title marks, 《…》, without doubling marks a title already carries."""
    title = (title or "").strip()
    if title.startswith("《") and title.endswith("》"):
        return title
    return f"《{title}》"


def _belongs_to(agency: Any, site_name: str) -> bool:
    """The agency is the district's (the body named as the site) or one of the bodies under it."""
    seen = set()
    while agency is not None and agency.id not in seen:
        if agency.name == site_name:
            return True
        seen.add(agency.id)
        agency = agency.parent
    return False


def forwarded_from(doc: Any) -> list[Any]:
    """The issuing bodies of a document that none of the district's bodies signed (a municipal
    document, say): the site forwards it (转发), and the page must not present it as the district's own."""
    site_name = current_app.extensions["settings"].site_name
    agencies = list(doc.agencies)
    if not agencies or any(_belongs_to(a, site_name) for a in agencies):
        return []
    return agencies


def init_app(app: Flask) -> None:
    app.jinja_env.filters["cn_date"] = cn_date
    app.jinja_env.filters["book_title"] = book_title
    app.jinja_env.globals["forwarded_from"] = forwarded_from
    app.jinja_env.filters["iso_date"] = iso_date
    app.jinja_env.filters["cn_datetime"] = cn_datetime
    app.jinja_env.globals.update(
        VALIDITY=VALIDITY, DISCLOSURE=DISCLOSURE, STATUS=STATUS, FORMS=FORMS, ROLES=ROLES
    )

    @app.context_processor
    def _site() -> dict:
        return {"settings": current_app.extensions["settings"]}

    before_render_template.connect(_identity, app)


def _identity(sender: Flask, template: Template, context: dict[str, Any], **_: Any) -> None:
    """Every page's meta tags and footer identity, built once in the service from the page's own data
    (NORMS 47): templates print them and never assemble them."""
    from portal.services.compliance import site_meta

    settings = sender.extensions["settings"]
    context.setdefault("page_meta", site_meta.page_meta(settings, template.name or "", context))
    context.setdefault("site_footer", site_meta.footer(settings))

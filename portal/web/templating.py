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
from portal.services import forwarding
from portal.services.documents import book_title
from portal.web.site_frame import site_frame


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


def forwarded_from(doc: Any) -> list[Any]:
    """The issuing bodies of a reposted document (转发; :mod:`portal.services.forwarding`), or []."""
    return forwarding.forwarded_from(doc, current_app.extensions["settings"].site_name)


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
    """Every page's meta tags, built in the service from the page's own data (NORMS 47), and the site's
    frame (header, menu, footer identity), rendered once per public-content stamp: templates print them
    and never assemble them."""
    from portal.services.compliance import site_meta

    settings = sender.extensions["settings"]
    context.setdefault("page_meta", site_meta.page_meta(settings, template.name or "", context))
    context.setdefault("site_frame", site_frame(sender))

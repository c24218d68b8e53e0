"""Public pages of the 政府信息公开专栏 (/xxgk/): 指南, 制度, 法定主动公开内容 and 年报 (NORMS 3, 4, 2, 37).

Paths follow what Chinese government sites use for these columns (xxgkzn, xxgkzd, fdzdgknr, xxgknb), so
that an inspector finds them where they expect; each page's data comes from portal/services/xxgk/pages.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, abort, render_template
from sqlalchemy.orm import Session

from portal import db
from portal.services.foi import deadlines
from portal.services.xxgk import pages
from portal.services.xxgk.categories import RULES, sections
from portal.web.public_urls import public_urls

bp = Blueprint("xxgk", __name__, url_prefix="/xxgk")
session = db.session  # the app's scoped session, typed as the Session it proxies


@bp.get("/")
def index() -> str:
    return render_template(
        "xxgk/index.html", counts=pages.section_counts(session), reports=pages.annual_reports(session)
    )


@bp.get("/xxgkzn/")
def guide() -> str:
    return render_template(
        "xxgk/guide.html",
        categories=sections(session),
        rules=RULES,
        offices=pages.guide_offices(session),
        reply_days=deadlines.REPLY_WORKING_DAYS,
    )


@bp.get("/xxgkzd/")
def rules() -> str:
    return render_template("xxgk/rules.html", category=RULES, entries=pages.rules(session))


@bp.get("/fdzdgknr/")
def sections_index() -> str:
    return render_template("xxgk/sections.html", counts=pages.section_counts(session))


@bp.get("/fdzdgknr/<slug>/", defaults={"page": 1})
@bp.get("/fdzdgknr/<slug>/page/<int:page>/")
def section(slug: str, page: int) -> str:
    category = pages.category(session, slug)
    if category is None:
        abort(404)
    result = pages.listing(session, category, page)
    if page < 1 or page > result.pages:  # (…/page/1/ is redirected to the section by the route's default)
        abort(404)
    return render_template("xxgk/section.html", result=result)


@bp.get("/xxgknb/")
def reports() -> str:
    return render_template("xxgk/reports.html", years=pages.annual_reports(session))


@bp.get("/info/<slug>/")
def info(slug: str) -> str:
    item = pages.info_page(session, slug)
    if item is None:
        abort(404)
    return render_template("xxgk/info.html", item=item, category=pages.category_of(session, item))


@public_urls
def xxgk_urls(sess: Session) -> Iterator[str]:
    yield "/xxgk/"
    yield "/xxgk/xxgkzn/"
    yield "/xxgk/xxgkzd/"
    yield "/xxgk/fdzdgknr/"
    for count in pages.section_counts(sess):
        base = f"/xxgk/fdzdgknr/{count.category.slug}/"
        yield base
        for n in range(2, max(1, -(-count.count // pages.PAGE_SIZE)) + 1):
            yield f"{base}page/{n}/"
    yield "/xxgk/xxgknb/"
    for item in pages.info_pages(sess):
        yield f"/xxgk/info/{item.slug}/"

"""The routes of ``/api/v1/``: parse the query through the declared model, call a service, answer through
the declared response model. Withdrawn and unpublished items are absent (404), as are drafts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, current_app, render_template, request, url_for
from pydantic import Field
from werkzeug.exceptions import HTTPException

from portal.clock import today_local
from portal.db import session
from portal.models.documents import VALIDITY
from portal.services import open_data
from portal.services import targets as target_service
from portal.services.enquiries import pages as enquiry_pages
from portal.services.policies import queries as policies
from portal.services.policies.document_page import document_page
from portal.services.policies.interpretation_page import interpretation_page
from portal.services.staff_lists import Page
from portal.web.api import records, schemas
from portal.web.api.blueprint import bp
from portal.web.api.bulk import current_build, stale_uncached
from portal.web.api.schemas import Model
from portal.web.api.spec import build_spec, operation, page_links, paged, read_args, respond

YEAR = Field(None, ge=1949, le=2100, description="年份（发布、开始或举行的年份）")
PAGE = Field(None, ge=1, le=99999, description="页码，从 1 开始")
AGENCY = Field(None, max_length=64, description="部门代码（agency 分面中的 value）")
# Slugs are file names of content/ (ASCII letters, digits, - and _): what the description promises.
SLUG = {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[A-Za-z0-9_-]+$"}


class DocumentQuery(Model):
    agency: str | None = Field(None, max_length=64, description="发文机关代码（facets.agency 的 value）")
    year: int | None = Field(None, ge=1949, le=2100, description="发布年份")
    genre: str | None = Field(None, max_length=32, description="公文种类，如“通知”“政府信息公开工作年度报告”")
    topic: str | None = Field(None, max_length=64, description="主题分类")
    validity: str | None = Field(
        None,
        json_schema_extra={"enum": list(VALIDITY)},
        description="有效性：valid、amended、repealed、expired",
    )
    normative: str | None = Field(
        None, json_schema_extra={"enum": ["1", "0"]}, description="1 规范性文件，0 其他"
    )
    q: str | None = Field(None, max_length=100, description="标题或文号包含的词（空格分隔，至多 5 个）")
    sort: str | None = Field(None, json_schema_extra={"enum": ["date", "date_asc"]}, description="排序")
    page: int | None = PAGE


class YearAgencyQuery(Model):
    agency: str | None = AGENCY
    year: int | None = YEAR
    page: int | None = PAGE


class YearQuery(Model):
    year: int | None = YEAR
    page: int | None = PAGE


class EnquiryQuery(Model):
    agency: str | None = AGENCY
    topic: str | None = Field(None, max_length=16, description="留言主题代码，如 policy、education")
    year: int | None = Field(None, ge=1949, le=2100, description="留言年份")
    q: str | None = Field(None, max_length=100, description="标题、答复（及公开的留言内容）包含的词")
    page: int | None = PAGE


def _filters(query: Model) -> dict[str, Any]:
    return {k: v for k, v in query.model_dump().items() if k != "page"}


def paged_list(
    model: type[schemas.Paged],
    query: Model,
    ignored: list[str],
    found: Page,
    summary: Callable[[Any], dict[str, Any]],
    *,
    per_page: int = open_data.PAGE_SIZE,
) -> Response:
    """One page of a list route: ``found``'s items as ``summary`` records under the model's one list field
    (``consultations``, ``issues``...), the page figures, the ignored parameters, and the links of this
    endpoint with the filters of ``query`` (without its page), in the body and the ``Link`` header."""
    (field,) = model.model_fields.keys() - schemas.Paged.model_fields.keys()
    links = page_links(request.endpoint or "", _filters(query), found.page, found.pages)
    return paged(
        model,
        links,
        total=found.total,
        page=found.page,
        pages=found.pages,
        per_page=per_page,
        ignored=ignored,
        **{field: [summary(item) for item in found.items]},
    )


@bp.get("/")
@operation(summary="接口目录", tag="目录", response=schemas.ApiIndex)
def index() -> Any:
    collections = {
        "documents": url_for("api.documents", _external=True),
        "annual_reports": url_for("api.documents", genre=ANNUAL_REPORT_GENRE, _external=True),
        "interpretations": url_for("api.interpretations", _external=True),
        "consultations": url_for("api.consultations", _external=True),
        "gazette": url_for("api.gazette", _external=True),
        "meetings": url_for("api.meetings", _external=True),
        "enquiries": url_for("api.enquiries", _external=True),
        "targets": url_for("api.targets", _external=True),
    }
    return respond(
        schemas.ApiIndex,
        description="政务公开开放数据接口（只读）。说明见 docs，机器可读描述见 openapi。",
        openapi=url_for("api.openapi", _external=True),
        docs=url_for("api.docs", _external=True),
        bulk=url_for("api.bulk", _external=True),
        collections=collections,
    )


# Annual reports (政府信息公开工作年度报告) are documents of this genre: the documents endpoint lists them.
ANNUAL_REPORT_GENRE = "政府信息公开工作年度报告"


@bp.get("/documents")
@operation(
    summary="政策文件列表",
    description="主动公开的已发布文件，可按部门、年份、公文种类（年度报告即 genre=政府信息公开工作年度报告）、"
    "主题、有效性、规范性筛选，按标题或文号检索。每页 20 条。",
    tag="政策文件",
    query=DocumentQuery,
    response=schemas.DocumentList,
)
def documents() -> Any:
    query = policies.LibraryQuery.from_args(request.args)
    result = policies.browse(session, query)
    links = page_links("api.documents", query.args(), result.page, result.pages)
    return paged(
        schemas.DocumentList,
        links,
        total=result.total,
        page=result.page,
        pages=result.pages,
        per_page=policies.PAGE_SIZE,
        ignored=query.ignored,
        facets={
            name: [{"value": v, "label": label, "count": n} for v, label, n in values]
            for name, values in result.facets.items()
        },
        documents=[records.document_summary(d) for d in result.documents],
    )


@bp.get("/documents/<slug>")
@operation(
    summary="政策文件详情",
    description="正文、任务分工、解读、修订废止关系、更新记录、附件、所在公报、相关意见征集。",
    tag="政策文件",
    path_params=(("slug", "文件标识", SLUG),),
    response=schemas.DocumentDetail,
    not_found=True,
)
def document(slug: str) -> Any:
    page = document_page(session, slug)
    if page is None:
        abort(404)
    return respond(schemas.DocumentDetail, **records.document_detail(page))


@bp.get("/interpretations")
@operation(
    summary="政策解读列表",
    tag="政策解读",
    query=YearAgencyQuery,
    response=schemas.InterpretationList,
)
def interpretations() -> Any:
    query, ignored = read_args(YearAgencyQuery)
    items, page, pages, total = policies.interpretations_page(
        session, query.year, query.agency or "", query.page or 1, open_data.PAGE_SIZE
    )
    found = Page(items, page, pages, total)
    return paged_list(schemas.InterpretationList, query, ignored, found, records.interpretation_summary)


@bp.get("/interpretations/<slug>")
@operation(
    summary="政策解读详情",
    tag="政策解读",
    path_params=(("slug", "解读标识", SLUG),),
    response=schemas.InterpretationDetail,
    not_found=True,
)
def interpretation(slug: str) -> Any:
    page = interpretation_page(session, slug)
    if page is None:
        abort(404)
    return respond(schemas.InterpretationDetail, **records.interpretation_detail(page))


@bp.get("/consultations")
@operation(summary="意见征集列表", tag="意见征集", query=YearAgencyQuery, response=schemas.ConsultationList)
def consultations() -> Any:
    query, ignored = read_args(YearAgencyQuery)
    found = open_data.consultations_page(session, query.agency or "", query.year, query.page or 1)
    today = today_local()
    return paged_list(
        schemas.ConsultationList, query, ignored, found, lambda c: records.consultation_summary(c, today)
    )


@bp.get("/consultations/<slug>")
@operation(
    summary="意见征集详情",
    description="草案条款、已公开的意见（不含姓名和联系方式）、意见采纳情况反馈。",
    tag="意见征集",
    path_params=(("slug", "征集标识", SLUG),),
    response=schemas.ConsultationDetail,
    not_found=True,
)
def consultation(slug: str) -> Any:
    found = open_data.consultation_record(session, slug)
    if found is None:
        abort(404)
    return respond(schemas.ConsultationDetail, **records.consultation_detail(found))


@bp.get("/gazette")
@operation(summary="政府公报列表", tag="政府公报", query=YearQuery, response=schemas.GazetteList)
def gazette() -> Any:
    query, ignored = read_args(YearQuery)
    found = open_data.gazette_page(session, query.year, query.page or 1)
    return paged_list(schemas.GazetteList, query, ignored, found, records.gazette_summary)


@bp.get("/gazette/<int:year>/<int:number>")
@operation(
    summary="政府公报一期",
    tag="政府公报",
    path_params=(
        ("year", "年份", {"type": "integer", "minimum": 0, "maximum": 2147483647}),
        ("number", "期号", {"type": "integer", "minimum": 0, "maximum": 2147483647}),
    ),
    response=schemas.GazetteDetail,
    not_found=True,
)
def gazette_issue(year: int, number: int) -> Any:
    from portal.services import gazette as gazette_service

    found = gazette_service.public_issue(session, year, number)
    if found is None:
        abort(404)
    return respond(schemas.GazetteDetail, **records.gazette_detail(*found))


@bp.get("/meetings")
@operation(summary="开放的会议列表", tag="会议开放", query=YearAgencyQuery, response=schemas.MeetingList)
def meetings() -> Any:
    query, ignored = read_args(YearAgencyQuery)
    found = open_data.meetings_page(session, query.agency or "", query.year, query.page or 1)
    return paged_list(schemas.MeetingList, query, ignored, found, records.meeting_summary)


@bp.get("/meetings/<slug>")
@operation(
    summary="会议详情及纪要",
    tag="会议开放",
    path_params=(("slug", "会议标识", SLUG),),
    response=schemas.MeetingDetail,
    not_found=True,
)
def meeting(slug: str) -> Any:
    from portal.services import meetings as meeting_service

    found = meeting_service.public_meeting(session, slug)
    if found is None:
        abort(404)
    return respond(schemas.MeetingDetail, **records.meeting_detail(found))


@bp.get("/enquiries")
@operation(
    summary="已公开的政务咨询",
    description="已答复并公开的留言；不含写信人的姓名、电话、电子邮箱。",
    tag="政务咨询",
    query=EnquiryQuery,
    response=schemas.EnquiryList,
)
def enquiries() -> Any:
    query, ignored = read_args(EnquiryQuery)
    found = open_data.enquiries_page(
        session, query.agency or "", query.topic or "", query.year, query.q or "", query.page or 1
    )
    return paged_list(
        schemas.EnquiryList, query, ignored, found, records.enquiry_summary, per_page=enquiry_pages.PAGE_SIZE
    )


@bp.get("/enquiries/<int:enquiry_id>")
@operation(
    summary="一条已公开的政务咨询",
    tag="政务咨询",
    path_params=(("enquiry_id", "留言编号", {"type": "integer", "minimum": 0, "maximum": 2147483647}),),
    response=schemas.EnquiryDetail,
    not_found=True,
)
def enquiry(enquiry_id: int) -> Any:
    found = enquiry_pages.published_item(session, enquiry_id)
    if found is None:
        abort(404)
    return respond(schemas.EnquiryDetail, **records.enquiry_detail(found))


@bp.get("/targets")
@operation(summary="工作目标年份", tag="工作目标", response=schemas.TargetYears)
def targets() -> Any:
    years = target_service.declared_years(session)
    return respond(
        schemas.TargetYears,
        years=years,
        links={str(y): url_for("api.target_year", year=y, _external=True) for y in years},
    )


@bp.get("/targets/<int:year>")
@operation(
    summary="一年的工作目标及完成情况",
    description="由记录实时计算，从不人工填报。",
    tag="工作目标",
    path_params=(("year", "年份", {"type": "integer", "minimum": 0, "maximum": 2147483647}),),
    response=schemas.TargetYear,
    not_found=True,
)
def target_year(year: int) -> Any:
    if not 1990 <= year <= 2100 or year not in target_service.declared_years(session):
        abort(404)
    report = target_service.year_report(session, year)
    return respond(
        schemas.TargetYear,
        year=year,
        computed_on=report.today.isoformat(),
        targets=[records.target_figure(r) for r in report.results],
    )


@bp.get("/bulk")
@operation(
    summary="批量下载文件",
    description="每种数据每年一个 JSON Lines 文件和一个 CSV 文件（UTF-8，带 BOM）。内容更新后先给出上一次生成的文件，同时在后台重新生成（current 为 false）。",
    tag="批量下载",
    response=schemas.BulkList,
)
def bulk() -> Any:
    found = current_build()
    response = respond(
        schemas.BulkList,
        page=url_for("data.index", _external=True),
        built_at=found.built_at.isoformat(timespec="seconds"),
        current=found.current,
        files=[
            {
                "type": f.kind,
                "year": f.year,
                "format": f.fmt,
                "url": url_for("data.file", name=f.name, _external=True),
                "rows": f.rows,
                "bytes": f.size,
            }
            for f in found.files
        ],
    )
    return stale_uncached(response, found)


@bp.get("/openapi.json")
def openapi() -> Any:
    spec = current_app.extensions.get("openapi_spec")
    if spec is None:  # built once per app: the routes do not change while it runs
        spec = current_app.extensions["openapi_spec"] = build_spec(current_app)
    return spec


@bp.get("/docs")
def docs() -> Any:
    spec = current_app.extensions.get("openapi_spec") or build_spec(current_app)
    return render_template("api/docs.html", spec=spec)


@bp.errorhandler(HTTPException)
def json_error(exc: HTTPException) -> Any:
    messages = {
        404: "未找到该条目。",
        400: "请求参数有误。",
        405: "不支持该请求方式。",
        429: "请求过于频繁。",
    }
    code = exc.code or 500
    return respond(schemas.Error, error=code, message=messages.get(code, "请求未能完成。")), code

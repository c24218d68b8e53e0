"""How an API route is declared once and described from that declaration.

``@operation(...)`` on a view records its summary, its query model and its response model; the view parses
its query string through that model (:func:`read_args`) and answers through the response model
(:func:`respond`). :func:`build_spec` walks the app's URL map (paths through apispec's Flask plugin) and
writes the OpenAPI 3.1 document from the same records and the models' JSON Schemas (pydantic writes JSON
Schema 2020-12, the dialect of OpenAPI 3.1), so a route without a declaration, or a declaration that no
longer matches what is served, fails the spec test instead of drifting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask, Response, jsonify, request, url_for
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from portal.web.api import schemas

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
REF = "#/components/schemas/{model}"

F = TypeVar("F", bound=Callable[..., Any])
Q = TypeVar("Q", bound=BaseModel)


@dataclass(frozen=True)
class Operation:
    summary: str
    response: type[BaseModel]
    tag: str
    description: str = ""
    query: type[BaseModel] | None = None
    path_params: tuple[tuple[str, str, dict[str, Any]], ...] = ()  # (name, description, schema)
    not_found: bool = False  # may answer 404 (an item that is not public)


def operation(**kwargs: Any) -> Callable[[F], F]:
    """Declare a GET route of the API: what the description says about it."""
    op = Operation(**kwargs)

    def wrap(view: F) -> F:
        view.openapi = op  # type: ignore[attr-defined]
        return view

    return wrap


# -- answering ---------------------------------------------------------------------------------------


def read_args(model: type[Q]) -> tuple[Q, list[str]]:
    """The query string through ``model``, one parameter at a time: a value the model refuses is dropped
    and named in ``ignored`` (the API filters leniently, like the pages), never a 500."""
    good: dict[str, Any] = {}
    ignored: list[str] = []
    for name in model.model_fields:
        raw = request.args.get(name, "").strip()
        if not raw:
            continue
        try:
            model.model_validate({name: raw})
        except ValidationError:
            ignored.append(f"{name}“{raw[:40]}”")
            continue
        good[name] = raw
    return model.model_validate(good), ignored


def respond(model: type[BaseModel], **data: Any) -> Response:
    """Validate ``data`` against the declared response model, then send it."""
    return jsonify(model.model_validate(data).model_dump(mode="json"))


def page_links(
    endpoint: str, args: dict[str, Any], page: int, pages: int, **view_args: Any
) -> dict[str, Any]:
    """Absolute links of a paged list. Filters keep one fixed order and empty ones are left out, so a page
    has one address however the request spelled it (caches and crawlers see one URL per page)."""
    kept = [(k, v) for k, v in args.items() if v not in (None, "")]

    def link(number: int) -> str:
        query = urlencode([*kept, *([("page", number)] if number > 1 else [])])
        base = url_for(endpoint, _external=True, **view_args)
        return f"{base}?{query}" if query else base

    return {
        "self": link(page),
        "first": link(1),
        "last": link(pages),
        "next": link(page + 1) if page < pages else None,
        "prev": link(page - 1) if page > 1 else None,
    }


def link_header(links: dict[str, Any]) -> str:
    """RFC 8288 ``Link`` header of :func:`page_links`."""
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self")


def paged(model: type[BaseModel], links: dict[str, Any], **data: Any) -> Response:
    response = respond(model, links=links, **data)
    response.headers["Link"] = link_header(links)
    return response


# -- the description ---------------------------------------------------------------------------------


def _param_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema without the null branch of an optional field and pydantic's title."""
    schema = {k: v for k, v in schema.items() if k not in ("title", "default")}
    if "anyOf" in schema:
        branches = [b for b in schema.pop("anyOf") if b.get("type") != "null"]
        if len(branches) == 1:
            schema.update(branches[0])
        else:
            schema["anyOf"] = branches
    return schema


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    out = []
    for name, prop in schema.get("properties", {}).items():
        out.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": prop.get("description", ""),
                "schema": _param_schema(prop),
            }
        )
    return out


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
    }


def api_views(app: Flask) -> list[tuple[str, Callable[..., Any]]]:
    """Every (endpoint, view) of the API blueprint, in URL-map order."""
    seen = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            seen.append((rule.endpoint, app.view_functions[rule.endpoint]))
    return seen


def undocumented(app: Flask) -> list[str]:
    """API endpoints without an :func:`operation` (the spec test wants none but the description itself)."""
    return [e for e, view in api_views(app) if not hasattr(view, "openapi") and e not in UNDESCRIBED]


# The description and its reading page describe the API; they are not operations of it.
UNDESCRIBED = {"api.openapi", "api.docs"}


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every declared route of ``app``'s API."""
    settings = app.extensions["settings"]
    spec = APISpec(
        title="政务公开开放数据接口",
        version=API_VERSION,
        openapi_version=OPENAPI_VERSION,
        plugins=[FlaskPlugin()],
        info={
            "description": (
                "区政府门户网站公开的全部数据：政策文件、政策解读、意见征集、政府公报、会议开放、政务咨询、"
                "工作目标。只提供已公开的内容；不含草稿，不含任何个人信息。只读（GET），支持 CORS、ETag "
                "条件请求和分页链接（Link 头）。"
            ),
            "license": {"name": "公开数据，可自由使用，请注明来源", "identifier": "CC-BY-4.0"},
        },
        servers=[{"url": settings.base_url.rstrip("/") or "/"}],
    )
    views = [(e, v) for e, v in api_views(app) if hasattr(v, "openapi")]
    models: set[type[BaseModel]] = {schemas.Error}
    for _endpoint, view in views:
        models.add(view.openapi.response)
    _refs, defs = models_json_schema(
        [(m, "serialization") for m in sorted(models, key=lambda m: m.__name__)], ref_template=REF
    )
    for name, schema in sorted(defs.get("$defs", {}).items()):
        spec.components.schema(name, schema)
    tags: dict[str, None] = {}
    for endpoint, view in views:
        op: Operation = view.openapi
        tags[op.tag] = None
        params = [
            {"name": name, "in": "path", "required": True, "description": text, "schema": schema}
            for name, text, schema in op.path_params
        ]
        if op.query is not None:
            params += _query_parameters(op.query)
        params.append(
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "上次响应的 ETag；内容未变时返回 304",
                "schema": {"type": "string"},
            }
        )
        responses: dict[str, Any] = {
            "200": {
                "description": "成功",
                "headers": {
                    "ETag": {"description": "内容标签", "schema": {"type": "string"}},
                    **(
                        {"Link": {"description": "分页链接（RFC 8288）", "schema": {"type": "string"}}}
                        if issubclass(op.response, schemas.Paged)
                        else {}
                    ),
                },
                "content": {"application/json": {"schema": {"$ref": REF.format(model=op.response.__name__)}}},
            },
            "304": {"description": "内容未变（If-None-Match 与 ETag 相同）"},
            "400": _error("请求参数有误"),
            "429": _error("请求过于频繁"),
        }
        if op.not_found:
            responses["404"] = _error("未找到该条目（不存在、未公开或已撤回）")
        spec.path(
            view=view,
            app=app,
            operations={
                "get": {
                    "operationId": endpoint.removeprefix("api."),
                    "summary": op.summary,
                    "description": op.description,
                    "tags": [op.tag],
                    "parameters": params,
                    "responses": responses,
                }
            },
        )
    for tag in tags:
        spec.tag({"name": tag})
    return spec.to_dict()

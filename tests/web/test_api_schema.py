"""Property-based test of the open-data API against its own description (schemathesis), on SQLite and
PostgreSQL: every documented operation is called with values generated from the description, plus every
item the world holds; no answer is a 5xx and every answer (status, content type, headers, body) is valid
against ``/api/v1/openapi.json``.

Bounded for the suite: a few examples per operation (``MAX_EXAMPLES``), no shrinking, one world per backend.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.open_data_world import build_world
from tests.web.test_open_data import local

MAX_EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_every_operation_conforms_to_the_description(app, sess, tmp_path):
    build_world(sess, tmp_path)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {(op.method.upper(), op.path) for op in operations}
    assert len(documented) == len(schema.raw_schema["paths"]) >= 16

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case) -> None:  # noqa: ANN001
            case.call_and_validate(checks=CHECKS)

        call()

    # Generated slugs find nothing: call each real item too, through the same operations and checks.
    client = app.test_client()
    by_path = {op.path: op for op in operations}
    items = []
    for listing, key in [
        ("/api/v1/documents", "documents"),
        ("/api/v1/interpretations", "interpretations"),
        ("/api/v1/consultations", "consultations"),
        ("/api/v1/gazette", "issues"),
        ("/api/v1/meetings", "meetings"),
        ("/api/v1/enquiries", "enquiries"),
    ]:
        items += [local(item["api_url"]) for item in client.get(listing).get_json()[key]]
    items += [local(u) for u in client.get("/api/v1/targets").get_json()["links"].values()]
    assert len(items) > 25
    for path in items:
        template, params = _match(by_path, path)
        by_path[template].Case(path_parameters=params).call_and_validate(checks=CHECKS)


def _match(by_path: dict, path: str) -> tuple[str, dict[str, object]]:
    """The operation path (``/api/v1/documents/{slug}``) and parameters of a concrete path."""
    parts = path.split("/")
    for template in by_path:
        names = template.split("/")
        if len(names) != len(parts):
            continue
        params: dict[str, object] = {}
        for name, part in zip(names, parts, strict=True):
            if name.startswith("{"):
                params[name[1:-1]] = int(part) if part.isdigit() else part
            elif name != part:
                break
        else:
            return template, params
    raise AssertionError(f"no operation for {path}")

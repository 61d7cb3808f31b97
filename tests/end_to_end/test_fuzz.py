"""Schemathesis generates requests from the OpenAPI schema, valid and invalid, against the real
app on a loopback port: no request may get a 5xx, and every response must match the schema.

(Schemathesis' own pytest plugin does not run under pytest 9, so each operation's strategy is
driven with Hypothesis directly.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from tests.conftest import live_server

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiSchema

CHECKS = [checks.not_a_server_error, checks.response_schema_conformance,
          checks.content_type_conformance, checks.status_code_conformance]


@pytest.fixture(scope="module")
def api_schema(crawled, bot) -> Iterator[OpenApiSchema]:
    with live_server(crawled[0], bot) as url:
        yield schemathesis.openapi.from_url(f"{url}/openapi.json")


def test_no_request_gets_a_server_error(api_schema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/chat", "/api/chat/stream", "/api/feedback",
                                              "/api/event", "/healthz", "/readyz"}
    # positive: valid requests; negative: bodies that break the schema (each must be a 4xx)
    runs = [(op, mode) for op in operations for mode in GenerationMode
            if mode is GenerationMode.POSITIVE or op.method.lower() == "post"]
    for operation, mode in runs:

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=60, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:
            case.call_and_validate(checks=CHECKS)

        fuzz()

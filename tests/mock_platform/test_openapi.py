"""The OpenAPI document, checked against the live platform with schemathesis: no 5xx, every
answer in the documented status codes and shapes."""

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mock_platform.openapi import OPENAPI
from tests.conftest import ADMIN_TOKEN

schema = schemathesis.openapi.from_dict(OPENAPI)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@schema.exclude(path="/admin/faults").parametrize()
@EXAMPLES
def test_api_conforms_and_never_answers_5xx(case, platform_url):
    case.call_and_validate(base_url=platform_url, checks=CHECKS)


@schema.include(path="/admin/faults").parametrize()
@EXAMPLES
def test_admin_api_conforms_with_and_without_its_token(case, admin_url):
    try:
        case.call_and_validate(base_url=admin_url, checks=CHECKS)
        case.call_and_validate(base_url=admin_url, checks=CHECKS,
                               headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    finally:
        httpx.delete(f"{admin_url}/admin/faults", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})


def test_the_platform_serves_its_document(client):
    assert client.get("/openapi.json").json()["openapi"] == "3.0.3"

"""The OpenAPI document, checked against the live platform with schemathesis (valid and invalid
inputs): no 5xx, every answer in the documented status codes and shapes; every route the platform
serves is in the document, so the fuzzing reaches all of them. Then request heads and bodies of
every size, on every endpoint: never a 5xx, 431 past the head's bounds, 413 past the body's."""

import re

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mock_platform.app import create_app
from mock_platform.openapi import OPENAPI
from mock_platform.settings import Settings
from tests.conftest import ADMIN_TOKEN
from tests.mock_platform.raw_http import connect, read_answer, send_until_answered

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


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_every_route_the_platform_serves_is_documented(tmp_path):
    app = create_app(Settings(database=str(tmp_path / "mock.db")))
    served = {(_shape(route.path), method) for route in app.routes for method in route.methods - {"HEAD"}}
    documented = {(_shape(path), method.upper()) for path, item in OPENAPI["paths"].items() for method in item}
    assert served == documented


# Every documented operation, its path parameters and required query parameters filled in.
ENDPOINTS = sorted(
    (method.upper(), re.sub(r"\{[^}]+\}", "X1", path) + "".join(
        f"{'&' if i else '?'}{p['name']}=R1" for i, p in enumerate(
            p for p in operation.get("parameters", []) if p["in"] == "query" and p["required"])))
    for path, item in OPENAPI["paths"].items() for method, operation in item.items())
HEAD_LIMIT, FIELDS_MAX, BODY_LIMIT = Settings().head_limit_bytes, Settings().head_fields_max, Settings().body_limit_bytes


@given(endpoint=st.sampled_from(ENDPOINTS), fields=st.integers(0, 130),
       field_size=st.sampled_from([1, 100, 400, 2_000, 40_000]),
       body_size=st.sampled_from([0, 1, 5_000, BODY_LIMIT, BODY_LIMIT + 1, 3 * BODY_LIMIT]),
       chunked=st.booleans())
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
def test_heads_and_bodies_of_any_size_never_get_a_5xx(platform_url, endpoint, fields, field_size, body_size, chunked):
    method, target = endpoint
    head = [f"{method} {target} HTTP/1.1".encode(), b"Host: x", b"Content-Type: application/xml",
            *(b"X-F%d: %s" % (i, b"v" * field_size) for i in range(fields))]
    head.append(b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % body_size)
    body = b"<" * body_size
    framed = (b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"0\r\n\r\n") if chunked else body
    request = b"\r\n".join(head) + b"\r\n\r\n" + framed
    with connect(platform_url) as sock:
        send_until_answered(sock, [request[i:i + 65536] for i in range(0, len(request), 65536)])
        answer = read_answer(sock)
    head_bytes = sum(len(line) + 2 for line in head)
    assert answer.status < 500, answer
    if len(head) - 1 > FIELDS_MAX or head_bytes > HEAD_LIMIT + 8_192:
        assert answer.status == 431
    elif head_bytes < HEAD_LIMIT - 8_192 and body_size > BODY_LIMIT and method == "POST":
        assert answer.status == (404 if target == "/admin/faults" else 413), answer  # the admin API is off
    elif head_bytes < HEAD_LIMIT - 8_192:
        assert answer.status != 431

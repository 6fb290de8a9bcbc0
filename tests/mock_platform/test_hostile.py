"""Hostile input gets a 4xx in under a second, with no file or network read and no crash: bodies,
parameters, paths, request heads, bodies on every endpoint, and an empty admin token (real HTTP)."""

import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from mock_platform.settings import Settings
from peakload.embedded_mock import start_mock
from tests.conftest import XML
from tests.mock_platform.raw_http import closed_by_server, connect, read_answer, send_until_answered

NS = b'xmlns="http://www.chinaport.gov.cn/ceb"'
HOSTILE = {
    "external_entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       b'<CEB311Message ' + NS + b' guid="G">&x;</CEB311Message>',
    "network_entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
                      b'<r>&x;</r>',
    "billion_laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                      + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                                 for i in range(1, 10))
                      + b']><r>&lol9;</r>',
    "dtd_only": b'<!DOCTYPE CEB311Message SYSTEM "http://127.0.0.1:9/ceb.dtd"><CEB311Message/>',
    "deep_nesting": b"<CEB311Message " + NS + b">" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</CEB311Message>",
    "invalid_utf8": b'<?xml version="1.0" encoding="UTF-8"?><CEB311Message ' + NS + b'>\xc3\x28</CEB311Message>',
    "huge_text": b"<r>" + b"x" * (2 * 1024 * 1024) + b"</r>",
    "not_xml": b"\x00\x01\x02 binary",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_body_is_a_fast_4xx(client, name):
    started = time.monotonic()
    response = client.post("/ceb/messages", content=HOSTILE[name], headers=XML)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert time.monotonic() - started < 1.0
    assert "root:" not in response.text  # nothing from /etc/passwd comes back
    assert client.get("/healthz").status_code == 200


def test_slow_client_gets_408_within_a_second(platform_url):
    parts = urlsplit(platform_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(b"POST /ceb/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
                     b"Content-Length: 1000\r\n\r\n<CEB311Message")
        started = time.monotonic()
        answer = sock.recv(4096)
        took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert took < 1.0


# Parameters and routes: a JSON 4xx, never a 5xx or text.

@pytest.mark.parametrize("path,field", [
    ("/ceb/receipts?receiver=R&after=" + "9" * 5000, "after"),
    ("/ceb/receipts?receiver=R&limit=" + "9" * 5000, "limit"),
    ("/stats/daily?date=99991231", "date"),
])
def test_a_parameter_out_of_bounds_is_a_json_400(client, path, field):
    response = client.get(path)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field


@pytest.mark.parametrize("request_line", [b"GET /ceb/../../etc/passwd HTTP/1.1", b"GET /../mock.db HTTP/1.1",
                                          b"GET /ceb/inventories/..%2F..%2Fetc%2Fpasswd?agentCode=A HTTP/1.1"])
def test_a_dot_dot_path_gets_the_json_404(platform_url, request_line):
    with connect(platform_url) as sock:
        sock.sendall(request_line + b"\r\nHost: x\r\n\r\n")
        answer = read_answer(sock)
    assert answer.status == 404
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"] == "not_found"


# Request heads: bounded in size and in the number of fields (431), as they arrive.

def _oversized_head(total: int):
    yield b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
    line = b"X-Pad: " + b"a" * 8000 + b"\r\n"
    for _ in range(total // len(line)):
        yield line
    yield b"\r\n"


@pytest.mark.parametrize("chunks,code", [
    # A list (one line object repeated), not the generator: every parametrized run sends it anew.
    (list(_oversized_head(16 * 2**20)), "headers_too_large"),
    ([b"GET /healthz?" + b"q" * 64 * 1024 + b" HTTP/1.1\r\nHost: x\r\n\r\n"], "headers_too_large"),
    ([b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 200_000 + b"\r\n\r\n"], "headers_too_large"),
    ([b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n"],
     "too_many_headers"),
], ids=["16MiB-of-fields", "64KiB-target", "200KB-field", "150-fields"])
def test_an_oversized_head_is_a_json_431(platform_url, chunks, code):
    with connect(platform_url) as sock:
        sent = send_until_answered(sock, chunks)
        answer = read_answer(sock)
    assert answer.status == 431, answer
    assert answer.json()["error"] == code
    assert answer.headers["connection"] == "close"
    assert sent < 8 * 2**20  # refused as it arrived, not once it was all in


def test_a_head_within_bounds_is_served(platform_url):
    with connect(platform_url) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                     + b"".join(b"X-Field-%d: %s\r\n" % (i, b"v" * 200) for i in range(90)) + b"\r\n")
        assert read_answer(sock).status == 200


# Bodies: bounded while they are read, on every endpoint, in size and in time.

EVERY_ENDPOINT = [("POST", "/ceb/messages"), ("GET", "/ceb/receipts?receiver=R"),
                  ("GET", "/ceb/inventories/C?agentCode=A"), ("GET", "/ceb/orders/E/O"), ("GET", "/stats/daily"),
                  ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"), ("GET", "/openapi.json"),
                  ("GET", "/admin/faults"), ("POST", "/admin/faults"), ("DELETE", "/admin/faults"),
                  ("POST", "/bonded/tally"), ("POST", "/bonded/transfer"), ("POST", "/bonded/exit"),
                  ("GET", "/bonded/stock/B")]
BODY_ENDPOINTS = [("POST", "/ceb/messages"), ("POST", "/bonded/tally"), ("POST", "/bonded/transfer"),
                  ("POST", "/bonded/exit")]


def _chunked(method: str, path: str, total: int):
    content_type = "application/xml" if path == "/ceb/messages" else "application/json"
    yield (f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
           f"Transfer-Encoding: chunked\r\n\r\n").encode()
    chunk = b"<" * 65536
    for _ in range(total // len(chunk)):
        yield b"%x\r\n%s\r\n" % (len(chunk), chunk)
    yield b"0\r\n\r\n"


@pytest.mark.parametrize("method,path", EVERY_ENDPOINT)
def test_a_48mib_chunked_body_is_never_read_whole(platform_url, method, path):
    with connect(platform_url) as sock:
        sent = send_until_answered(sock, _chunked(method, path, 48 * 2**20))
        answer = read_answer(sock)
        assert answer.status < 500, answer
        assert answer.headers["content-type"] == "application/json" or path == "/metrics"
        assert answer.headers["connection"] == "close"  # the rest of the body is never read
        assert closed_by_server(sock)
    assert sent < 16 * 2**20  # answered after 1 MiB (and what the sockets buffer), not 48
    if (method, path) in BODY_ENDPOINTS:
        assert answer.status == 413 and answer.json()["error"] == "body_too_large"


@pytest.mark.parametrize("method,path", BODY_ENDPOINTS)
def test_a_declared_oversized_body_is_a_413_before_any_of_it(platform_url, method, path):
    with connect(platform_url) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
                     f"Content-Length: {48 * 2**20}\r\n\r\n".encode())
        answer = read_answer(sock)
    assert answer.status == 413
    assert answer.json()["error"] == "body_too_large"


@pytest.mark.parametrize("method,path", BODY_ENDPOINTS)
def test_a_stalled_body_is_a_408_on_every_endpoint(platform_url, method, path):
    with connect(platform_url) as sock:
        sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
                     f"Content-Length: 1000\r\n\r\n<partial".encode())
        started = time.monotonic()
        answer = read_answer(sock)
        took = time.monotonic() - started
    assert answer.status == 408, answer
    assert answer.json()["error"] == "body_timeout"
    assert took < 2.0  # the platform's body timeout is 0.5 s


def test_a_body_the_endpoint_does_not_read_ends_the_connection(platform_url):
    with connect(platform_url) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nsome")
        answer = read_answer(sock)
        assert answer.status == 200
        assert answer.headers["connection"] == "close"
        assert closed_by_server(sock)


# The admin API: an empty token is no token.

def test_an_empty_admin_token_turns_the_admin_api_off(tmp_path):
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--admin-token", ""))
    try:
        answers = [httpx.get(f"{mock.url}/admin/faults", headers=headers, timeout=5)
                   for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer guess"})]
    finally:
        mock.stop()
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert {a.json()["error"] for a in answers} == {"admin_disabled"}


@pytest.mark.parametrize("token", ["", "   ", SecretStr("")])
def test_settings_read_an_empty_admin_token_as_none(token):
    assert Settings(admin_token=token).admin_token is None
    assert Settings(admin_token="t0ken").admin_token.get_secret_value() == "t0ken"

"""Hostile input gets a 4xx in under a second, with no file or network read and no crash."""

import socket
import time
from urllib.parse import urlsplit

import pytest

from tests.conftest import XML

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

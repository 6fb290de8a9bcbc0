"""The mock platform behind TLS and mutual TLS, with a CA made by the test."""

import ssl
from collections.abc import Iterator

import httpx
import pytest

from ceb import eport
from ceb.types import MessageType
from peakload.embedded_mock import start_mock
from tests.cli import peakload
from tests.conftest import now_china
from tests.mock_platform.certificates import ThrowawayCa


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> ThrowawayCa:
    return ThrowawayCa(tmp_path_factory.mktemp("ca"))


def client_context(ca: ThrowawayCa, client=None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca.ca_file)
    if client is not None:
        context.load_cert_chain(client.cert, client.key)
    return context


@pytest.fixture(scope="module")
def mutual_url(tmp_path_factory, ca) -> Iterator[str]:
    """A mock serving the e-port channel over mutual TLS: clients need a certificate from `ca`."""
    folder = tmp_path_factory.mktemp("mock-mtls")
    server, probe = ca.issue("server", server=True), ca.issue("probe", server=False)
    mock = start_mock(folder / "mock.db", folder / "mock.log",
                      ("--transport", "eport", "--tls-cert", str(server.cert), "--tls-key", str(server.key),
                       "--tls-client-ca", str(ca.ca_file)), tls=client_context(ca, probe))
    try:
        yield mock.url
    finally:
        mock.stop()


def test_https_with_a_ca_the_client_trusts(tmp_path, ca):
    server = ca.issue("plain-server", server=True)
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log",
                      ("--tls-cert", str(server.cert), "--tls-key", str(server.key)), tls=client_context(ca))
    try:
        assert mock.url.startswith("https://127.0.0.1:")
        assert httpx.get(mock.url + "/readyz", verify=client_context(ca)).status_code == 200
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(mock.url + "/readyz")  # the system's CAs do not know the test CA
        with pytest.raises(httpx.HTTPError):
            httpx.get(mock.url.replace("https://", "http://") + "/readyz")
    finally:
        mock.stop()


def test_mutual_tls_takes_a_client_with_a_certificate(mutual_url, ca):
    client = ca.issue("enterprise", server=False)
    body = eport.wrap_report(b'<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb"/>', MessageType.ORDER,
                             "DXPENT0000500001", "DXPEDCCEB0000002", now_china())
    with httpx.Client(base_url=mutual_url, verify=client_context(ca, client)) as http:
        assert http.get("/readyz").status_code == 200
        answer = http.post("/cebcmsg", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.text.startswith("missing_field"), "served, and judged"


def test_mutual_tls_refuses_a_client_without_a_certificate(mutual_url, ca, tmp_path):
    with pytest.raises(httpx.HTTPError):
        httpx.get(mutual_url + "/readyz", verify=client_context(ca))
    stranger_ca = ThrowawayCa(tmp_path / "other", name="stranger CA")
    stranger = stranger_ca.issue("stranger", server=False)
    with pytest.raises(httpx.HTTPError):
        httpx.get(mutual_url + "/readyz", verify=client_context(ca, stranger))


@pytest.mark.parametrize("args,fragment", [
    (("--tls-cert", "{missing}", "--tls-key", "{key}"), "does not exist"),
    (("--tls-cert", "{cert}", "--tls-key", "{other_key}"), "cannot use the certificate"),
    (("--tls-cert", "{cert}"), "--tls-cert and --tls-key go together"),
    (("--tls-cert", "{cert}", "--tls-key", "{key}", "--tls-client-ca", "{key}"), "cannot read CA certificates"),
])
def test_unusable_tls_files_are_one_clear_error(tmp_path, ca, args, fragment):
    server, other = ca.issue("cli-server", server=True), ca.issue("cli-other", server=True)
    paths = {"missing": tmp_path / "nope.pem", "cert": server.cert, "key": server.key, "other_key": other.key}
    done = peakload("mock", "--port", "0", "--db", str(tmp_path / "mock.db"),
                    *(arg.format(**paths) for arg in args), timeout=60)
    assert done.returncode == 64, done.stderr
    assert fragment in " ".join(done.stderr.split()) and "Traceback" not in done.stderr

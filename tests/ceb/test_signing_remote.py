"""The remote signing client against a real HTTP signing service on loopback."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ceb.signing import (RemoteSigner, RemoteSigningError, SignatureAlgorithm, TrustStore, load_signing_key,
                         make_test_credentials, sign_message)

UNSIGNED = b"""<?xml version="1.0" encoding="UTF-8"?>
<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0">
\t<ceb:Order><ceb:OrderHead><ceb:guid>g</ceb:guid></ceb:OrderHead></ceb:Order>
\t<ceb:BaseTransfer><ceb:copCode>c</ceb:copCode></ceb:BaseTransfer>
</ceb:CEB311Message>"""


class SigningService(ThreadingHTTPServer):
    """A sign-and-wrap service: each path answers one way."""

    daemon_threads = True

    def __init__(self, key):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.key = key
        self.forms = []
        self.release = threading.Event()  # the slow path waits for it

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.server.forms.append(form)
        if self.path == "/slow":
            self.server.release.wait(10)
        answers = {
            "/good": lambda: json.dumps({"code": "0", "message": "ok", "data": sign_message(
                form["xml"][0].encode(), self.server.key).decode()}),
            "/refuse": lambda: json.dumps({"code": "-1", "message": "证书已过期", "data": None}),
            "/garbage": lambda: "<html>bad gateway</html>",
            "/not-xml": lambda: json.dumps({"code": "0", "data": "signed!"}),
            "/slow": lambda: json.dumps({"code": "0", "data": "<late/>"}),
        }
        if self.path not in answers:
            self.send_error(503, "no such service")
            return
        body = answers[self.path]().encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def credentials(tmp_path_factory):
    return make_test_credentials(tmp_path_factory.mktemp("remote"), SignatureAlgorithm.RSA_SHA256)


@pytest.fixture
def service(credentials):
    server = SigningService(load_signing_key(SignatureAlgorithm.RSA_SHA256, *credentials))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_good_answer_is_the_signed_message(service, credentials):
    with RemoteSigner(service.url("/good"), timeout_s=5) as signer:
        signed = signer.sign(UNSIGNED)
    assert TrustStore.from_files([credentials[1]]).verify(signed, required=True)
    assert service.forms == [{"xml": [UNSIGNED.decode()], "ieType": ["I"]}]
    assert len(signer.latencies_s) == 1 and 0 < signer.latencies_s[0] < 5


def test_an_export_message_is_sent_as_e(service):
    with RemoteSigner(service.url("/good"), timeout_s=5) as signer:
        signer.sign(UNSIGNED.replace(b"CEB311Message", b"CEB303Message"))
    assert service.forms[0]["ieType"] == ["E"]


@pytest.mark.parametrize("path,says", [
    ("/refuse", "refused: code '-1'"),
    ("/garbage", "other than JSON"),
    ("/not-xml", "not XML"),
    ("/nowhere", "answered HTTP 503"),
])
def test_a_bad_answer_is_a_clear_error(service, path, says):
    with RemoteSigner(service.url(path), timeout_s=5) as signer:
        with pytest.raises(RemoteSigningError) as caught:
            signer.sign(UNSIGNED)
    assert service.url(path) in str(caught.value) and says in str(caught.value)
    assert len(signer.latencies_s) == 1


def test_a_timeout_is_a_clear_error(service):
    with RemoteSigner(service.url("/slow"), timeout_s=0.3) as signer:
        with pytest.raises(RemoteSigningError, match="did not answer within 0.3 s"):
            signer.sign(UNSIGNED)
    assert len(signer.latencies_s) == 1 and signer.latencies_s[0] < 3


def test_an_unreachable_service_is_a_clear_error(service):
    url = service.url("/good")
    service.shutdown()
    service.server_close()
    with RemoteSigner(url, timeout_s=2) as signer:
        with pytest.raises(RemoteSigningError, match="cannot reach"):
            signer.sign(UNSIGNED)


def test_not_xml_is_not_sent(service):
    with RemoteSigner(service.url("/good"), timeout_s=5) as signer:
        with pytest.raises(RemoteSigningError, match="not sent"):
            signer.sign(b"plain text")
    assert service.forms == []

"""`peakload mock --trust CERT`: every transport refuses a missing, tampered or untrusted signature,
the way a platform does, and takes a good one. Keys and certificates are made by the test."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ceb import dxp, eport
from ceb.codec import render_message
from ceb.signing import SignatureAlgorithm, load_signing_key, make_test_credentials, sign_message
from ceb.types import MessageType
from peakload.embedded_mock import start_mock
from tests.cli import peakload
from tests.conftest import XML, now_china
from tests.mock_platform.dxp_files import refusals, wait_for

JSON = {"Content-Type": "application/json"}
DXP_ID = "DXPENT0000506666"


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, object]:
    """A trusted RSA-SHA1 and SM2-SM3 key each, and an RSA key the platform does not trust."""
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for name, algorithm in (("rsa", SignatureAlgorithm.RSA_SHA1), ("sm2", SignatureAlgorithm.SM2_SM3),
                            ("stranger", SignatureAlgorithm.RSA_SHA1)):
        key_file, cert_file = make_test_credentials(folder / name, algorithm)
        made[name] = load_signing_key(algorithm, key_file, cert_file)
        made[f"{name}-cert"] = cert_file
    return made


@pytest.fixture(scope="module")
def signed_mock(tmp_path_factory, keys) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("mock-signed")
    mock = start_mock(folder / "mock.db", folder / "mock.log",
                      ("--transport", "ceb-http,eport,dxp-folder", "--dxp-root", str(folder / "dxp"),
                       "--trust", str(keys["rsa-cert"]), "--trust", str(keys["sm2-cert"])))
    try:
        yield mock.url, folder / "dxp"
    finally:
        mock.stop()


def tampered(signed: bytes) -> bytes:
    """The signed message with one value changed after signing."""
    start = signed.index(b"<ceb:orderNo>") + len(b"<ceb:orderNo>")
    return signed[:start] + b"X" + signed[start + 1:]


def _order(factory):
    return factory.make(now_china()).messages(factory.parties, factory.guid)[MessageType.ORDER]


@pytest.mark.parametrize("key", ["rsa", "sm2"])
def test_a_message_signed_by_a_trusted_key_is_taken(signed_mock, keys, factory, key):
    url, _ = signed_mock
    answer = httpx.post(url + "/ceb/messages", content=sign_message(render_message(_order(factory)), keys[key]),
                        headers=XML)
    assert answer.status_code == 202, answer.text


def test_ceb_http_refuses_missing_tampered_and_untrusted_signatures(signed_mock, keys, factory):
    url, _ = signed_mock
    with httpx.Client(base_url=url) as client:
        def post(body: bytes) -> dict:
            answer = client.post("/ceb/messages", content=body, headers=XML)
            assert answer.status_code == 400
            return answer.json()

        missing = post(render_message(_order(factory)))
        changed = post(tampered(sign_message(render_message(_order(factory)), keys["rsa"])))
        stranger = post(sign_message(render_message(_order(factory)), keys["stranger"]))
        enveloped = post(dxp.wrap(dxp.DxpMessage("C-1", DXP_ID, ("DXPEDCCEB0000002",), now_china(), "CEB311Message",
                                                 tampered(sign_message(render_message(_order(factory)),
                                                                       keys["sm2"])))))
    assert missing["error"] == "signature_missing"
    assert changed["error"] == "signature_invalid" and changed["detail"].startswith("tampered")
    assert stranger["error"] == "signature_invalid" and stranger["detail"].startswith("untrusted")
    assert enveloped["error"] == "signature_invalid", "the message inside an envelope is checked"


def test_eport_refuses_with_the_reason(signed_mock, keys, factory):
    url, _ = signed_mock

    def post(xml: bytes) -> httpx.Response:
        body = eport.wrap_report(xml, MessageType.ORDER, DXP_ID, "DXPEDCCEB0000002", now_china())
        return httpx.post(url + "/cebcmsg", content=body, headers=JSON)

    good = post(sign_message(render_message(_order(factory)), keys["sm2"]))
    bad = post(tampered(sign_message(render_message(_order(factory)), keys["sm2"])))
    unsigned = post(render_message(_order(factory)))
    assert (good.status_code, good.text) == (200, "OK")
    assert bad.status_code == 400 and bad.text.startswith("signature_invalid: tampered")
    assert unsigned.status_code == 400 and unsigned.text.startswith("signature_missing: missing")


def test_the_folder_answers_with_the_exchange_code(signed_mock, keys, factory):
    _, root = signed_mock
    cases = {"SIG-GOOD": sign_message(render_message(_order(factory)), keys["rsa"]),
             "SIG-NONE": render_message(_order(factory)),
             "SIG-TAMPERED": tampered(sign_message(render_message(_order(factory)), keys["rsa"])),
             "SIG-STRANGER": sign_message(render_message(_order(factory)), keys["stranger"])}
    for cop, xml in cases.items():
        envelope = dxp.DxpMessage(cop, DXP_ID, ("DXPEDCCEB0000002",), now_china(), "CEB311Message", xml)
        (root / "send" / dxp.file_name(envelope)).write_bytes(dxp.wrap(envelope))
    refused = wait_for(lambda: (found := refusals(root / "receive")).keys() >= {
        "SIG-NONE", "SIG-TAMPERED", "SIG-STRANGER"} and found, what="three MessageReturns")
    assert refused["SIG-NONE"].return_status == -1001
    assert refused["SIG-TAMPERED"].return_status == -1004 and "tampered" in refused["SIG-TAMPERED"].return_info
    assert refused["SIG-STRANGER"].return_status == -1001 and "untrusted" in refused["SIG-STRANGER"].return_info
    wait_for(lambda: not any((root / "send").iterdir()), what="send/ emptied")
    assert sorted(p.name for p in (root / "error").iterdir()) == [
        "CEB311Message_SIG-NONE.xml", "CEB311Message_SIG-STRANGER.xml", "CEB311Message_SIG-TAMPERED.xml"]
    assert "SIG-GOOD" not in refused, "the good file was taken: it is in neither send/ nor error/"


def test_without_trust_a_signed_message_is_read_like_any_other(platform_url, keys, factory):
    answer = httpx.post(platform_url + "/ceb/messages",
                        content=sign_message(render_message(_order(factory)), keys["stranger"]), headers=XML)
    assert answer.status_code == 202, answer.text


def test_a_trust_file_that_is_not_a_certificate_is_one_clear_error(tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    done = peakload("mock", "--port", "0", "--db", str(tmp_path / "mock.db"), "--trust", str(junk), timeout=60)
    assert done.returncode == 64 and "--trust" in done.stderr and "Traceback" not in done.stderr

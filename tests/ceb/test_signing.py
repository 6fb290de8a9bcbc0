"""Signing CEB messages and verifying them: each algorithm, tampering, trust, placement, key files."""

import base64
import datetime as dt
import hashlib
import re
import stat
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree

import ceb.signing
from ceb.codec import parse_message, render_message
from ceb.signing import (SignatureAlgorithm, SignatureProblem, SignatureRejected, SigningError, TrustStore,
                         load_signing_key, make_test_credentials, sign_message)
from ceb.signing import sm2
from ceb.signing.certificates import certificate_builder
from ceb.signing.envelope import read_signature
from ceb.types import MessageType
from locustfiles.parcels import ParcelFactory

ALGORITHMS = [a for a in SignatureAlgorithm if sm2.AVAILABLE or not a.is_sm2]
needs_sm2 = pytest.mark.skipif(not sm2.AVAILABLE, reason=sm2.UNAVAILABLE)
NOW = dt.datetime(2018, 11, 11, 0, 5, 0)


@pytest.fixture(scope="module")
def credentials(tmp_path_factory):
    """(key_file, certificate_file) for each algorithm."""
    folder = tmp_path_factory.mktemp("credentials")
    return {algorithm: make_test_credentials(folder, algorithm) for algorithm in ALGORITHMS}


@pytest.fixture(scope="module")
def keys(credentials):
    return {algorithm: load_signing_key(algorithm, *files) for algorithm, files in credentials.items()}


@pytest.fixture(scope="module")
def inventory():
    factory = ParcelFactory(seed=5)
    message = factory.make(NOW).messages(factory.parties, factory.guid)[MessageType.INVENTORY_LIST]
    return message, render_message(message)


def store_of(credentials, *algorithms):
    return TrustStore.from_files([credentials[a][1] for a in algorithms])


def rejection(store, xml, required=True):
    with pytest.raises(SignatureRejected) as caught:
        store.verify(xml, required)
    return caught.value


def test_the_public_api_is_pinned():
    assert sorted(ceb.signing.__all__) == sorted(
        ["DigestAlgorithm", "RemoteSigner", "RemoteSigningError", "SignatureAlgorithm", "SignatureProblem",
         "SignatureRejected", "SigningError", "SigningKey", "TrustStore", "load_signing_key",
         "make_test_credentials", "sign_message"])


def test_the_package_imports_neither_locust_gevent_nor_the_mock():
    check = ("import sys, ceb.signing; print(','.join(sorted(m for m in sys.modules "
             "if m.split('.')[0] in {'locust', 'gevent', 'mock_platform', 'locustfiles'})))")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_signed_message_verifies_and_still_reads(algorithm, keys, credentials, inventory):
    message, xml = inventory
    signed = sign_message(xml, keys[algorithm])
    assert store_of(credentials, algorithm).verify(signed, required=True) == keys[algorithm].key_name
    assert parse_message(signed) == message
    assert signed.startswith(b"<?xml")
    assert algorithm.method_uri.encode() in signed and algorithm.digest.uri.encode() in signed


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_tampered_element_is_rejected(algorithm, keys, credentials, inventory):
    signed = sign_message(inventory[1], keys[algorithm])
    tampered = re.sub(rb"<ceb:qty>(\d+)</ceb:qty>", lambda m: b"<ceb:qty>%d</ceb:qty>" % (int(m[1]) + 1), signed,
                      count=1)
    assert tampered != signed
    problem = rejection(store_of(credentials, algorithm), tampered)
    assert (problem.reason, problem.code) == (SignatureProblem.TAMPERED, "1004")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_an_altered_signature_value_is_rejected(algorithm, keys, credentials, inventory):
    signed = sign_message(inventory[1], keys[algorithm])
    value = re.search(rb"<ds:SignatureValue>([^<]+)<", signed)[1]
    altered = signed.replace(value, (b"B" if value[:1] == b"A" else b"A") + value[1:])
    problem = rejection(store_of(credentials, algorithm), altered)
    assert problem.reason is SignatureProblem.BAD_SIGNATURE


def test_rsa_signing_is_deterministic(keys, inventory):
    key = keys[SignatureAlgorithm.RSA_SHA256]
    assert sign_message(inventory[1], key) == sign_message(inventory[1], key)


def test_the_key_name_is_the_certificate_serial_in_hex(keys):
    key = keys[SignatureAlgorithm.RSA_SHA1]
    serial = x509.load_der_x509_certificate(key.certificate_der).serial_number
    assert int(key.key_name, 16) == serial and len(key.key_name) % 2 == 0


def test_a_certificate_not_in_the_store_is_untrusted(keys, credentials, inventory):
    signed = sign_message(inventory[1], keys[SignatureAlgorithm.RSA_SHA1])
    problem = rejection(store_of(credentials, SignatureAlgorithm.RSA_SHA256), signed)
    assert (problem.reason, problem.code) == (SignatureProblem.UNTRUSTED, "1001")


@needs_sm2
def test_a_certificate_outside_its_validity_is_rejected(keys, credentials, inventory):
    signed = sign_message(inventory[1], keys[SignatureAlgorithm.SM2_SM3])
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3650)
    store = TrustStore([keys[SignatureAlgorithm.SM2_SM3].certificate_der], clock=lambda: later)
    problem = rejection(store, signed)
    assert (problem.reason, problem.code) == (SignatureProblem.UNTRUSTED, "1002")


def test_a_certificate_issued_by_a_trusted_ca_is_trusted(tmp_path, inventory):
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = certificate_builder("peakload test CA", ca_key.public_key()).sign(ca_key, hashes.SHA256())
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = certificate_builder("enterprise", signer_key.public_key(), ca.subject).sign(ca_key, hashes.SHA256())
    (tmp_path / "ca.der").write_bytes(ca.public_bytes(serialization.Encoding.DER))
    (tmp_path / "key.pem").write_bytes(signer_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / "cert.pem").write_bytes(signer.public_bytes(serialization.Encoding.PEM))
    key = load_signing_key(SignatureAlgorithm.RSA_SHA256, tmp_path / "key.pem", tmp_path / "cert.pem")
    signed = sign_message(inventory[1], key)
    assert TrustStore.from_files([tmp_path / "ca.der"]).verify(signed, True) == key.key_name


def test_an_unsigned_message_is_missing_only_when_required(credentials, inventory):
    store = store_of(credentials, *ALGORITHMS)
    assert store.verify(inventory[1], required=False) is None
    problem = rejection(store, inventory[1], required=True)
    assert (problem.reason, problem.code) == (SignatureProblem.MISSING, "1001")


def test_not_xml_is_malformed(credentials):
    problem = rejection(store_of(credentials, *ALGORITHMS), b"<ceb:CEB621Message>")
    assert problem.reason is SignatureProblem.MALFORMED


def test_a_certificate_that_is_not_base64_is_malformed(keys, credentials, inventory):
    signed = sign_message(inventory[1], keys[SignatureAlgorithm.RSA_SHA1])
    broken = re.sub(rb"<ds:X509Certificate>[^<]+<", b"<ds:X509Certificate>not base64!<", signed)
    problem = rejection(store_of(credentials, SignatureAlgorithm.RSA_SHA1), broken)
    assert problem.reason is SignatureProblem.MALFORMED and "X509Certificate" in problem.detail


def test_an_unknown_signature_method_is_unsupported(keys, credentials, inventory):
    signed = sign_message(inventory[1], keys[SignatureAlgorithm.RSA_SHA1])
    dsa = signed.replace(SignatureAlgorithm.RSA_SHA1.method_uri.encode(), b"http://www.w3.org/2000/09/xmldsig#dsa-sha1")
    problem = rejection(store_of(credentials, SignatureAlgorithm.RSA_SHA1), dsa)
    assert problem.reason is SignatureProblem.UNSUPPORTED_ALGORITHM


def test_signing_a_signed_message_is_refused(keys, inventory):
    signed = sign_message(inventory[1], keys[SignatureAlgorithm.RSA_SHA1])
    with pytest.raises(SigningError, match="already signed"):
        sign_message(signed, keys[SignatureAlgorithm.RSA_SHA1])


IMPORT_WITH_EXTEND = b"""<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="g" version="1.0">
\t<ceb:Order><ceb:OrderHead><ceb:guid>g</ceb:guid></ceb:OrderHead></ceb:Order>
\t<ceb:BaseTransfer><ceb:copCode>c</ceb:copCode></ceb:BaseTransfer>
\t<ceb:ExtendMessage><ceb:name>n</ceb:name></ceb:ExtendMessage>
</ceb:CEB311Message>"""
EXPORT_WITH_EXTEND = (IMPORT_WITH_EXTEND.replace(b"CEB311Message", b"CEB303Message")
                      .replace(b"<ceb:BaseTransfer>", b"<ceb:BaseSubscribe><ceb:status>1</ceb:status></ceb:BaseSubscribe>"
                                                      b"\n\t<ceb:BaseTransfer>"))


@pytest.mark.parametrize("xml,expected", [
    (IMPORT_WITH_EXTEND, ["Order", "BaseTransfer", "ExtendMessage", "Signature"]),
    (EXPORT_WITH_EXTEND, ["Order", "BaseSubscribe", "BaseTransfer", "Signature", "ExtendMessage"]),
    (IMPORT_WITH_EXTEND.replace(b"\t<ceb:ExtendMessage><ceb:name>n</ceb:name></ceb:ExtendMessage>\n", b""),
     ["Order", "BaseTransfer", "Signature"]),
], ids=["import-after-extend", "export-before-extend", "no-extend"])
def test_the_signature_goes_where_the_schema_puts_it(xml, expected, keys, credentials):
    signed = sign_message(xml, keys[SignatureAlgorithm.RSA_SHA256])
    children = re.findall(rb"^\t<(?:ceb|ds):(\w+)", signed, flags=re.M)
    assert [c.decode() for c in children] == expected  # each at the siblings' indentation
    assert not signed.startswith(b"<?xml")
    assert store_of(credentials, SignatureAlgorithm.RSA_SHA256).verify(signed, True)


def test_pkcs12_with_a_password(tmp_path, keys, credentials, inventory):
    rsa_key = keys[SignatureAlgorithm.RSA_SHA256]
    p12 = pkcs12.serialize_key_and_certificates(
        b"peakload", rsa_key.private_key, x509.load_der_x509_certificate(rsa_key.certificate_der), None,
        serialization.BestAvailableEncryption(b"s3cret-pass"))
    (tmp_path / "key.p12").write_bytes(p12)
    key = load_signing_key(SignatureAlgorithm.RSA_SHA256, tmp_path / "key.p12", password=b"s3cret-pass")
    assert key.key_name == rsa_key.key_name
    signed = sign_message(inventory[1], key)
    assert store_of(credentials, SignatureAlgorithm.RSA_SHA256).verify(signed, True) == key.key_name
    with pytest.raises(SigningError) as wrong:
        load_signing_key(SignatureAlgorithm.RSA_SHA256, tmp_path / "key.p12", password=b"wrong-pass")
    assert "wrong-pass" not in str(wrong.value) and "key.p12" in str(wrong.value)


def test_a_certificate_of_another_key_is_refused(credentials):
    key_file = credentials[SignatureAlgorithm.RSA_SHA1][0]
    other_certificate = credentials[SignatureAlgorithm.RSA_SHA256][1]
    with pytest.raises(SigningError, match="does not belong"):
        load_signing_key(SignatureAlgorithm.RSA_SHA1, key_file, other_certificate)


@needs_sm2
def test_an_sm2_key_for_an_rsa_algorithm_is_refused(credentials):
    with pytest.raises(SigningError):
        load_signing_key(SignatureAlgorithm.RSA_SHA1, *credentials[SignatureAlgorithm.SM2_SM3])


def test_test_credentials_keep_the_key_private(credentials):
    for key_file, certificate_file in credentials.values():
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert certificate_file.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


@needs_sm2
def test_the_card_clients_variant_verifies(keys, credentials):
    """The e-port card client writes the W3C-namespaced sm2-sm3 URI with a SHA-1 digest, and digests
    the message as it was before it inserted the Signature and a newline after it."""
    key = keys[SignatureAlgorithm.SM2_SM3]
    unsigned = IMPORT_WITH_EXTEND
    template = re.search(rb"<ds:Signature.*</ds:Signature>", sign_message(unsigned, key), re.S)[0]
    digest = base64.b64encode(hashlib.sha1(etree.tostring(etree.fromstring(unsigned), method="c14n")).digest())
    signature = (re.sub(rb"<ds:DigestValue>[^<]*<", b"<ds:DigestValue>" + digest + b"<", template)
                 .replace(b"http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3", b"http://www.w3.org/2000/09/xmldsig#sm2-sm3")
                 .replace(b"http://www.chinaport.gov.cn/2022/04/xmldsig#sm3", b"http://www.w3.org/2000/09/xmldsig#sha1"))
    closing = unsigned.rindex(b"</ceb:CEB311Message>")
    card_signed = unsigned[:closing] + signature + b"\n" + unsigned[closing:]
    signed_info = read_signature(etree.fromstring(card_signed)).signed_info
    card_signed = re.sub(rb"<ds:SignatureValue>[^<]*<",
                         b"<ds:SignatureValue>" + base64.b64encode(key.sign(signed_info)) + b"<", card_signed)
    assert store_of(credentials, SignatureAlgorithm.SM2_SM3).verify(card_signed, True) == key.key_name
    edited = card_signed.replace(b"<ceb:name>n</ceb:name>", b"<ceb:name>m</ceb:name>")
    assert rejection(store_of(credentials, SignatureAlgorithm.SM2_SM3), edited).reason is SignatureProblem.TAMPERED


def test_unreadable_key_files_are_clear_errors(tmp_path, credentials):
    certificate = credentials[SignatureAlgorithm.RSA_SHA1][1]
    with pytest.raises(SigningError, match="cannot read key file"):
        load_signing_key(SignatureAlgorithm.RSA_SHA1, tmp_path / "absent.pem", certificate)
    (tmp_path / "garbage.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(SigningError, match="garbage.pem"):
        load_signing_key(SignatureAlgorithm.RSA_SHA1, tmp_path / "garbage.pem", certificate)
    with pytest.raises(SigningError, match="not a readable PKCS#12"):
        load_signing_key(SignatureAlgorithm.RSA_SHA1, tmp_path / "garbage.pem")

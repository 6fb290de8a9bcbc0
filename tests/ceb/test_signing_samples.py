"""The signature code on real published CEB messages (skips where ../shared is absent).

What the published signatures show: every sample carries one real RSA signature block, copied in
(the same DigestValue and certificate everywhere), so no digest matches its message. Where the
block is unchanged (the direct-mail samples) its SignatureValue verifies over the SignedInfo as
this package canonicalizes it (in context, with the root's namespaces), so the two agree. The 2022
samples changed its algorithm URIs to sm2-sm3 and sm3 without signing again.
"""

from pathlib import Path

import pytest
from lxml import etree

from ceb.signing import SignatureAlgorithm, SignatureProblem, SignatureRejected, TrustStore, sign_message
from ceb.signing import sm2
from ceb.signing.certificates import parse_certificate
from ceb.signing.envelope import parse_message, read_signature
from ceb.signing.keys import load_signing_key, make_test_credentials

SHARED = Path(__file__).resolve().parents[3] / "shared" / "samples"
FOLDERS = ("public-ceb", "public-ceb-signed", "public-ceb-export")


@pytest.fixture(scope="module")
def published():
    if not SHARED.is_dir():
        pytest.skip(f"the public CEB samples are not here ({SHARED} is absent)")
    return {path: path.read_bytes() for folder in FOLDERS for path in sorted((SHARED / folder).glob("*.xml"))}


@pytest.fixture(scope="module")
def signed_samples(published):
    found = {path: xml for path, xml in published.items() if b"SignatureValue" in xml}
    assert len(found) >= 15
    return found


def test_every_published_signature_reads(signed_samples):
    for path, xml in signed_samples.items():
        signature = read_signature(parse_message(xml))
        assert signature is not None, path.name
        assert parse_certificate(signature.certificate_der).key_name, path.name


def test_the_direct_mail_rsa_signatures_verify_over_our_signed_info(signed_samples):
    direct = {path: xml for path, xml in signed_samples.items() if path.name.startswith("direct-")}
    assert len(direct) == 6
    for path, xml in direct.items():
        signature = read_signature(parse_message(xml))
        certificate = parse_certificate(signature.certificate_der)
        assert signature.algorithm is SignatureAlgorithm.RSA_SHA1
        assert certificate.verifies(signature.algorithm, signature.signed_info, signature.signature_value), path.name


def test_the_published_digests_do_not_match_their_messages(signed_samples):
    for path, xml in signed_samples.items():
        store = TrustStore([read_signature(parse_message(xml)).certificate_der])
        with pytest.raises(SignatureRejected) as caught:
            store.verify(xml, required=True)
        assert caught.value.reason is SignatureProblem.TAMPERED, path.name


@pytest.mark.parametrize("algorithm", [a for a in SignatureAlgorithm if sm2.AVAILABLE or not a.is_sm2])
def test_every_published_message_signs_and_verifies(published, algorithm, tmp_path):
    key = load_signing_key(algorithm, *make_test_credentials(tmp_path, algorithm))
    store = TrustStore([key.certificate_der])
    for path, xml in published.items():
        root = parse_message(xml)
        for old in root.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
            root.remove(old)
        unsigned = etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True)
        assert store.verify(sign_message(unsigned, key), required=True) == key.key_name, path.name

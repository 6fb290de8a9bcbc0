"""X.509 certificates of CEB signers: reading them (RSA and SM2), naming them, issuing test ones.

cryptography reads SM2 certificates (names, serial, validity, signature) but neither their keys nor
their signatures, and cannot issue them; `sm2` fills those gaps. To issue an SM2 certificate, the
TBSCertificate is built by cryptography around a placeholder P-256 key, then the placeholder's
SubjectPublicKeyInfo and the ecdsa-with-SHA256 AlgorithmIdentifier are replaced by the SM2 key's and
SM2-with-SM3's, which encode to the same lengths (so no DER length changes), and the result is
signed with SM2 and wrapped in the Certificate SEQUENCE.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from ceb.signing import sm2
from ceb.signing.algorithms import SignatureAlgorithm
from ceb.signing.errors import SigningError

PublicKey = rsa.RSAPublicKey | sm2.Sm2PublicKey

_RSA_HASHES = {SignatureAlgorithm.RSA_SHA1: hashes.SHA1, SignatureAlgorithm.RSA_SHA256: hashes.SHA256}
_ECDSA_SHA256_ALGID = bytes.fromhex("300a06082a8648ce3d040302")
_SM2_SM3_ALGID = bytes.fromhex("300a06082a811ccf55018375")


def key_name(serial_number: int) -> str:
    """The KeyName of a certificate: its serial number in lower-case hex, whole bytes (`01691fe9`)."""
    digits = format(serial_number, "x")
    return digits.zfill(len(digits) + len(digits) % 2)


@dataclass(frozen=True)
class SignerCertificate:
    """A parsed certificate whose key can check signatures."""

    der: bytes = field(repr=False)
    certificate: x509.Certificate = field(repr=False)
    public_key: PublicKey = field(repr=False)
    key_name: str

    @property
    def is_sm2(self) -> bool:
        return isinstance(self.public_key, sm2.Sm2PublicKey)

    def verifies(self, algorithm: SignatureAlgorithm, data: bytes, signature: bytes) -> bool:
        """True if `signature` is this key's `algorithm` signature of `data`."""
        if algorithm.is_sm2 != self.is_sm2:
            return False
        if self.is_sm2:
            return sm2.verify(self.public_key, data, signature)
        try:
            self.public_key.verify(signature, data, padding.PKCS1v15(), _RSA_HASHES[algorithm]())
        except (InvalidSignature, ValueError):
            return False
        return True

    def issued_by(self, issuer: SignerCertificate) -> bool:
        """True if `issuer`'s key signed this certificate and its name is this one's issuer."""
        if self.certificate.issuer != issuer.certificate.subject:
            return False
        if issuer.is_sm2:
            return (self.certificate.signature_algorithm_oid.dotted_string == sm2.SM2_WITH_SM3_OID
                    and sm2.verify(issuer.public_key, self.certificate.tbs_certificate_bytes,
                                   self.certificate.signature))
        try:
            self.certificate.verify_directly_issued_by(issuer.certificate)
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True

    def valid_at(self, when: dt.datetime) -> bool:
        return self.certificate.not_valid_before_utc <= when <= self.certificate.not_valid_after_utc


def parse_certificate(der: bytes) -> SignerCertificate:
    """A DER certificate with an RSA or SM2 key; ValueError for anything else."""
    certificate = x509.load_der_x509_certificate(der)
    public_key: PublicKey | None
    try:
        public_key = certificate.public_key()
    except (UnsupportedAlgorithm, ValueError):  # cryptography refuses SM2 keys
        public_key = None
    if not isinstance(public_key, rsa.RSAPublicKey):
        public_key = sm2.public_key_from_der(der)
    if public_key is None:
        raise ValueError("the certificate's key is neither RSA nor SM2")
    return SignerCertificate(der, certificate, public_key, key_name(certificate.serial_number))


def read_certificate_file(path: Path) -> bytes:
    """A certificate file's DER bytes (the file holds PEM or DER)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read certificate file {path}: {exc.strerror}") from None
    if b"-----BEGIN" in data:
        try:
            return x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
        except ValueError:
            raise SigningError(f"{path} is not a PEM certificate") from None
    return data


def random_serial_number() -> int:
    """A positive 64-bit serial, the size of the e-port's card certificate numbers."""
    return secrets.randbits(63) | 1 << 62


def certificate_builder(common_name: str, public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
                             issuer: x509.Name | None = None, days: int = 365) -> x509.CertificateBuilder:
    """A test certificate for `public_key`, valid from yesterday for `days` days: self-signed (and
    usable as a CA) unless an `issuer` is given."""
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "peakload"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name).public_key(public_key)
            .serial_number(random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=issuer is None,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True))


def issue_sm2_self_signed(key: sm2.Sm2PrivateKey, common_name: str, days: int = 365) -> bytes:
    """A self-signed SM2-with-SM3 certificate for `key` (DER)."""
    placeholder = ec.generate_private_key(ec.SECP256R1())
    placeholder_spki = placeholder.public_key().public_bytes(serialization.Encoding.DER,
                                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    tbs = (certificate_builder(common_name, placeholder.public_key(), days=days)
           .sign(placeholder, hashes.SHA256()).tbs_certificate_bytes)
    sm2_spki = sm2.spki_der(key.public_key())
    if (len(sm2_spki) != len(placeholder_spki) or tbs.count(placeholder_spki) != 1
            or tbs.count(_ECDSA_SHA256_ALGID) != 1):
        raise SigningError("cannot build an SM2 certificate with this cryptography version")
    tbs = tbs.replace(placeholder_spki, sm2_spki).replace(_ECDSA_SHA256_ALGID, _SM2_SM3_ALGID)
    signature = sm2.sign_der(key, tbs)
    return _der(0x30, tbs + _SM2_SM3_ALGID + _der(0x03, b"\x00" + signature))


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(octets)]) + octets + content

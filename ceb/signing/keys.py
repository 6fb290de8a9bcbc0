"""A signer's key and certificate: loading them from files, and making test ones.

Private keys are read from PEM (with their certificate in PEM or DER) or from one PKCS#12 file.
A password is only ever passed through to the parser: no message here repeats it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from ceb.signing import sm2
from ceb.signing.algorithms import SignatureAlgorithm
from ceb.signing.certificates import (issue_sm2_self_signed, parse_certificate, read_certificate_file,
                                      certificate_builder)
from ceb.signing.errors import SigningError

PrivateKey = rsa.RSAPrivateKey | sm2.Sm2PrivateKey

_RSA_HASHES = {SignatureAlgorithm.RSA_SHA1: hashes.SHA1, SignatureAlgorithm.RSA_SHA256: hashes.SHA256}
TEST_RSA_BITS = 2048


@dataclass(frozen=True)
class SigningKey:
    """A private key, the certificate that goes with it, and its KeyName (the certificate's serial in hex)."""

    algorithm: SignatureAlgorithm
    private_key: PrivateKey = field(repr=False)
    certificate_der: bytes = field(repr=False)
    key_name: str

    def sign(self, data: bytes) -> bytes:
        """The signature of `data` as a SignatureValue carries it (RSA PKCS#1 v1.5; SM2 raw r || s)."""
        if self.algorithm.is_sm2:
            return sm2.sign(self.private_key, data)
        return self.private_key.sign(data, padding.PKCS1v15(), _RSA_HASHES[self.algorithm]())


def load_signing_key(algorithm: SignatureAlgorithm, key_file: Path, certificate_file: Path | None = None,
                     password: bytes | None = None) -> SigningKey:
    """The signing key in `key_file` (PEM, with `certificate_file`) or in a PKCS#12 `key_file`
    (`certificate_file` None); SigningError if a file cannot be read or the key does not fit."""
    algorithm = SignatureAlgorithm(algorithm)
    data = _read(key_file, "key")
    if certificate_file is None:
        private_key, certificate_der = _load_pkcs12(algorithm, key_file, data, password)
    else:
        private_key = _load_pem_key(algorithm, key_file, data, password)
        certificate_der = read_certificate_file(certificate_file)
    try:
        certificate = parse_certificate(certificate_der)
    except ValueError as exc:
        raise SigningError(f"the certificate of {key_file} cannot be read: {exc}") from None
    if not _same_key(private_key, certificate.public_key):
        raise SigningError(f"the certificate does not belong to the key in {key_file}")
    return SigningKey(algorithm, private_key, certificate_der, certificate.key_name)


def make_test_credentials(folder: Path, algorithm: SignatureAlgorithm,
                          common_name: str = "peakload test enterprise") -> tuple[Path, Path]:
    """A new self-signed test certificate and its key, written as PEM into `folder` (the key file
    readable by its owner only); returns (key_file, certificate_file). For tests and rehearsals:
    no platform trusts these."""
    algorithm = SignatureAlgorithm(algorithm)
    folder.mkdir(parents=True, exist_ok=True)
    if algorithm.is_sm2:
        sm2_key = sm2.generate_private_key()
        key_pem = sm2.private_key_pem(sm2_key)
        certificate_der = issue_sm2_self_signed(sm2_key, common_name)
    else:
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=TEST_RSA_BITS)
        key_pem = rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
        certificate_der = (certificate_builder(common_name, rsa_key.public_key())
                           .sign(rsa_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
    key_file = folder / f"{algorithm.value}-key.pem"
    certificate_file = folder / f"{algorithm.value}-cert.pem"
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key_pem)
    certificate_file.write_bytes(x509.load_der_x509_certificate(certificate_der).public_bytes(serialization.Encoding.PEM))
    return key_file, certificate_file


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read {what} file {path}: {exc.strerror}") from None


def _load_pem_key(algorithm: SignatureAlgorithm, path: Path, data: bytes, password: bytes | None) -> PrivateKey:
    if algorithm.is_sm2:
        try:
            return sm2.load_pem_private_key(data, password)
        except SigningError as exc:
            raise SigningError(f"{path}: {exc}") from None
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{path} is not a readable PEM private key (or the password is wrong): "
                           f"{type(exc).__name__}") from None
    except UnsupportedAlgorithm:  # e.g. an SM2 key given for an RSA algorithm
        raise SigningError(f"{path} holds a key {algorithm.value} cannot use") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SigningError(f"{path} does not hold an RSA key, which {algorithm.value} needs")
    return key


def _load_pkcs12(algorithm: SignatureAlgorithm, path: Path, data: bytes,
                 password: bytes | None) -> tuple[PrivateKey, bytes]:
    if algorithm.is_sm2:
        raise SigningError("SM2 keys are read from a PEM key file and its certificate, not from PKCS#12")
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(data, password)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{path} is not a readable PKCS#12 file (or the password is wrong): "
                           f"{type(exc).__name__}") from None
    except UnsupportedAlgorithm:
        raise SigningError(f"{path} holds a key {algorithm.value} cannot use") from None
    if not isinstance(key, rsa.RSAPrivateKey) or certificate is None:
        raise SigningError(f"{path} does not hold an RSA key and its certificate")
    return key, certificate.public_bytes(serialization.Encoding.DER)


def _same_key(private_key: PrivateKey, public_key: object) -> bool:
    if isinstance(private_key, rsa.RSAPrivateKey):
        return (isinstance(public_key, rsa.RSAPublicKey)
                and public_key.public_numbers() == private_key.public_key().public_numbers())
    return isinstance(public_key, sm2.Sm2PublicKey) and sm2.same_key(private_key.public_key(), public_key)

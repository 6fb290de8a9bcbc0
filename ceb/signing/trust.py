"""Verifying signed CEB messages against a set of trusted certificates.

A signer's certificate is trusted if it is one of the store's certificates, or if one of them
(a CA) issued it, and it is within its validity period. The KeyName a message carries is not
signed, so the signer is named by the trusted certificate's serial instead.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ceb.signing import sm2
from ceb.signing.certificates import SignerCertificate, parse_certificate, read_certificate_file
from ceb.signing.envelope import parse_message, read_signature
from ceb.signing.errors import CERTIFICATE_EXPIRED, SignatureProblem, SignatureRejected, SigningError

_CACHE_LIMIT = 4096  # presented certificates remembered (a load test sees a handful of signers)


class TrustStore:
    """The certificates a verifier trusts; `verify` checks a message's signature against them."""

    def __init__(self, certificates: Sequence[bytes], clock: Callable[[], dt.datetime] | None = None) -> None:
        """`certificates`: DER certificates, each trusted itself and as the issuer of others."""
        self._trusted = [parse_certificate(der) for der in certificates]
        self._clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self._seen: dict[bytes, SignerCertificate | SignatureRejected] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_files(cls, paths: Sequence[Path]) -> TrustStore:
        """A store of the certificates in `paths` (PEM or DER); SigningError names a file that cannot be read."""
        certificates = []
        for path in paths:
            der = read_certificate_file(path)
            try:
                parse_certificate(der)
            except ValueError as exc:
                raise SigningError(f"{path} is not a usable certificate: {exc}") from None
            certificates.append(der)
        return cls(certificates)

    def verify(self, xml: bytes, required: bool) -> str | None:
        """The KeyName (certificate serial in hex) of the trusted signer of `xml`; None if `xml` is
        unsigned and no signature is `required`. Raises SignatureRejected."""
        try:
            root = parse_message(xml)
        except ValueError as exc:
            raise SignatureRejected(SignatureProblem.MALFORMED, str(exc)) from None
        signature = read_signature(root)
        if signature is None:
            if required:
                raise SignatureRejected(SignatureProblem.MISSING, "the message has no ds:Signature")
            return None
        if signature.algorithm.is_sm2 and not sm2.AVAILABLE:
            raise SignatureRejected(SignatureProblem.UNSUPPORTED_ALGORITHM, sm2.UNAVAILABLE)
        signer = self._signer(signature.certificate_der)
        if not signature.digest_matches():
            raise SignatureRejected(SignatureProblem.TAMPERED, "the message's digest differs from its DigestValue")
        if not signer.verifies(signature.algorithm, signature.signed_info, signature.signature_value):
            raise SignatureRejected(SignatureProblem.BAD_SIGNATURE,
                                    f"the SignatureValue is not {signer.key_name}'s {signature.algorithm.value} "
                                    "signature of the SignedInfo")
        return signer.key_name

    def _signer(self, der: bytes) -> SignerCertificate:
        known = self._seen.get(der)
        if known is None:
            known = self._judge(der)
            with self._lock:
                if len(self._seen) >= _CACHE_LIMIT:
                    self._seen.clear()
                self._seen[der] = known
        if isinstance(known, SignatureRejected):
            raise known
        if not known.valid_at(self._clock()):
            raise SignatureRejected(SignatureProblem.UNTRUSTED,
                                    f"certificate {known.key_name} is outside its validity period",
                                    code=CERTIFICATE_EXPIRED)
        return known

    def _judge(self, der: bytes) -> SignerCertificate | SignatureRejected:
        try:
            presented = parse_certificate(der)
        except ValueError as exc:
            return SignatureRejected(SignatureProblem.MALFORMED, f"the X509Certificate cannot be read: {exc}")
        if any(t.der == der or presented.issued_by(t) for t in self._trusted):
            return presented
        return SignatureRejected(SignatureProblem.UNTRUSTED,
                                 f"certificate {presented.key_name} ({presented.certificate.subject.rfc4514_string()}) "
                                 "is not trusted")

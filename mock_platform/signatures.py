"""Signature checks at intake (`peakload mock --trust CERT`): every message on every transport must
carry a valid enveloped signature by a trusted certificate, or a CA that issued it.

A refusal is a `SignatureFailure`, a PlatformError: the HTTP transports answer it as 400
`signature_missing` or `signature_invalid` with the reason; the folder transport answers with a
CEB900 whose status is the exchange's code (1001 invalid, 1002 expired, 1004 not matching the data).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ceb.signing import SignatureProblem, SignatureRejected, TrustStore
from mock_platform.errors import PlatformError


class SignatureFailure(PlatformError):
    """A message whose signature is missing, tampered with, or not by a trusted certificate."""

    def __init__(self, rejected: SignatureRejected) -> None:
        code = "signature_missing" if rejected.reason is SignatureProblem.MISSING else "signature_invalid"
        super().__init__(400, code, f"{rejected.reason.value}: {rejected.detail}", "Signature")
        self.exchange_code = rejected.code


class SignatureCheck:
    """The platform's trusted certificates and the check every message passes."""

    def __init__(self, trust: TrustStore) -> None:
        self._trust = trust

    @classmethod
    def from_files(cls, paths: Sequence[Path]) -> SignatureCheck | None:
        """The check for these certificate files; None (no check) without any. Raises
        ceb.signing.SigningError naming a file that is not a certificate."""
        return cls(TrustStore.from_files(paths)) if paths else None

    def check(self, xml: bytes) -> str | None:
        """The signer's certificate serial; SignatureFailure unless `xml` is signed by a trusted one."""
        try:
            return self._trust.verify(xml, required=True)
        except SignatureRejected as exc:
            raise SignatureFailure(exc) from None

"""The exceptions of CEB message signing.

    Exception
    ├── SignatureRejected   a message's signature does not verify (reason, code, detail)
    └── ValueError
        └── SigningError    a key, certificate or message that cannot be used to sign
"""

from __future__ import annotations

from enum import StrEnum


class SignatureProblem(StrEnum):
    """Why a signature was rejected."""

    MISSING = "missing"  # no ds:Signature where one is required
    MALFORMED = "malformed"  # a ds:Signature lacking a part, or a part that does not decode
    TAMPERED = "tampered"  # the message's digest differs from the signed DigestValue
    BAD_SIGNATURE = "bad_signature"  # the SignatureValue does not verify with the certificate's key
    UNTRUSTED = "untrusted"  # the certificate is neither trusted nor issued by a trusted CA, or expired
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"


# The exchange's error codes for signatures: 1001 signature invalid, 1002 certificate expired,
# 1004 signature does not match the data.
SIGNATURE_INVALID = "1001"
CERTIFICATE_EXPIRED = "1002"
SIGNATURE_MISMATCH = "1004"

_CODES = {
    SignatureProblem.MISSING: SIGNATURE_INVALID,
    SignatureProblem.MALFORMED: SIGNATURE_INVALID,
    SignatureProblem.TAMPERED: SIGNATURE_MISMATCH,
    SignatureProblem.BAD_SIGNATURE: SIGNATURE_MISMATCH,
    SignatureProblem.UNTRUSTED: SIGNATURE_INVALID,
    SignatureProblem.UNSUPPORTED_ALGORITHM: SIGNATURE_INVALID,
}


class SignatureRejected(Exception):
    """A message whose signature does not verify; `code` is the exchange's error code for it."""

    def __init__(self, reason: SignatureProblem, detail: str, code: str | None = None) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.code = code or _CODES[reason]
        self.detail = detail


class SigningError(ValueError):
    """A key, certificate or message that cannot be used to sign (the message says which and why)."""

"""A message as a platform reads it: framed for its transport as the generator's transports frame
it, then its frame, its signature and its declaration read back. Pure (the codec and the signature
checks of `ceb`): what a dry run finds, no connection made.
"""

from __future__ import annotations

import datetime as dt

from ceb import dxp
from ceb.codec import message_from_tree, open_envelope
from ceb.documents import Message
from ceb.eport import unwrap_report, wrap_report
from ceb.errors import CebFormatError
from ceb.signing import SignatureProblem, SignatureRejected, TrustStore
from ceb.signing.envelope import parse_message as parse_signed
from ceb.signing.envelope import read_signature
from locustfiles.schedule import SendJob
from targets import TargetProfile, TransportKind


def framed(profile: TargetProfile | None, job: SendJob, body: bytes, now: dt.datetime) -> bytes:
    """The message as its transport puts it on the wire (the transports in locustfiles/transports
    frame it the same way)."""
    if profile is None:
        return body
    message_type = job.message_type
    if profile.transport is TransportKind.EPORT:
        return wrap_report(body, message_type, profile.dxp_id, dxp.receiver_for(message_type), now, job.document_guid)
    if profile.transport is TransportKind.DXP_FOLDER or (profile.envelope and profile.dxp_id):
        return dxp.wrap(dxp.DxpMessage(job.document_guid, profile.dxp_id, (dxp.receiver_for(message_type),), now,
                                       message_type.root_tag, body))
    return body


class SignatureCheck:
    """Checks each signature against the certificate it carries: the digest, the signature value
    and the certificate's validity period (whether the platform trusts it, only the platform knows)."""

    def __init__(self) -> None:
        self._stores: dict[bytes, TrustStore] = {}

    def verify(self, xml: bytes) -> None:
        signature = read_signature(parse_signed(xml))
        if signature is None:
            raise SignatureRejected(SignatureProblem.MISSING, "the message has no ds:Signature")
        store = self._stores.get(signature.certificate_der)
        if store is None:
            try:
                store = self._stores[signature.certificate_der] = TrustStore([signature.certificate_der])
            except ValueError as exc:
                raise SignatureRejected(SignatureProblem.MALFORMED, f"the X509Certificate cannot be read: {exc}") from None
        store.verify(xml, required=True)


def read_back(profile: TargetProfile | None, wire: bytes, signatures: SignatureCheck | None) -> Message:
    """Read a framed message as a platform does: its frame, its signature, its declaration.
    CebFormatError or SignatureRejected (or SigningError) when that fails."""
    if profile is not None and profile.transport is TransportKind.EPORT:
        wire = unwrap_report(wire).xml
    xml, root = open_envelope(wire)
    if signatures is not None:
        signatures.verify(xml)
    return message_from_tree(root)


def fault(exc: Exception) -> str:
    """What a platform would say is wrong, in a line."""
    if isinstance(exc, CebFormatError):
        return f"{exc.code}{' at ' + exc.field if exc.field else ''}: {exc.detail}"
    if isinstance(exc, SignatureRejected):
        return f"signature {exc}"
    return str(exc)

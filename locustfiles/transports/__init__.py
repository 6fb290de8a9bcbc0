"""How the generator reaches a platform: one interface (`base`), one module per transport."""

from __future__ import annotations

from locust.event import EventHook

from ceb.types import MessageType
from locustfiles.transports.base import (ACCEPTED, Delivery, FeedPage, MessageSender, ReceiptFeed, ReceiptSeen,
                                         Rejection, Transport)
from targets.profile import TargetProfile, TransportKind

__all__ = ["ACCEPTED", "Delivery", "FeedPage", "MessageSender", "ReceiptFeed", "ReceiptSeen", "Rejection",
           "Transport", "open_transport", "receipt_types"]


def open_transport(profile: TargetProfile, request_event: EventHook) -> Transport:
    """The transport a profile names, ready to make senders and a receipt feed."""
    # Imported here: a process loads only the transport it uses (paramiko is not small).
    if profile.transport is TransportKind.EPORT:
        from locustfiles.transports.eport import EportTransport
        return EportTransport(profile, request_event)
    if profile.transport is TransportKind.DXP_FOLDER:
        from locustfiles.transports.dxp_folder import DxpFolderTransport
        return DxpFolderTransport(profile, request_event)
    from locustfiles.transports.ceb_http import CebHttpTransport
    return CebHttpTransport(profile, request_event)


def receipt_types(directions: set[str]) -> list[MessageType]:
    """The receipt types a run declaring in `directions` ("import", "export") can get back: what a
    feed pulled by type asks for."""
    return [mt for mt in MessageType
            if (mt.name.endswith("_RECEIPT") or mt in (MessageType.TAX_BILL, MessageType.SUMMARY_RESULT))
            and mt is not MessageType.FORMAT_ERROR_RECEIPT and mt.direction.value in directions]

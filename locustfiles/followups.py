"""The follow-up documents of a parcel, derived from its declared documents: the carrier's
signed-for status (CEB513), the site operator's arrival list (CEB711), the agent's cancel
(CEB623) and return (CEB625). The generator, the cleanup and the tests build them the same way. A
follow-up carries the note (the run's test tag) and the appStatus of the parcel it follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace

from ceb.documents import (ArrivalItem, ArrivalList, BaseTransfer, DeclarationHead, Document, InventoryCancel,
                           InventoryList, InventoryReturn, Message, ReturnItem, Waybill, WaybillStatus)
from ceb.types import AppStatus, AppType, MessageType
from locustfiles.parcels import Parcel
from scenarios.flows import FollowUpKind
from scenarios.parties import Parties

_TIME = "%Y%m%d%H%M%S"


def declaration_head(guid: str, at: dt.datetime, app_type: AppType = AppType.NEW,
                     app_status: AppStatus = AppStatus.DECLARED) -> DeclarationHead:
    """The head every declaration starts with."""
    return DeclarationHead(guid=guid, app_type=app_type.value, app_time=at.strftime(_TIME),
                           app_status=app_status.value)


def signed_for(waybill: Waybill, head: DeclarationHead, at: dt.datetime) -> WaybillStatus:
    """CEB513: the parcel of `waybill` was signed for by the consignee."""
    return WaybillStatus(head=head, logistics_code=waybill.logistics_code, logistics_name=waybill.logistics_name,
                         logistics_no=waybill.logistics_no, logistics_status="S",
                         logistics_time=at.strftime(_TIME), note=waybill.note)


def arrival_of(lists: Sequence[InventoryList], head: DeclarationHead, parties: Parties,
               cop_no: str) -> ArrivalList:
    """CEB711: the direct-mail parcels of `lists` (one carrier, one flight) arrived at the site."""
    first = lists[0]
    return ArrivalList(
        head=head, customs_code=parties.customs_code, cop_no=cop_no, operator_code=parties.operator.code,
        operator_name=parties.operator.name, ie_flag="I", traf_mode=first.traf_mode, traf_no=first.traf_no,
        voyage_no=first.voyage_no, bill_no=first.bill_no, logistics_code=first.logistics_code,
        logistics_name=first.logistics_name, note=first.note,
        items=tuple(ArrivalItem(gnum=str(i), logistics_no=lst.logistics_no) for i, lst in enumerate(lists, 1)))


def _about(inventory: InventoryList) -> dict[str, str]:
    """The fields a cancel or return repeats from the list it names."""
    return dict(customs_code=inventory.customs_code, order_no=inventory.order_no, ebp_code=inventory.ebp_code,
                ebp_name=inventory.ebp_name, ebc_code=inventory.ebc_code, ebc_name=inventory.ebc_name,
                logistics_no=inventory.logistics_no, logistics_code=inventory.logistics_code,
                logistics_name=inventory.logistics_name, cop_no=inventory.cop_no, pre_no=inventory.pre_no,
                buyer_id_type=inventory.buyer_id_type, buyer_id_number=inventory.buyer_id_number,
                buyer_name=inventory.buyer_name, buyer_telephone=inventory.buyer_telephone,
                agent_code=inventory.agent_code, agent_name=inventory.agent_name, note=inventory.note)


def cancel_of(inventory: InventoryList, head: DeclarationHead, invt_no: str, reason: str) -> InventoryCancel:
    """CEB623: withdraw `inventory` (whose customs number is `invt_no`) before release."""
    return InventoryCancel(head=head, invt_no=invt_no or "-", reason=reason, **_about(inventory))


def return_of(inventory: InventoryList, head: DeclarationHead, invt_no: str, reason: str) -> InventoryReturn:
    """CEB625: every line of a released `inventory` sent back."""
    items = tuple(ReturnItem(gnum=item.gnum, gcode=item.gcode, gname=item.gname, qty=item.qty, unit=item.unit)
                  for item in inventory.items)
    return InventoryReturn(head=head, invt_no=invt_no, reason=reason, items=items, **_about(inventory))


def message_of(message_type: MessageType, document: Document, parties: Parties, guid: str) -> Message:
    """A one-document message from the party that sends `message_type`."""
    sender = parties.sender_of(message_type)
    return Message(message_type, guid, (document,), BaseTransfer(cop_code=sender.code, cop_name=sender.name,
                                                                  dxp_mode="DXP", dxp_id=sender.dxp_id, note=document.note))


# The sender does not know the customs number (invtNo) before the 120 receipt; the platform finds
# the list by the agent's own copNo, as the mock does.
UNKNOWN_INVT_NO = "0"


def followup_message(kind: FollowUpKind, parcel: Parcel, parties: Parties, guid: Callable[[], str],
                     at: dt.datetime) -> Message:
    """The message of one follow-up of `parcel`."""
    lst = parcel.inventory_list
    app_status = AppStatus(lst.head.app_status)
    head = declaration_head(guid(), at, app_status=app_status)
    if kind is FollowUpKind.SIGNED_FOR:
        document = signed_for(parcel.waybill, head, at)
    elif kind is FollowUpKind.ARRIVAL:
        document = arrival_of([lst], head, parties, f"{parcel.order.order_no}RKD")
    elif kind is FollowUpKind.AMEND:
        document = replace(lst, head=declaration_head(head.guid, at, AppType.CHANGE, app_status),
                           note=f"{lst.note}; amended: gross weight")
    elif kind is FollowUpKind.CANCEL:
        document = cancel_of(lst, head, UNKNOWN_INVT_NO, "buyer cancelled the order")
    else:
        document = return_of(lst, head, UNKNOWN_INVT_NO, "buyer returned the goods")
    return message_of(kind.message_type, document, parties, guid())

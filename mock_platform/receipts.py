"""Building receipts: which receipt answers which document, its keys and its time format; and the
two receipts that answer no single declaration: the CEB816 tax bill issued on release and the
CEB900 format-error receipt."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from decimal import Decimal

from ceb.documents import (ArrivalList, Document, InventoryCancel, InventoryList, InventoryReturn, Order,
                           Payment, Waybill, WaybillStatus)
from ceb.export import (Collection, ConsolidatedWaybill, Departure, ExportCancel, ExportDocument, ExportList,
                        ExportOrder, ExportWaybill, PortArrival, SummaryApplication)
from ceb.codec import camel
from ceb.tax import retail_import_tax
from ceb.types import CHINA_TIME, MessageType, ReturnStatus
from mock_platform.records import StoredReceipt

RECEIPT_TYPES: dict[type, tuple[MessageType, str]] = {
    Order: (MessageType.ORDER_RECEIPT, "OrderReturn"),
    Payment: (MessageType.PAYMENT_RECEIPT, "PaymentReturn"),
    Waybill: (MessageType.WAYBILL_RECEIPT, "LogisticsReturn"),
    WaybillStatus: (MessageType.WAYBILL_STATUS_RECEIPT, "LogisticsStatusReturn"),
    InventoryList: (MessageType.INVENTORY_LIST_RECEIPT, "InventoryReturn"),
    InventoryCancel: (MessageType.INVENTORY_CANCEL_RECEIPT, "InvtCancelReturn"),
    InventoryReturn: (MessageType.INVENTORY_RETURN_RECEIPT, "InvtRefundReturn"),
    ArrivalList: (MessageType.ARRIVAL_RECEIPT, "DeliveryReturn"),
    ExportOrder: (MessageType.EXPORT_ORDER_RECEIPT, "OrderReturn"),
    Collection: (MessageType.COLLECTION_RECEIPT, "ReceiptsReturn"),
    ExportWaybill: (MessageType.EXPORT_WAYBILL_RECEIPT, "LogisticsReturn"),
    PortArrival: (MessageType.PORT_ARRIVAL_RECEIPT, "ArrivalReturn"),
    Departure: (MessageType.DEPARTURE_RECEIPT, "DepartureReturn"),
    ExportList: (MessageType.EXPORT_LIST_RECEIPT, "InventoryReturn"),
    ExportCancel: (MessageType.EXPORT_CANCEL_RECEIPT, "InvtCancelReturn"),
    ConsolidatedWaybill: (MessageType.CONSOLIDATED_WAYBILL_RECEIPT, "WayBillReturn"),
    SummaryApplication: (MessageType.SUMMARY_APPLICATION_RECEIPT, "SummaryApplyReturn"),
}
RECEIPT_NODE_NAMES = {mt.value: node for mt, node in RECEIPT_TYPES.values()} | {
    MessageType.TAX_BILL.value: "TaxHeadRd", MessageType.FORMAT_ERROR_RECEIPT.value: "MessageReturn",
    MessageType.SUMMARY_RESULT.value: "SummaryResult"}
# The business keys an export receipt repeats, in this order, where its document has them.
_EXPORT_KEYS = ("customs_code", "ebp_code", "ebc_code", "agent_code", "cop_no", "order_no", "logistics_code",
                "logistics_no", "sum_no")
# The returnInfo of each status a platform reports (the texts real receipts carry).
STATUS_INFO = {
    ReturnStatus.STORED: "[Code:1100;Desc:暂存成功]",
    ReturnStatus.DECLARING: "新增申报成功[{guid}]",
    ReturnStatus.ACCEPTED: "[Code:1800;Desc:逻辑校验通过]",
    ReturnStatus.MANUAL_REVIEW: "[Code:2100;Desc:人工审核]",
    ReturnStatus.CLEARED: "[Code:2600;Desc:审结]",
    ReturnStatus.INSPECTION: "[Code:2700;Desc:查验]",
    ReturnStatus.DETAINED_CLEARANCE: "[Code:2710;Desc:扣留移交通关]",
    ReturnStatus.DETAINED_ANTI_SMUGGLING: "[Code:2720;Desc:扣留移交缉私]",
    ReturnStatus.DETAINED_LEGAL: "[Code:2730;Desc:扣留移交法规]",
    ReturnStatus.DETAINED_OTHER: "[Code:2790;Desc:扣留其他]",
    ReturnStatus.RETURNED_ABROAD: "[Code:2900;Desc:退运]",
    ReturnStatus.RELEASED: "[Code:2800;Desc:放行]",
    ReturnStatus.CLOSED: "[Code:2900;Desc:结关]",
}
CHANGED = "变更申报成功[{guid}]"
DELETED = "[Code:1800;Desc:删除成功]"
FORMAT_ERROR_STATUS = -1  # a negative returnStatus is a processing error
TAX_BILL_MADE = 1  # CEB816 status: 1 made, 2 summarised, 3 void


def outcome(document: Document, rejected: str | None = None, approved: bool = False,
            declared: str = STATUS_INFO[ReturnStatus.DECLARING],
            accepted: str = STATUS_INFO[ReturnStatus.ACCEPTED]) -> list[tuple[int, str]]:
    """The (status, returnInfo) receipts of a document decided at once: 2, then 100 with the
    broken rule's `rejected` returnInfo, or 120 (and 399 for an approved request: a cancel, a
    return, a summary)."""
    first = (ReturnStatus.DECLARING, declared.format(guid=document.head.guid))
    if rejected is not None:
        return [first, (ReturnStatus.REJECTED, rejected)]
    return [first, (ReturnStatus.ACCEPTED, accepted)] + (
        [(ReturnStatus.CLEARED, STATUS_INFO[ReturnStatus.CLEARED])] if approved else [])


@functools.lru_cache(maxsize=64)  # a tick stamps all its receipts with one instant
def return_time(epoch_s: float) -> str:
    """`returnTime` (YYYYMMDDhhmmssfff, China time) of an instant."""
    moment = dt.datetime.fromtimestamp(epoch_s, CHINA_TIME)
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def receipt_keys(document: Document, pre_no: str = "", invt_no: str = "",
                 customs_code: str = "") -> tuple[tuple[str, str], ...]:
    """The business keys a receipt of `document` carries (docs/domain.md, "Receipts and statuses")."""
    if isinstance(document, Order):
        return (("ebpCode", document.ebp_code), ("ebcCode", document.ebc_code),
                ("orderNo", document.order_no))
    if isinstance(document, Payment):
        return (("payCode", document.pay_code), ("payTransactionId", document.pay_transaction_id),
                ("orderNo", document.order_no))
    if isinstance(document, Waybill):
        return (("logisticsCode", document.logistics_code), ("logisticsNo", document.logistics_no))
    if isinstance(document, WaybillStatus):
        return (("logisticsCode", document.logistics_code), ("logisticsNo", document.logistics_no),
                ("logisticsStatus", document.logistics_status))
    if isinstance(document, ArrivalList):
        return (("customsCode", document.customs_code), ("operatorCode", document.operator_code),
                ("copNo", document.cop_no), ("preNo", pre_no), ("rkdNo", document.rkd_no))
    if isinstance(document, ExportDocument):
        keys = tuple((camel(name), getattr(document, name)) for name in _EXPORT_KEYS if hasattr(document, name))
        return keys + ((("preNo", pre_no), ("invtNo", invt_no)) if isinstance(document, ExportList) else ())
    if isinstance(document, InventoryCancel | InventoryReturn):
        return (("customsCode", document.customs_code), ("agentCode", document.agent_code),
                ("ebpCode", document.ebp_code), ("ebcCode", document.ebc_code),
                ("copNo", document.cop_no), ("invtNo", document.invt_no), ("orderNo", document.order_no))
    return (("customsCode", customs_code or document.customs_code), ("ebpCode", document.ebp_code),
            ("ebcCode", document.ebc_code), ("agentCode", document.agent_code),
            ("copNo", document.cop_no), ("preNo", pre_no), ("invtNo", invt_no),
            ("orderNo", document.order_no))


def make_receipt(document: Document, receiver: str, status: int, info: str, at: float,
                 keys: tuple[tuple[str, str], ...] | None = None) -> StoredReceipt:
    """A receipt of `document` with `status`, addressed to `receiver`."""
    message_type, _ = RECEIPT_TYPES[type(document)]
    return StoredReceipt(receiver=receiver, message_type=message_type.value,
                         guid=document.head.guid, return_status=status,
                         return_time=return_time(at), return_info=info,
                         keys=keys if keys is not None else receipt_keys(document), created_at=at)


def tax_bill(inventory: InventoryList, invt_no: str, customs_code: str, at: float) -> StoredReceipt:
    """The CEB816 electronic tax bill (电子税单) of a released list, to its guarantor (assureCode).

    Cross-border retail import pays no tariff and 70% of VAT and consumption tax: the 9.1% of
    `ceb.tax` on each line's value, summed."""
    vat = sum((retail_import_tax(item.total_price, Decimal(0)) for item in inventory.items), Decimal(0))
    keys = (("invtNo", invt_no), ("taxNo", f"{invt_no}_0"), ("customsTax", "0.00"),
            ("valueAddedTax", f"{vat:.2f}"), ("consumptionTax", "0.00"),
            ("assureCode", inventory.assure_code), ("ebcCode", inventory.ebc_code),
            ("logisticsCode", inventory.logistics_code), ("agentCode", inventory.agent_code),
            ("customsCode", customs_code), ("orderNo", inventory.order_no),
            ("logisticsNo", inventory.logistics_no))
    # A tax bill is a document of its own: its guid is new (derived, so a resend keeps it).
    guid = str(uuid.uuid5(uuid.NAMESPACE_OID, f"tax/{inventory.head.guid}")).upper()
    return StoredReceipt(receiver=inventory.assure_code, message_type=MessageType.TAX_BILL.value,
                         guid=guid, return_status=TAX_BILL_MADE,
                         return_time=return_time(at), return_info="电子税单已生成", keys=keys,
                         created_at=at)


def format_error(message_guid: str, original_type: str, receiver: str, info: str,
                 at: float) -> StoredReceipt:
    """The CEB900 receipt telling a sender its message could not be read."""
    return StoredReceipt(receiver=receiver, message_type=MessageType.FORMAT_ERROR_RECEIPT.value,
                         guid=message_guid, return_status=FORMAT_ERROR_STATUS,
                         return_time=return_time(at), return_info=info,
                         keys=(("oriMessageType", original_type),), created_at=at)

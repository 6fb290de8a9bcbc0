"""Building receipts: which receipt answers which document, its keys and its time format."""

from __future__ import annotations

import datetime as dt

from ceb.documents import Document, InventoryList, Order, Payment, Waybill
from ceb.types import MessageType
from mock_platform.records import StoredReceipt

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

RECEIPT_TYPES: dict[type, tuple[MessageType, str]] = {
    Order: (MessageType.ORDER_RECEIPT, "OrderReturn"),
    Payment: (MessageType.PAYMENT_RECEIPT, "PaymentReturn"),
    Waybill: (MessageType.WAYBILL_RECEIPT, "LogisticsReturn"),
    InventoryList: (MessageType.INVENTORY_LIST_RECEIPT, "InventoryReturn"),
}
RECEIPT_NODE_NAMES = {mt.value: node for mt, node in RECEIPT_TYPES.values()}


def return_time(epoch_s: float) -> str:
    """`returnTime` (YYYYMMDDhhmmssfff, China time) of an instant."""
    moment = dt.datetime.fromtimestamp(epoch_s, CHINA_TIME)
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def receipt_keys(document: Document, pre_no: str = "", invt_no: str = "",
                 customs_code: str = "") -> tuple[tuple[str, str], ...]:
    """The business keys a receipt of `document` carries (DOMAIN.md §3)."""
    if isinstance(document, Order):
        return (("ebpCode", document.ebp_code), ("ebcCode", document.ebc_code),
                ("orderNo", document.order_no))
    if isinstance(document, Payment):
        return (("payCode", document.pay_code), ("payTransactionId", document.pay_transaction_id),
                ("orderNo", document.order_no))
    if isinstance(document, Waybill):
        return (("logisticsCode", document.logistics_code), ("logisticsNo", document.logistics_no))
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

"""The business documents of the CEB import messages, as frozen dataclasses: the four of
三单对碰 (order, payment, waybill, inventory list) and the follow-ups that change a parcel's course
(waybill status, arrival, cancel, return).

Field order is the XML element order; a field's XML name is its camelCase form (`order_no` ->
`orderNo`). A field without a default is required on intake; `Decimal` fields are amounts. The
codec (`ceb.codec`) reads and writes these generically from their fields, so adding a field here is
all it takes to carry it on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ceb.export import ExportDocument
from ceb.heads import DeclarationHead as DeclarationHead  # re-exported: every declaration starts with one
from ceb.types import MessageType


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderItem:
    """`Order/OrderList`: one line of an order."""

    gnum: str
    item_no: str = ""
    item_name: str
    gmodel: str = ""
    item_describe: str = ""
    bar_code: str = ""
    unit: str = ""
    qty: Decimal
    price: Decimal
    total_price: Decimal
    currency: str = "142"
    country: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """CEB311 `Order`: an e-commerce order (电子订单)."""

    head: DeclarationHead
    order_type: str
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    goods_value: Decimal
    freight: Decimal
    discount: Decimal
    tax_total: Decimal
    actural_paid: Decimal  # sic: the standard's spelling
    currency: str
    buyer_reg_no: str
    buyer_name: str
    buyer_telephone: str = ""
    buyer_id_type: str
    buyer_id_number: str
    pay_code: str = ""
    pay_name: str = ""
    pay_transaction_id: str = ""
    batch_numbers: str = ""
    consignee: str
    consignee_telephone: str
    consignee_address: str
    consignee_district: str = ""
    note: str = ""
    items: tuple[OrderItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    """CEB411 `Payment/PaymentHead`: the payment of an order (支付单)."""

    head: DeclarationHead
    pay_code: str
    pay_name: str
    pay_transaction_id: str
    order_no: str
    ebp_code: str
    ebp_name: str
    payer_id_type: str
    payer_id_number: str
    payer_name: str
    telephone: str = ""
    amount_paid: Decimal
    currency: str
    pay_time: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Waybill:
    """CEB511 `Logistics/LogisticsHead`: the waybill of a parcel (运单)."""

    head: DeclarationHead
    logistics_code: str
    logistics_name: str
    logistics_no: str
    bill_no: str = ""
    order_no: str = ""
    freight: Decimal
    insured_fee: Decimal | None = None
    currency: str
    weight: Decimal
    pack_no: str
    goods_info: str = ""
    consignee: str
    consignee_address: str
    consignee_telephone: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryItem:
    """`Inventory/InventoryList`: one line of an inventory list."""

    gnum: str
    item_record_no: str = ""
    item_no: str = ""
    item_name: str = ""
    gcode: str
    gname: str
    gmodel: str = ""
    bar_code: str = ""
    country: str
    trade_country: str = ""
    currency: str = "142"
    qty: Decimal
    unit: str
    qty1: Decimal
    unit1: str
    qty2: Decimal | None = None
    unit2: str = ""
    price: Decimal | None = None  # real senders leave it empty; a rule, not intake, rejects that
    total_price: Decimal
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryList:
    """CEB621 `Inventory`: the customs inventory list of an import parcel (进口清单)."""

    head: DeclarationHead
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    cop_no: str
    pre_no: str = ""
    assure_code: str
    ems_no: str = ""
    invt_no: str = ""
    ie_flag: str
    decl_time: str = ""
    customs_code: str
    port_code: str
    ie_date: str
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    consignee_address: str
    agent_code: str
    agent_name: str
    area_code: str = ""
    area_name: str = ""
    trade_mode: str
    traf_mode: str
    traf_no: str = ""
    voyage_no: str = ""
    bill_no: str = ""
    loct_no: str = ""
    license_no: str = ""
    country: str
    freight: Decimal
    insured_fee: Decimal
    currency: str
    wrap_type: str = ""
    pack_no: str
    gross_weight: Decimal
    net_weight: Decimal
    note: str = ""
    items: tuple[InventoryItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class WaybillStatus:
    """CEB513 `LogisticsStatus`: the carrier reports a parcel signed for (签收, status `S`)."""

    head: DeclarationHead
    logistics_code: str
    logistics_name: str
    logistics_no: str
    logistics_status: str
    logistics_time: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrivalItem:
    """`Delivery/DeliveryList`: one parcel of an arrival list, by its waybill number."""

    gnum: str
    logistics_no: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrivalList:
    """CEB711 `Delivery`: direct-mail (9610) parcels arrived at the supervised site (入库明细单)."""

    head: DeclarationHead
    customs_code: str
    cop_no: str
    pre_no: str = ""
    rkd_no: str = ""
    operator_code: str
    operator_name: str
    ie_flag: str
    traf_mode: str
    traf_no: str = ""
    voyage_no: str = ""
    bill_no: str = ""
    logistics_code: str
    logistics_name: str
    unload_location: str = ""
    note: str = ""
    items: tuple[ArrivalItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class _ListRequest:
    """The fields a cancel or a return repeats from the list it names."""

    head: DeclarationHead
    customs_code: str
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    cop_no: str
    pre_no: str = ""
    invt_no: str
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str = ""
    agent_code: str
    agent_name: str
    reason: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryCancel(_ListRequest):
    """CEB623 `InvtCancel`: the agent withdraws a declared list before release (撤销申请单)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnItem:
    """`InvtRefund/InvtRefundList`: one returned line of a released list."""

    gnum: str
    gcode: str
    gname: str
    qty: Decimal
    unit: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class InventoryReturn(_ListRequest):
    """CEB625 `InvtRefund`: goods of a released list sent back by the buyer (退货申请单)."""

    items: tuple[ReturnItem, ...]


@dataclass(frozen=True, slots=True)
class BaseTransfer:
    """`BaseTransfer`: who sends the message (its `copCode` receives the receipts)."""

    cop_code: str
    cop_name: str
    dxp_mode: str
    dxp_id: str
    note: str = ""


MatchedDocument = Order | Payment | Waybill | InventoryList  # the four of 三单对碰
ImportDocument = MatchedDocument | WaybillStatus | ArrivalList | InventoryCancel | InventoryReturn
Document = ImportDocument | ExportDocument


@dataclass(frozen=True, slots=True)
class Message:
    """One CEB message: a guid, one or more documents of one kind, and its sender."""

    message_type: MessageType
    guid: str
    documents: tuple[Document, ...]
    base_transfer: BaseTransfer
    version: str = "1.0"


@dataclass(frozen=True, slots=True)
class Receipt:
    """A receipt (回执) the platform returns for one document."""

    message_type: MessageType
    guid: str
    return_status: int
    return_time: str
    return_info: str
    keys: tuple[tuple[str, str], ...] = ()

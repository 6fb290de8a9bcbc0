"""Declaration rules and three-document matching (三单对碰), as pure functions.

Each rule answers with a `Violation` naming itself and the field at fault, or None. The engine
turns a violation into a 100 (退单) receipt; nothing here touches storage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from ceb import resident_id
from ceb.codec import camel
from ceb.documents import InventoryList, Order, Payment, Waybill
from ceb.tax import retail_import_tax
from ceb.types import TradeMode
from mock_platform.positive_list import on_list
from mock_platform.settings import Limits


class Rule(str, Enum):
    """A declaration rule; its value is the name receipts give it."""

    JOIN_KEY = "join_key"
    ORDER_AMOUNT = "order_amount_identity"
    PAYMENT_AMOUNT = "payment_amount_equality"
    CONSIGNEE = "consignee_equality"
    BUYER_ID = "buyer_id_number"
    PAYER_IS_BUYER = "payer_is_buyer"
    LIST_BUYER = "list_buyer_equality"
    TRANSACTION_LIMIT = "per_transaction_limit"
    ANNUAL_LIMIT = "annual_limit"
    TAX_RATE = "tax_rate"
    ASSURE_CODE = "assure_code"
    TRADE_MODE_FIELDS = "trade_mode_required_fields"
    ITEM_PRICE = "item_price_required"
    MATCHING_TIMEOUT = "matching_timeout"
    AMENDMENT = "amendment_window"  # appType 2/3: only before clearance (399) / before matching
    CANCEL_WINDOW = "cancel_before_release"
    RETURN_WINDOW = "return_window"
    WAYBILL_STATUS = "waybill_status"
    POSITIVE_LIST = "positive_list"  # 正面清单
    BONDED_STOCK = "bonded_stock"  # 先理货，后报关: a 1210 list draws on tallied stock
    COLLECTION_AMOUNT = "collection_amount"  # export: collected = goods value + freight
    DEPARTURE_BEFORE_ARRIVAL = "departure_before_arrival"  # 运抵 precedes 离境
    SUMMARY = "summary_scope"  # one enterprise's released, unsummarised lists of one month


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken rule, the field it is about and what was found there."""

    rule: Rule
    field: str
    detail: str

    @property
    def return_info(self) -> str:
        """The `returnInfo` of the 100 receipt: rule and field first, for machines and people."""
        return f"[rule:{self.rule.value};field:{self.field}] {self.detail}"


def _differs(a: Decimal, b: Decimal, tolerance: Decimal) -> bool:
    return abs(a - b) > tolerance


def check_order(order: Order, limits: Limits, today: dt.date | None = None) -> Violation | None:
    """Rules an order must pass on its own before customs stores it (120)."""
    expected = order.goods_value + order.freight + order.tax_total - order.discount
    if _differs(order.actural_paid, expected, limits.amount_tolerance_cny):
        return Violation(Rule.ORDER_AMOUNT, "Order/acturalPaid",
                         f"acturalPaid {order.actural_paid} != goodsValue+freight+taxTotal-discount {expected}")
    if order.buyer_id_type == "1":
        problem = resident_id.problem(order.buyer_id_number, today)
        if problem is not None:
            return Violation(Rule.BUYER_ID, "Order/buyerIdNumber",
                             f"buyerIdNumber fails the {problem.value} check")
    if order.actural_paid > limits.per_transaction_cny:
        return Violation(Rule.TRANSACTION_LIMIT, "Order/acturalPaid",
                         f"acturalPaid {order.actural_paid} exceeds the per-transaction limit "
                         f"{limits.per_transaction_cny}")
    due = retail_import_tax(order.goods_value, order.freight)
    if _differs(order.tax_total, due, limits.tax_tolerance_cny):
        return Violation(Rule.TAX_RATE, "Order/taxTotal", f"taxTotal {order.tax_total} != tax due {due}")
    return None


def check_inventory(inventory: InventoryList, allowed_hs: tuple[str, ...]) -> Violation | None:
    """Rules an inventory list must pass on its own, whatever the other documents say;
    `allowed_hs` are the positive list's HS code prefixes in force."""
    if inventory.assure_code not in (inventory.ebp_code, inventory.ebc_code, inventory.logistics_code):
        return Violation(Rule.ASSURE_CODE, "InventoryHead/assureCode",
                         f"assureCode {inventory.assure_code} is none of ebpCode, ebcCode, logisticsCode")
    if inventory.trade_mode == TradeMode.BONDED.value:
        required = {"emsNo": inventory.ems_no, "areaCode": inventory.area_code}
        if inventory.country != "142":
            return Violation(Rule.TRADE_MODE_FIELDS, "InventoryHead/country",
                             f"a 1210 list needs country 142, got {inventory.country}")
    else:
        required = {"trafNo": inventory.traf_no, "voyageNo": inventory.voyage_no,
                    "billNo": inventory.bill_no}
    for name, value in required.items():
        if not value:
            return Violation(Rule.TRADE_MODE_FIELDS, f"InventoryHead/{name}",
                             f"{name} is required for trade mode {inventory.trade_mode}")
    for index, item in enumerate(inventory.items, start=1):
        if item.price is None:
            return Violation(Rule.ITEM_PRICE, f"InventoryList[{index}]/price", "price is empty")
        if not on_list(item.gcode, allowed_hs):
            return Violation(Rule.POSITIVE_LIST, f"InventoryList[{index}]/gcode",
                             f"HS code {item.gcode} ({item.gname}) is not on the positive list for retail import")
    return None


def list_order_join(inventory: InventoryList, order: Order) -> Violation | None:
    """The list names its order by orderNo+ebpCode+ebcCode: matching found the order by the first
    two, so a different ebcCode means the list is not that order's."""
    if inventory.ebc_code != order.ebc_code:
        return Violation(Rule.JOIN_KEY, "InventoryHead/ebcCode",
                         "list ebcCode differs from the order's (join key orderNo+ebpCode+ebcCode)")
    return None


def three_document_match(order: Order, payment: Payment, waybill: Waybill,
                         inventory: InventoryList, limits: Limits,
                         annual_used: Decimal = Decimal(0)) -> Violation | None:
    """三单对碰: do order, payment, waybill and list agree, and is the buyer within the limits?

    `annual_used` is what the buyer has already cleared or has pending this calendar year.
    """
    if _differs(payment.amount_paid, order.actural_paid, limits.amount_tolerance_cny):
        return Violation(Rule.PAYMENT_AMOUNT, "Payment/amountPaid",
                         f"amountPaid {payment.amount_paid} != order acturalPaid {order.actural_paid}")
    if payment.payer_id_number != order.buyer_id_number:
        return Violation(Rule.PAYER_IS_BUYER, "Payment/payerIdNumber",
                         "payerIdNumber differs from the order's buyerIdNumber")
    for field in ("consignee", "consignee_telephone", "consignee_address"):
        if getattr(order, field) != getattr(waybill, field):
            xml_name = camel(field)
            return Violation(Rule.CONSIGNEE, f"Logistics/{xml_name}",
                             f"waybill {xml_name} differs from the order's")
    if inventory.buyer_id_number != order.buyer_id_number:
        return Violation(Rule.LIST_BUYER, "InventoryHead/buyerIdNumber",
                         "list buyerIdNumber differs from the order's")
    if annual_used + order.actural_paid > limits.annual_cny:
        return Violation(Rule.ANNUAL_LIMIT, "Order/buyerIdNumber",
                         f"buyer's {annual_used} this year plus {order.actural_paid} exceeds the annual "
                         f"limit {limits.annual_cny}")
    return None

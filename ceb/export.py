"""The business documents of the CEB export messages (docs/domain.md, "The messages"), as frozen
dataclasses in the same form as the import ones (`ceb.documents`): field order is XML order,
camelCase on the wire, no default means required.

B2C export (9610) declares an order (CEB303), the collection of its payment (CEB403, 收款单), a
waybill (CEB505) and an export list (CEB603); the port reports the parcels' arrival (CEB507, 运抵)
and departure (CEB509, 离境); a summary application (CEB701, 汇总申请) covers released lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ceb.heads import DeclarationHead


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportOrderItem:
    """`Order/OrderList` of an export order."""

    gnum: str
    item_no: str = ""
    item_name: str
    item_describe: str = ""
    bar_code: str = ""
    unit: str
    currency: str
    qty: Decimal
    price: Decimal
    total_price: Decimal
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportOrder:
    """CEB303 `Order`: an export order (出口电子订单)."""

    head: DeclarationHead
    order_type: str  # E
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    goods_value: Decimal
    freight: Decimal
    currency: str
    note: str = ""
    items: tuple[ExportOrderItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Collection:
    """CEB403 `Receipts`: the payment collected for an export order (收款单)."""

    head: DeclarationHead
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    order_no: str
    pay_code: str
    pay_name: str
    pay_no: str
    charge: Decimal
    currency: str
    accounting_date: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportWaybill:
    """CEB505 `Logistics`: the waybill of an export parcel."""

    head: DeclarationHead
    logistics_code: str
    logistics_name: str
    logistics_no: str
    freight: Decimal
    insured_fee: Decimal
    currency: str
    gross_weight: Decimal
    pack_no: str
    goods_info: str
    ebc_code: str = ""
    ebc_name: str = ""
    ebc_telephone: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ParcelRef:
    """A parcel named in a port report, a consolidated waybill or a summary."""

    gnum: str
    total_package_no: str = ""
    logistics_no: str = ""
    invt_no: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PortArrival:
    """CEB507 `Arrival`: export parcels arrived at the port's supervised site (运抵单)."""

    head: DeclarationHead
    customs_code: str
    cop_no: str
    pre_no: str = ""
    operator_code: str
    operator_name: str
    loct_no: str = ""
    bill_no: str = ""
    domestic_traf_no: str = ""
    logistics_code: str
    logistics_name: str
    msg_count: str = "1"
    msg_seq_no: str = "1"
    note: str = ""
    items: tuple[ParcelRef, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Departure:
    """CEB509 `Departure`: export parcels left the country (离境单)."""

    head: DeclarationHead
    customs_code: str
    cop_no: str
    pre_no: str = ""
    logistics_code: str
    logistics_name: str
    traf_mode: str
    traf_name: str = ""
    voyage_no: str
    bill_no: str
    leave_time: str
    msg_count: str = "1"
    msg_seq_no: str = "1"
    note: str = ""
    items: tuple[ParcelRef, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportListItem:
    """`Inventory/InventoryList` of an export list."""

    gnum: str
    item_no: str = ""
    item_record_no: str = ""
    item_name: str = ""
    gcode: str
    gname: str
    gmodel: str = ""
    bar_code: str = ""
    country: str
    currency: str
    qty: Decimal
    qty1: Decimal
    unit: str
    unit1: str
    price: Decimal
    total_price: Decimal
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportList:
    """CEB603 `Inventory`: the export list (出口清单); `statisticsFlag` A simplified, B summary."""

    head: DeclarationHead
    customs_code: str  # where it is declared
    ebp_code: str
    ebp_name: str
    order_no: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    cop_no: str
    pre_no: str = ""
    invt_no: str = ""
    ie_flag: str  # E
    port_code: str  # where it leaves (may differ: 本地报关、异地放行)
    ie_date: str
    statistics_flag: str
    agent_code: str
    agent_name: str
    ebc_code: str
    ebc_name: str
    owner_code: str = ""
    owner_name: str = ""
    ems_no: str = ""
    trade_mode: str
    traf_mode: str
    traf_name: str = ""
    voyage_no: str = ""
    bill_no: str = ""
    total_package_no: str = ""
    loct_no: str = ""
    license_no: str = ""
    country: str
    pod: str = ""
    freight: Decimal
    currency: str
    insured_fee: Decimal
    wrap_type: str = ""
    pack_no: str
    gross_weight: Decimal
    net_weight: Decimal
    note: str = ""
    items: tuple[ExportListItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportCancel:
    """CEB605 `InvtCancel`: withdraw an export list before release."""

    head: DeclarationHead
    customs_code: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    cop_no: str
    pre_no: str = ""
    invt_no: str
    reason: str
    agent_code: str
    agent_name: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsolidatedWaybill:
    """CEB607 `WayBill`: the master bill over many parcels' waybills (总分单)."""

    head: DeclarationHead
    customs_code: str
    cop_no: str
    pre_no: str = ""
    agent_code: str
    agent_name: str
    loct_no: str = ""
    traf_mode: str
    traf_name: str = ""
    voyage_no: str
    bill_no: str
    domestic_traf_no: str = ""
    gross_weight: Decimal
    logistics_code: str
    logistics_name: str
    msg_count: str = "1"
    msg_seq_no: str = "1"
    note: str = ""
    items: tuple[ParcelRef, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryApplication:
    """CEB701 `SummaryApply`: one enterprise's released lists of a period, summarised into
    export declarations (汇总申报)."""

    head: DeclarationHead
    customs_code: str
    cop_no: str
    pre_no: str = ""
    sum_no: str = ""
    agent_code: str
    agent_name: str
    ebc_code: str
    ebc_name: str
    decl_agent_code: str
    decl_agent_name: str
    summary_flag: str
    item_name_flag: str = "0"
    msg_count: str = "1"
    msg_seq_no: str = "1"
    note: str = ""
    items: tuple[ParcelRef, ...]


ExportDocument = (ExportOrder | Collection | ExportWaybill | PortArrival | Departure | ExportList | ExportCancel
                  | ConsolidatedWaybill | SummaryApplication)

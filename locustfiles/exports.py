"""Synthetic B2C export parcels (出口): order, collection, waybill and export list that agree, and
the port's and the agent's later documents. The generator, the cleanup and the tests build them
here. The later documents carry the note (the run's test tag) and the appStatus of the lists they
name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ceb.export import (Collection, ConsolidatedWaybill, Departure, ExportCancel, ExportList, ExportListItem,
                        ExportOrder, ExportOrderItem, ExportWaybill, ParcelRef, PortArrival, SummaryApplication)
from ceb.heads import DeclarationHead
from ceb.types import MessageType, TradeMode
from locustfiles.parcels import CATALOGUE, Declaring, GuidSource
from scenarios.parties import Parties

_DAY, _TIME = "%Y%m%d", "%Y%m%d%H%M%S"


@dataclass(frozen=True, slots=True)
class ExportParcel:
    """The four declarations of one export parcel."""

    order: ExportOrder
    collection: Collection
    waybill: ExportWaybill
    export_list: ExportList

    def keys(self) -> dict[str, str]:
        """The parcel's business keys by their CEB names, as a manifest records them."""
        lst = self.export_list
        return {"orderNo": lst.order_no, "logisticsNo": lst.logistics_no, "copNo": lst.cop_no,
                "payNo": self.collection.pay_no, "ebpCode": lst.ebp_code, "payCode": self.collection.pay_code,
                "logisticsCode": lst.logistics_code, "agentCode": lst.agent_code}

    def documents(self) -> dict[MessageType, object]:
        return {MessageType.EXPORT_ORDER: self.order, MessageType.COLLECTION: self.collection,
                MessageType.EXPORT_WAYBILL: self.waybill, MessageType.EXPORT_LIST: self.export_list}


def declaration_head(guid: GuidSource, at: dt.datetime, app_status: str = "2") -> DeclarationHead:
    return DeclarationHead(guid=guid(), app_type="1", app_time=at.strftime(_TIME), app_status=app_status)


def export_parcel(parties: Parties, guid: GuidSource, number: int, at: dt.datetime,
                  trade_mode: TradeMode = TradeMode.DIRECT_MAIL, port_code: str | None = None,
                  namespace: str = "", declaring: Declaring = Declaring()) -> ExportParcel:
    """Export parcel `number`: one catalogue item; declared at the parties' customs, leaving by
    `port_code` (another district's port: 本地报关、异地放行). `namespace` (which starts with the run's
    tag) begins every business number and keeps them unique across generator processes."""
    goods = CATALOGUE[number % len(CATALOGUE)]
    qty, freight = Decimal(1 + number % 3), Decimal("30.00")
    value = goods.price * qty
    order_no, logistics_no = f"{namespace}EXO{number:09d}", f"{namespace}EXL{number:09d}"
    seller, carrier, agent = parties.platform, parties.logistics, parties.agent
    note, status = declaring.note, declaring.app_status

    def head(guid: GuidSource, at: dt.datetime) -> DeclarationHead:
        return declaration_head(guid, at, status)

    order = ExportOrder(head=head(guid, at), order_type="E", order_no=order_no, ebp_code=seller.code,
                        ebp_name=seller.name, ebc_code=seller.code, ebc_name=seller.name, goods_value=value,
                        freight=freight, currency="142",
                        items=(ExportOrderItem(gnum="1", item_no=goods.item_no, item_name=goods.name, unit=goods.unit,
                                               currency="142", qty=qty, price=goods.price, total_price=value),),
                        note=note)
    collection = Collection(head=head(guid, at), ebp_code=seller.code, ebp_name=seller.name, ebc_code=seller.code,
                            ebc_name=seller.name, order_no=order_no, pay_code=parties.payment.code,
                            pay_name=parties.payment.name, pay_no=f"{namespace}EXP{number:09d}", charge=value + freight,
                            currency="142", accounting_date=at.strftime(_TIME), note=note)
    waybill = ExportWaybill(head=head(guid, at), logistics_code=carrier.code, logistics_name=carrier.name,
                            logistics_no=logistics_no, freight=freight, insured_fee=Decimal("0.00"), currency="142",
                            gross_weight=goods.net_kg * qty + Decimal("0.2"), pack_no="1", goods_info=goods.name,
                            note=note)
    export_list = ExportList(
        head=head(guid, at), customs_code=parties.customs_code, ebp_code=seller.code, ebp_name=seller.name,
        order_no=order_no, logistics_code=carrier.code, logistics_name=carrier.name, logistics_no=logistics_no,
        cop_no=f"{namespace}EXC{number:09d}", ie_flag="E", port_code=port_code or parties.port_code, ie_date=at.strftime(_DAY),
        statistics_flag="A", agent_code=agent.code, agent_name=agent.name, ebc_code=seller.code, ebc_name=seller.name,
        ems_no=parties.ems_no if trade_mode is TradeMode.BONDED else "", trade_mode=trade_mode.value, traf_mode="5",
        voyage_no="CA0401", bill_no="999-12345675", country="502", freight=freight, currency="142",
        insured_fee=Decimal("0.00"), pack_no="1", gross_weight=goods.net_kg * qty + Decimal("0.2"),
        net_weight=goods.net_kg * qty, note=note,
        items=(ExportListItem(gnum="1", item_no=goods.item_no, item_name=goods.name, gcode=goods.gcode,
                              gname=goods.name, country="502", currency="142", qty=qty, qty1=qty, unit=goods.unit,
                              unit1=goods.unit, price=goods.price, total_price=value),))
    return ExportParcel(order, collection, waybill, export_list)


def _refs(lists: Sequence[ExportList], invt_nos: Sequence[str] = ()) -> tuple[ParcelRef, ...]:
    return tuple(ParcelRef(gnum=str(i), total_package_no="1", logistics_no=lst.logistics_no,
                           invt_no=invt_nos[i - 1] if invt_nos else "") for i, lst in enumerate(lists, start=1))


def _following(guid: GuidSource, at: dt.datetime, export_list: ExportList) -> DeclarationHead:
    """The head of a document about `export_list`: stored or declared as the list was."""
    return declaration_head(guid, at, export_list.head.app_status)


def port_arrival(lists: Sequence[ExportList], parties: Parties, guid: GuidSource, at: dt.datetime,
                 namespace: str = "") -> PortArrival:
    """CEB507: the parcels arrived at the port's supervised site (`namespace` begins its copNo)."""
    first = lists[0]
    return PortArrival(head=_following(guid, at, first), customs_code=first.port_code,
                       cop_no=f"{namespace}ARR{at:%H%M%S%f}", operator_code=parties.operator.code,
                       operator_name=parties.operator.name, logistics_code=first.logistics_code,
                       logistics_name=first.logistics_name, note=first.note, items=_refs(lists))


def departure(lists: Sequence[ExportList], guid: GuidSource, at: dt.datetime, namespace: str = "") -> Departure:
    """CEB509: the parcels left the country (`namespace` begins its copNo)."""
    first = lists[0]
    return Departure(head=_following(guid, at, first), customs_code=first.port_code,
                     cop_no=f"{namespace}DEP{at:%H%M%S%f}", logistics_code=first.logistics_code,
                     logistics_name=first.logistics_name, traf_mode="5", voyage_no=first.voyage_no,
                     bill_no=first.bill_no, leave_time=at.strftime(_TIME), note=first.note, items=_refs(lists))


def consolidated(lists: Sequence[ExportList], parties: Parties, guid: GuidSource, at: dt.datetime,
                 invt_nos: Sequence[str]) -> ConsolidatedWaybill:
    """CEB607: one master bill over the parcels (总分单)."""
    first = lists[0]
    return ConsolidatedWaybill(head=_following(guid, at, first), customs_code=first.port_code, cop_no=f"WB{at:%H%M%S%f}",
                               agent_code=parties.agent.code, agent_name=parties.agent.name, traf_mode="5",
                               voyage_no=first.voyage_no, bill_no=first.bill_no,
                               gross_weight=sum((lst.gross_weight for lst in lists), Decimal(0)),
                               logistics_code=first.logistics_code, logistics_name=first.logistics_name,
                               note=first.note, items=_refs(lists, invt_nos))


def summary(lists: Sequence[ExportList], invt_nos: Sequence[str], parties: Parties, guid: GuidSource,
            at: dt.datetime) -> SummaryApplication:
    """CEB701: the released lists summarised into export declarations (汇总申报)."""
    first = lists[0]
    return SummaryApplication(head=_following(guid, at, first), customs_code=first.customs_code, cop_no=f"SUM{at:%H%M%S%f}",
                              agent_code=parties.agent.code, agent_name=parties.agent.name, ebc_code=first.ebc_code,
                              ebc_name=first.ebc_name, decl_agent_code=parties.agent.code,
                              decl_agent_name=parties.agent.name, summary_flag="1", note=first.note,
                              items=_refs(lists, invt_nos))


def export_cancel(export_list: ExportList, guid: GuidSource, at: dt.datetime, reason: str) -> ExportCancel:
    """CEB605: withdraw an export list before release."""
    lst = export_list
    return ExportCancel(head=_following(guid, at, lst), customs_code=lst.customs_code, ebp_code=lst.ebp_code,
                        ebp_name=lst.ebp_name, ebc_code=lst.ebc_code, ebc_name=lst.ebc_name,
                        logistics_code=lst.logistics_code, logistics_name=lst.logistics_name,
                        logistics_no=lst.logistics_no, cop_no=lst.cop_no, invt_no="-", reason=reason,
                        agent_code=lst.agent_code, agent_name=lst.agent_name, note=lst.note)

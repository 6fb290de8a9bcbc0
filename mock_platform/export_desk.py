"""Export (出口): B2C export lists matched with their order, collection and waybill, released
once the port reports the parcel arrived (运抵, CEB507), closed when it departs (离境, CEB509),
then summarised into export declarations (汇总申报, CEB701 -> CEB792).

    CEB603 list -> 2 -> [order + collection + waybill agree] -> 120 -> 399 -> [CEB507] -> 800
      -> [CEB509] -> 899 (结关); CEB605 cancels before release; a departure before its arrival is 100.

A list may be declared in one customs district and leave by another's port (本地报关、异地放行:
`customsCode` differs from `portCode`). Export clearance steps are immediate; the waits are the
port's reports. After a restart the engine files the unsettled export documents again, which
rebuilds this desk (arrivals are durable, so released lists stay released).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ceb.codec import parse_message
from ceb.export import (Collection, ConsolidatedWaybill, Departure, ExportCancel, ExportList, ExportOrder,
                        ExportWaybill, PortArrival, SummaryApplication)
from ceb.types import MessageType, ReturnStatus, TradeMode
from mock_platform.ledger import TickOutput
from mock_platform.matching import Arrival
from mock_platform.receipts import CHINA_TIME, STATUS_INFO, make_receipt, outcome, receipt_keys, return_time
from mock_platform.records import InventoryUpdate, StoredReceipt
from mock_platform.rules import Rule, Violation
from mock_platform.store import Store

if TYPE_CHECKING:
    from mock_platform.workflow import WorkflowEngine

EXPORT_TRADE_MODES = frozenset({TradeMode.DIRECT_MAIL.value, TradeMode.BONDED.value,
                                TradeMode.B2B_DIRECT_EXPORT.value, TradeMode.EXPORT_OVERSEAS_WAREHOUSE.value})
SUMMARISED = "summarised"
Key = tuple[str, str]


@dataclass(slots=True)
class ExportState:
    """An export list on its way out."""

    arrival: Arrival
    pre_no: str
    status: int = ReturnStatus.DECLARING
    invt_no: str = ""
    partners: tuple[int, ...] = ()
    closed: str = ""
    last_receipt: StoredReceipt | None = None

    @property
    def document(self) -> ExportList:
        return self.arrival.document

    @property
    def waybill_key(self) -> Key:
        return self.document.logistics_code, self.document.logistics_no


class ExportDesk:
    """Files export documents for the engine."""

    def __init__(self, engine: WorkflowEngine) -> None:
        self._engine = engine
        self.orders: dict[Key, Arrival] = {}
        self.collections: dict[Key, Arrival] = {}
        self.waybills: dict[Key, Arrival] = {}
        self.lists: dict[int, ExportState] = {}
        self.unmatched: dict[int, ExportState] = {}
        # Unmatched lists by the keys their partners are filed under, so a partner finds its list.
        self._waiting_for_order: dict[Key, set[int]] = defaultdict(set)
        self._waiting_for_waybill: dict[Key, set[int]] = defaultdict(set)
        self.by_cop: dict[Key, int] = {}
        self.awaiting_arrival: dict[Key, int] = {}
        self.awaiting_departure: dict[Key, int] = {}

    @staticmethod
    def handles(document) -> bool:
        return isinstance(document, ExportOrder | Collection | ExportWaybill | PortArrival | Departure | ExportList
                          | ExportCancel | ConsolidatedWaybill | SummaryApplication)

    @staticmethod
    def needs_lookup(arrival: Arrival) -> bool:
        return isinstance(arrival.document, SummaryApplication) and not arrival.looked_up

    @staticmethod
    def look_up(store: Store, arrival: Arrival) -> Arrival:
        """A summary with its lists read from the database (off the event loop)."""
        doc: SummaryApplication = arrival.document
        listed = store.lists_by_invt_no([item.invt_no for item in doc.items])
        return Arrival(arrival.doc_id, doc, arrival.receiver, arrival.received_at, listed=listed, looked_up=True)

    def file(self, arrival: Arrival, now: float, out: TickOutput) -> None:
        """Answer an export document and apply what it does."""
        doc = arrival.document
        if isinstance(doc, ExportList):
            self._declare(arrival, now, out)
            return
        if isinstance(doc, ExportOrder | Collection | ExportWaybill):
            self._engine.answer(arrival, outcome(doc), now, out, settle=False)  # settled with its list
            if isinstance(doc, ExportWaybill):
                key = (doc.logistics_code, doc.logistics_no)
                self.waybills[key] = arrival
                self._match(self._waiting_for_waybill.get(key, ()), now, out)
            else:
                key = (doc.ebp_code, doc.order_no)
                (self.orders if isinstance(doc, ExportOrder) else self.collections)[key] = arrival
                self._match(self._waiting_for_order.get(key, ()), now, out)
            return
        violation = None
        if isinstance(doc, PortArrival):
            self._arrived(doc, now, out)
        elif isinstance(doc, Departure):
            violation = self._departed(doc, now, out)
        elif isinstance(doc, ExportCancel):
            violation = self._cancel(doc, now, out)
        elif isinstance(doc, SummaryApplication):
            violation = self._summarise(arrival, now, out)
        approved = isinstance(doc, ExportCancel | SummaryApplication)
        self._engine.answer(arrival, outcome(doc, violation.return_info if violation else None, approved=approved),
                            now, out)
        if isinstance(doc, SummaryApplication) and violation is None:
            out.receipts.append(self._summary_result(arrival, now))

    # --------------------------------------------------------------------------- lists

    def _declare(self, arrival: Arrival, now: float, out: TickOutput) -> None:
        doc: ExportList = arrival.document
        state = ExportState(arrival, pre_no=f"E{dt.datetime.fromtimestamp(now, CHINA_TIME):%Y%m%d}"
                                            f"{arrival.doc_id % 10**9:09d}")
        self.lists[arrival.doc_id] = state
        self.by_cop[(doc.agent_code, doc.cop_no)] = arrival.doc_id
        self._emit(state, ReturnStatus.DECLARING, now, out,
                   STATUS_INFO[ReturnStatus.DECLARING].format(guid=doc.head.guid))
        violation = None
        if doc.trade_mode not in EXPORT_TRADE_MODES:
            violation = Violation(Rule.TRADE_MODE_FIELDS, "InventoryHead/tradeMode",
                                  f"tradeMode {doc.trade_mode} is not an export mode (9610, 1210, 9710, 9810)")
        elif doc.trade_mode == TradeMode.BONDED.value and not doc.ems_no:
            violation = Violation(Rule.TRADE_MODE_FIELDS, "InventoryHead/emsNo", "emsNo is required for 1210")
        if violation is not None:
            self._close(state, ReturnStatus.REJECTED, violation.return_info, now, out)
            return
        self.unmatched[arrival.doc_id] = state
        self._waiting_for_order[(doc.ebp_code, doc.order_no)].add(arrival.doc_id)
        self._waiting_for_waybill[state.waybill_key].add(arrival.doc_id)
        self._match({arrival.doc_id}, now, out)

    def _match(self, candidates, now: float, out: TickOutput) -> None:
        """Decide the candidate lists whose order, collection and waybill are all here."""
        for doc_id in sorted(candidates):
            state = self.unmatched[doc_id]
            doc = state.document
            order = self.orders.get((doc.ebp_code, doc.order_no))
            collection = self.collections.get((doc.ebp_code, doc.order_no))
            waybill = self.waybills.get(state.waybill_key)
            if order is None or collection is None or waybill is None:
                continue
            self._unwait(state)
            state.partners = (order.doc_id, collection.doc_id, waybill.doc_id)
            expected = order.document.goods_value + order.document.freight
            tolerance = self._engine.settings.limits.amount_tolerance_cny
            if abs(collection.document.charge - expected) > tolerance:
                violation = Violation(Rule.COLLECTION_AMOUNT, "Receipts/charge",
                                      f"charge {collection.document.charge} != goodsValue+freight {expected}")
            elif doc.ebc_code != order.document.ebc_code:
                violation = Violation(Rule.JOIN_KEY, "InventoryHead/ebcCode", "list ebcCode differs from the order's")
            else:
                violation = None
            if violation is not None:
                self._close(state, ReturnStatus.REJECTED, violation.return_info, now, out)
                continue
            year = dt.datetime.fromtimestamp(now, CHINA_TIME).year
            state.invt_no = f"{doc.customs_code}{year}E{doc_id % 10**9:09d}"
            for status in (ReturnStatus.ACCEPTED, ReturnStatus.CLEARED):
                self._emit(state, status, now, out, STATUS_INFO[status])
            if state.waybill_key in self._engine.ledger.arrived:
                self._release(state, now, out)
            else:
                self.awaiting_arrival[state.waybill_key] = doc_id
                out.inventories.append(self._row(state, now))

    def _release(self, state: ExportState, now: float, out: TickOutput) -> None:
        self._emit(state, ReturnStatus.RELEASED, now, out, STATUS_INFO[ReturnStatus.RELEASED])
        self.awaiting_departure[state.waybill_key] = state.arrival.doc_id
        out.inventories.append(self._row(state, now))

    def _close(self, state: ExportState, status: int, info: str, now: float, out: TickOutput,
               closed: str = "") -> None:
        """The list is final (rejected, cancelled or 结关): settle it and its partners."""
        if status != state.status:
            self._emit(state, status, now, out, info)
        state.closed = closed or state.closed
        out.inventories.append(self._row(state, now))
        out.settled.extend((state.arrival.doc_id, *state.partners))
        self.lists.pop(state.arrival.doc_id, None)
        self._unwait(state)
        for index in (self.awaiting_arrival, self.awaiting_departure):
            if index.get(state.waybill_key) == state.arrival.doc_id:
                del index[state.waybill_key]
        doc = state.document
        if self.by_cop.get((doc.agent_code, doc.cop_no)) == state.arrival.doc_id:
            del self.by_cop[(doc.agent_code, doc.cop_no)]

    def _unwait(self, state: ExportState) -> None:
        """The list no longer waits for its partners."""
        doc_id, doc = state.arrival.doc_id, state.document
        if self.unmatched.pop(doc_id, None) is None:
            return
        for index, key in ((self._waiting_for_order, (doc.ebp_code, doc.order_no)),
                           (self._waiting_for_waybill, state.waybill_key)):
            index[key].discard(doc_id)
            if not index[key]:
                del index[key]

    # --------------------------------------------------------------------------- port reports

    def _arrived(self, doc: PortArrival, now: float, out: TickOutput) -> None:
        for item in doc.items:
            key = (doc.logistics_code, item.logistics_no)
            self._engine.ledger.note_arrival(key, now, out)
            waiting = self.awaiting_arrival.pop(key, None)
            if waiting is not None and waiting in self.lists:
                self._release(self.lists[waiting], now, out)

    def _departed(self, doc: Departure, now: float, out: TickOutput) -> Violation | None:
        for index, item in enumerate(doc.items, start=1):
            if (doc.logistics_code, item.logistics_no) not in self._engine.ledger.arrived:
                return Violation(Rule.DEPARTURE_BEFORE_ARRIVAL, f"DepartureList[{index}]/logisticsNo",
                                 f"{item.logistics_no} departs before its arrival at the port (运抵) was reported")
        for item in doc.items:
            doc_id = self.awaiting_departure.get((doc.logistics_code, item.logistics_no))
            if doc_id is not None and doc_id in self.lists:
                self._close(self.lists[doc_id], ReturnStatus.CLOSED, STATUS_INFO[ReturnStatus.CLOSED], now, out)
        return None

    def _cancel(self, doc: ExportCancel, now: float, out: TickOutput) -> Violation | None:
        doc_id = self.by_cop.get((doc.agent_code, doc.cop_no))
        state = self.lists.get(doc_id) if doc_id is not None else None
        if state is None or state.status >= ReturnStatus.RELEASED:
            return Violation(Rule.CANCEL_WINDOW, "InvtCancel/copNo",
                             f"no export list {doc.cop_no} of agent {doc.agent_code} awaiting release")
        self._close(state, state.status, "", now, out, closed="cancelled")
        return None

    def _summarise(self, arrival: Arrival, now: float, out: TickOutput) -> Violation | None:
        doc: SummaryApplication = arrival.document
        months = set()
        for index, item in enumerate(doc.items, start=1):
            listed = (arrival.listed or {}).get(item.invt_no)
            field = f"SummaryApplyList[{index}]/invtNo"
            document = parse_message(listed.body).documents[listed.doc_index] if listed is not None else None
            if (document is None or not isinstance(document, ExportList)
                    or listed.status not in (ReturnStatus.RELEASED, ReturnStatus.CLOSED) or listed.closed):
                return Violation(Rule.SUMMARY, field, f"{item.invt_no} is not a released, unsummarised export list")
            if document.ebc_code != doc.ebc_code:
                return Violation(Rule.SUMMARY, field, f"{item.invt_no} belongs to {document.ebc_code}, not {doc.ebc_code}")
            months.add(dt.datetime.fromtimestamp(listed.updated_at, CHINA_TIME).strftime("%Y%m"))
        if len(months) > 1:
            return Violation(Rule.SUMMARY, "SummaryApplyList", f"lists of several months ({', '.join(sorted(months))})")
        for item in doc.items:
            listed = arrival.listed[item.invt_no]
            out.closures.append((listed.doc_id, SUMMARISED, now))
            if listed.doc_id in self.lists:
                self.lists[listed.doc_id].closed = SUMMARISED
        return None

    @staticmethod
    def _summary_result(arrival: Arrival, now: float) -> StoredReceipt:
        """CEB792: the summary's result, to the agent that applied."""
        doc: SummaryApplication = arrival.document
        sum_no = doc.sum_no or f"S{doc.customs_code}{arrival.doc_id:012d}"
        return StoredReceipt(
            receiver=arrival.receiver, message_type=MessageType.SUMMARY_RESULT.value, guid=doc.head.guid,
            return_status=ReturnStatus.CLEARED, return_time=return_time(now),
            return_info=f"[Code:2600;Desc:汇总审结] {len(doc.items)} lists",
            keys=(("customsCode", doc.customs_code), ("copNo", doc.cop_no), ("sumNo", sum_no),
                  ("ebcCode", doc.ebc_code), ("agentCode", doc.agent_code), ("listCount", str(len(doc.items)))),
            created_at=now)

    # --------------------------------------------------------------------------- writing

    def _emit(self, state: ExportState, status: int, now: float, out: TickOutput, info: str) -> None:
        state.status = status
        receipt = make_receipt(state.document, state.arrival.receiver, status, info, now,
                               receipt_keys(state.document, state.pre_no, state.invt_no))
        self._engine.deliver(receipt, out, state.last_receipt)
        state.last_receipt = receipt

    def _row(self, state: ExportState, now: float) -> InventoryUpdate:
        doc = state.document
        return InventoryUpdate(
            doc_id=state.arrival.doc_id, agent_code=doc.agent_code, cop_no=doc.cop_no, buyer_id="",
            amount=sum((item.total_price for item in doc.items), Decimal(0)),
            year=dt.datetime.fromtimestamp(now, CHINA_TIME).year, status=int(state.status), pre_no=state.pre_no,
            invt_no=state.invt_no, declared_at=state.arrival.received_at, next_status=None, next_at=None, at=now,
            partners=state.partners, closed=state.closed, trade_mode=doc.trade_mode)

    def expire(self, cutoff: float, now: float, out: TickOutput) -> None:
        """Lists whose order, collection or waybill never came: 100 naming the first missing."""
        # Every tick asks: only the expired lists are sorted, not every list still waiting.
        expired = sorted(doc_id for doc_id, state in self.unmatched.items() if state.arrival.received_at < cutoff)
        for doc_id in expired:
            state = self.unmatched.get(doc_id)
            if state is None:  # closed meanwhile
                continue
            doc = state.document
            missing = [name for name, index, key in (
                ("order", self.orders, (doc.ebp_code, doc.order_no)),
                ("collection", self.collections, (doc.ebp_code, doc.order_no)),
                ("waybill", self.waybills, state.waybill_key)) if key not in index]
            violation = Violation(Rule.MATCHING_TIMEOUT, missing[0] if missing else "InventoryHead",
                                  f"no {', '.join(missing)} within the matching timeout")
            self._close(state, ReturnStatus.REJECTED, violation.return_info, now, out)

"""The match book: documents waiting for their partners, indexed by the join keys of 三单对碰.

Join keys (docs/domain.md, "Matching and the declaration rules"): order-payment on orderNo+ebpCode; list-order on orderNo+ebpCode (ebcCode
must agree too); list-waybill on logisticsNo+logisticsCode.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ceb.documents import Document, InventoryList, Order, Payment, Waybill
from mock_platform.records import FinishedList
from mock_platform.rules import Violation


@dataclass(frozen=True, slots=True)
class Arrival:
    """A committed document handed to the workflow."""

    doc_id: int
    document: Document
    receiver: str  # the sender's copCode: receipts go back to it
    received_at: float
    violation: Violation | None = None  # a rule the document broke on its own
    finished: FinishedList | None = None  # a return's list, as the database had it (read ahead)
    listed: dict[str, FinishedList] | None = None  # a summary's lists by invtNo (read ahead)
    looked_up: bool = False  # read ahead already (what it names may not exist: then None above)


@dataclass(frozen=True, slots=True)
class Parcel:
    """A list with all three partner documents."""

    inventory: Arrival
    order: Arrival
    payment: Arrival
    waybill: Arrival


OrderKey = tuple[str, str]  # (ebpCode, orderNo)
WaybillKey = tuple[str, str]  # (logisticsCode, logisticsNo)


class MatchBook:
    """In-memory index of unmatched documents; the database holds the durable truth."""

    def __init__(self) -> None:
        self.orders: dict[OrderKey, Arrival] = {}
        self.payments: dict[OrderKey, Arrival] = {}
        self.waybills: dict[WaybillKey, Arrival] = {}
        self.lists: dict[int, Arrival] = {}
        self._lists_by_order: dict[OrderKey, set[int]] = defaultdict(set)
        self._lists_by_waybill: dict[WaybillKey, set[int]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self.orders) + len(self.payments) + len(self.waybills) + len(self.lists)

    def add(self, arrival: Arrival) -> set[int]:
        """File a document; return the ids of lists it may complete."""
        doc = arrival.document
        if isinstance(doc, Order):
            key = (doc.ebp_code, doc.order_no)
            self.orders[key] = arrival
            return set(self._lists_by_order.get(key, ()))
        if isinstance(doc, Payment):
            key = (doc.ebp_code, doc.order_no)
            self.payments[key] = arrival
            return set(self._lists_by_order.get(key, ()))
        if isinstance(doc, Waybill):
            key = (doc.logistics_code, doc.logistics_no)
            self.waybills[key] = arrival
            return set(self._lists_by_waybill.get(key, ()))
        assert isinstance(doc, InventoryList)
        self.lists[arrival.doc_id] = arrival
        self._lists_by_order[(doc.ebp_code, doc.order_no)].add(arrival.doc_id)
        self._lists_by_waybill[(doc.logistics_code, doc.logistics_no)].add(arrival.doc_id)
        return {arrival.doc_id}

    def partner(self, doc: Order | Payment | Waybill) -> Arrival | None:
        """The unmatched order, payment or waybill filed under `doc`'s key."""
        index, key = self._index_of(doc)
        return index.get(key)

    def remove_partner(self, doc: Order | Payment | Waybill) -> Arrival | None:
        """Take an unmatched order, payment or waybill out of the book (a deletion)."""
        index, key = self._index_of(doc)
        return index.pop(key, None)

    def _index_of(self, doc: Order | Payment | Waybill) -> tuple[dict, tuple[str, str]]:
        if isinstance(doc, Order):
            return self.orders, (doc.ebp_code, doc.order_no)
        if isinstance(doc, Payment):
            return self.payments, (doc.ebp_code, doc.order_no)
        return self.waybills, (doc.logistics_code, doc.logistics_no)

    def parcel(self, list_id: int) -> Parcel | None:
        """The list's parcel when all its partners are here, else None."""
        inventory = self.lists.get(list_id)
        if inventory is None:
            return None
        doc = inventory.document
        order = self.orders.get((doc.ebp_code, doc.order_no))
        payment = self.payments.get((doc.ebp_code, doc.order_no))
        waybill = self.waybills.get((doc.logistics_code, doc.logistics_no))
        if order is None or payment is None or waybill is None:
            return None
        return Parcel(inventory, order, payment, waybill)

    def missing(self, list_id: int) -> list[str]:
        """Which partner documents a list still waits for."""
        doc = self.lists[list_id].document
        wanted = (("order", self.orders, (doc.ebp_code, doc.order_no)),
                  ("payment", self.payments, (doc.ebp_code, doc.order_no)),
                  ("waybill", self.waybills, (doc.logistics_code, doc.logistics_no)))
        return [name for name, index, key in wanted if key not in index]

    def remove_list(self, list_id: int) -> Arrival:
        """Take a decided list out of the book (its partners stay for a re-declared list)."""
        arrival = self.lists.pop(list_id)
        doc = arrival.document
        for index, key in ((self._lists_by_order, (doc.ebp_code, doc.order_no)),
                           (self._lists_by_waybill, (doc.logistics_code, doc.logistics_no))):
            ids = index.get(key)
            if ids is not None:
                ids.discard(list_id)
                if not ids:
                    del index[key]
        return arrival

    def remove_parcel(self, parcel: Parcel) -> None:
        """Take a released parcel's partner documents out of the book."""
        order, waybill = parcel.order.document, parcel.waybill.document
        self.orders.pop((order.ebp_code, order.order_no), None)
        self.payments.pop((order.ebp_code, order.order_no), None)
        self.waybills.pop((waybill.logistics_code, waybill.logistics_no), None)

    def lists_waiting_since(self, cutoff: float) -> list[int]:
        """Lists that arrived before `cutoff` and are still unmatched."""
        return [doc_id for doc_id, a in self.lists.items() if a.received_at < cutoff]

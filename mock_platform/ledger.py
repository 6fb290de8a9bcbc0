"""What the workflow engine holds in memory between ticks: the lists in progress (indexed by the
agent's copNo), each buyer's quota used this year, the direct-mail parcels that have arrived, the
bonded account books, and what one tick has to write. The database holds the durable truth; the engine rebuilds this from it
after a restart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from ceb.types import ReturnStatus
from mock_platform.bonded import StockBook, StockLines, StockRow
from mock_platform.matching import Arrival, Parcel
from mock_platform.backends import Connection
from mock_platform.records import InventoryUpdate, StoredReceipt
from mock_platform.store import Store, WriteOp

CopKey = tuple[str, str]  # (agentCode, copNo): how an agent names its own list
WaybillKey = tuple[str, str]  # (logisticsCode, logisticsNo)


class Closure(str, Enum):
    """How a list left the workflow other than by release or rejection."""

    CANCELLED = "cancelled"  # CEB623 before release: quota and stock back
    RETURNED = "returned"  # CEB625 after release: quota and stock back


@dataclass(slots=True)
class ListState:
    """An inventory list the engine is moving along the ladder."""

    arrival: Arrival
    pre_no: str
    buyer_id: str
    amount: Decimal
    year: int
    status: ReturnStatus = ReturnStatus.DECLARING
    invt_no: str = ""
    partners: tuple[int, ...] = ()  # document ids of the matched order, payment and waybill
    parcel: Parcel | None = None  # the matched documents (not kept across a restart)
    last_receipt: StoredReceipt | None = None  # re-sent late when receipts are reordered
    parked: bool = False  # cleared, waiting for its CEB711 arrival before release
    stock_lines: StockLines = ()  # goods a 1210 list holds in its account book

    @property
    def cop_key(self) -> CopKey:
        doc = self.arrival.document
        return doc.agent_code, doc.cop_no

    @property
    def matched(self) -> bool:
        return bool(self.partners)


@dataclass(slots=True)
class TickOutput:
    """Everything one tick writes, in one group-commit operation."""

    receipts: list[StoredReceipt] = field(default_factory=list)
    inventories: list[InventoryUpdate] = field(default_factory=list)
    settled: list[int] = field(default_factory=list)
    arrivals: list[tuple[str, str, float]] = field(default_factory=list)  # (code, no, at)
    closures: list[tuple[int, str, float]] = field(default_factory=list)  # (list doc id, how, at)
    stock: list[StockRow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.receipts or self.inventories or self.settled or self.arrivals or self.closures
                    or self.stock)

    def write_op(self) -> WriteOp:
        """One group-commit operation writing all of it (empty parts cost no statement)."""
        parts = [make(rows) for make, rows in ((Store.insert_receipts, self.receipts),
                                               (Store.update_inventories, self.inventories),
                                               (Store.settle_documents, self.settled),
                                               (Store.insert_arrivals, self.arrivals),
                                               (Store.close_lists, self.closures),
                                               (Store.upsert_stock, self.stock)) if rows]

        def op(conn: Connection) -> None:
            for part in parts:
                part(conn)

        return op


class Ledger:
    """Lists in progress, quotas and arrivals."""

    def __init__(self) -> None:
        self.lists: dict[int, ListState] = {}
        self.by_cop: dict[CopKey, int] = {}
        self.annual_used: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        self.arrived: set[WaybillKey] = set()
        self.parked: dict[WaybillKey, set[int]] = defaultdict(set)
        self.stock = StockBook()

    def add(self, state: ListState) -> None:
        """Track a list (a newer list with the same copNo takes its name)."""
        self.lists[state.arrival.doc_id] = state
        self.by_cop[state.cop_key] = state.arrival.doc_id

    def drop(self, state: ListState) -> None:
        """Stop tracking a list that is final."""
        self.lists.pop(state.arrival.doc_id, None)
        if self.by_cop.get(state.cop_key) == state.arrival.doc_id:
            del self.by_cop[state.cop_key]

    def note_arrival(self, key: WaybillKey, now: float, out: TickOutput) -> None:
        """A parcel reached its port (CEB711 on import, CEB507 on export); stored once."""
        if key not in self.arrived:
            self.arrived.add(key)
            out.arrivals.append((*key, now))

    def find(self, agent_code: str, cop_no: str) -> ListState | None:
        """The list in progress an agent calls `cop_no`."""
        doc_id = self.by_cop.get((agent_code, cop_no))
        return None if doc_id is None else self.lists.get(doc_id)

    def give_back(self, buyer_id: str, year: int, amount: Decimal) -> None:
        """Return a cancelled or returned list's amount to its buyer's annual quota."""
        self.annual_used[(buyer_id, year)] -= amount

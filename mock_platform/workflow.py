"""The customs workflow: per-document checks, matching and the status ladder of each list.

Intake hands committed documents to `WorkflowEngine.accept`; the engine works in ticks: it files
new documents, matches lists whose partners are all here, advances lists whose next customs step is
due, rejects lists that waited past the matching timeout, and writes all of a tick's receipts and
status changes in one group-commit operation.

A matched list climbs 2 (declaring) -> 120 (accepted) -> 399 (cleared) -> 800 (released); a broken
rule sends it to 100 with a returnInfo that names the rule and field.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ceb.codec import parse_message
from ceb.documents import InventoryList, Message, Order
from ceb.types import ReturnStatus
from mock_platform.matching import Arrival, MatchBook, Parcel
from mock_platform.metrics import PlatformMetrics
from mock_platform.receipts import CHINA_TIME, make_receipt, receipt_keys
from mock_platform.records import InventoryUpdate, StoredReceipt
from mock_platform.rules import Rule, Violation, check_inventory, check_order, three_document_match
from mock_platform.settings import Settings
from mock_platform.store import Store
from mock_platform.writer import GroupCommitWriter

_NEXT_STEP = {ReturnStatus.ACCEPTED: ReturnStatus.CLEARED, ReturnStatus.CLEARED: ReturnStatus.RELEASED}
_STATUS_INFO = {
    ReturnStatus.DECLARING: "新增申报成功[{guid}]",
    ReturnStatus.ACCEPTED: "[Code:1800;Desc:逻辑校验通过]",
    ReturnStatus.CLEARED: "[Code:2600;Desc:审结]",
    ReturnStatus.RELEASED: "[Code:2800;Desc:放行]",
}


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


@dataclass(slots=True)
class TickOutput:
    """Everything one tick writes."""

    receipts: list[StoredReceipt] = field(default_factory=list)
    inventories: list[InventoryUpdate] = field(default_factory=list)
    settled: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.receipts or self.inventories or self.settled)


class WorkflowEngine:
    """Runs matching and the customs status ladder for every committed document."""

    def __init__(self, settings: Settings, writer: GroupCommitWriter, metrics: PlatformMetrics,
                 clock: Callable[[], float] = time.time,
                 lose_receipt: Callable[[], bool] = lambda: False) -> None:
        self._settings = settings
        self._writer = writer
        self._metrics = metrics
        self._clock = clock
        self._lose_receipt = lose_receipt  # an injected receipt-loss fault
        self._rng = random.Random(settings.seed)
        self._book = MatchBook()
        self._lists: dict[int, ListState] = {}
        self._timers: list[tuple[float, int, ReturnStatus]] = []
        self._annual_used: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        self._inbox: list[Arrival] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self, store: Store) -> int:
        """Resume from what `store` holds, then start ticking; returns the documents resumed."""
        resumed = await asyncio.to_thread(self._restore, store)
        self._task = asyncio.create_task(self._run(), name="workflow")
        return resumed

    def _restore(self, store: Store) -> int:
        """Rebuild matching, timers and quotas after a restart (or a crash) from the database."""
        for buyer, year, amount in store.annual_usage():
            self._annual_used[(buyer, year)] += amount
        matched = {p.doc_id: p for p in store.pending_inventories()}
        partners = {doc_id for p in matched.values() for doc_id in p.partners}
        messages: dict[str, Message] = {}
        unsettled = store.unsettled_documents()
        for row in unsettled:
            if row.doc_id in partners:
                continue
            if row.message_guid not in messages:
                messages[row.message_guid] = parse_message(row.body)
            document = messages[row.message_guid].documents[row.doc_index]
            arrival = Arrival(row.doc_id, document, row.sender, row.received_at)
            pending = matched.get(row.doc_id)
            if pending is None:
                self._inbox.append(arrival)  # filed again on the first tick
                continue
            self._lists[row.doc_id] = ListState(
                arrival, pending.pre_no, pending.buyer_id, pending.amount, pending.year,
                ReturnStatus(pending.status), pending.invt_no, pending.partners)
            heapq.heappush(self._timers, (pending.next_at, row.doc_id, ReturnStatus(pending.next_status)))
        return len(unsettled)

    async def stop(self) -> None:
        """Finish the current tick, write it, and stop."""
        self._stopping = True
        self._wakeup.set()
        if self._task is not None:
            await self._task

    def accept(self, arrivals: list[Arrival]) -> None:
        """Queue committed documents for the next tick."""
        self._inbox.extend(arrivals)
        self._wakeup.set()

    async def _run(self) -> None:
        tick = self._settings.engine_tick_s
        while True:
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=tick)
            except TimeoutError:
                pass
            self._wakeup.clear()
            output = self.tick(self._clock())
            if output:
                await self._writer.write(_tick_op(output))
            if self._stopping and not self._inbox:
                return

    def tick(self, now: float) -> TickOutput:
        """One step of the workflow at time `now` (pure of I/O; the caller writes the output)."""
        out = TickOutput()
        arrivals, self._inbox = self._inbox, []
        candidates: set[int] = set()
        for arrival in arrivals:
            candidates |= self._file(arrival, now, out)
        for list_id in sorted(candidates):
            parcel = self._book.parcel(list_id)
            if parcel is not None:
                self._decide(parcel, now, out)
        self._fire_due_steps(now, out)
        self._expire_unmatched(now, out)
        self._metrics.matching_pending.set(len(self._book))
        out.receipts = [r for r in out.receipts if not self._lose_receipt()]
        for receipt in out.receipts:
            self._metrics.receipts.labels(receipt.message_type, str(receipt.return_status)).inc()
        return out

    # --------------------------------------------------------------------------- filing

    def _file(self, arrival: Arrival, now: float, out: TickOutput) -> set[int]:
        doc = arrival.document
        if isinstance(doc, InventoryList):
            return self._file_inventory(arrival, now, out)
        out.receipts.append(make_receipt(doc, arrival.receiver, ReturnStatus.DECLARING,
                                         _STATUS_INFO[ReturnStatus.DECLARING].format(guid=doc.head.guid), now))
        violation = check_order(doc, self._settings.limits) if isinstance(doc, Order) else None
        if violation is None:
            out.receipts.append(make_receipt(doc, arrival.receiver, ReturnStatus.ACCEPTED,
                                             _STATUS_INFO[ReturnStatus.ACCEPTED], now))
        else:
            out.receipts.append(make_receipt(doc, arrival.receiver, ReturnStatus.REJECTED,
                                             violation.return_info, now))
            arrival = Arrival(arrival.doc_id, doc, arrival.receiver, arrival.received_at, violation)
        return self._book.add(arrival)

    def _file_inventory(self, arrival: Arrival, now: float, out: TickOutput) -> set[int]:
        doc = arrival.document
        year = dt.datetime.fromtimestamp(now, CHINA_TIME).year
        amount = sum((item.total_price for item in doc.items), Decimal(0))
        state = ListState(arrival, pre_no=f"B{dt.datetime.fromtimestamp(now, CHINA_TIME):%Y%m%d}"
                                           f"{arrival.doc_id % 10**9:09d}",
                          buyer_id=doc.buyer_id_number, amount=amount, year=year)
        self._lists[arrival.doc_id] = state
        self._emit(state, ReturnStatus.DECLARING, now, out,
                   _STATUS_INFO[ReturnStatus.DECLARING].format(guid=doc.head.guid))
        violation = check_inventory(doc)
        if violation is not None:
            self._reject(state, violation, now, out)
            return set()
        return self._book.add(arrival)

    # --------------------------------------------------------------------------- deciding

    def _decide(self, parcel: Parcel, now: float, out: TickOutput) -> None:
        state = self._lists[parcel.inventory.doc_id]
        order: Order = parcel.order.document
        key = (order.buyer_id_number, state.year)
        violation = (parcel.order.violation or _ebc_mismatch(parcel) or three_document_match(
            order, parcel.payment.document, parcel.waybill.document, parcel.inventory.document,
            self._settings.limits, self._annual_used[key]))
        self._book.remove_list(parcel.inventory.doc_id)
        if violation is not None:
            self._reject(state, violation, now, out)
            return
        self._book.remove_parcel(parcel)
        state.partners = (parcel.order.doc_id, parcel.payment.doc_id, parcel.waybill.doc_id)
        state.amount = order.actural_paid
        self._annual_used[key] += order.actural_paid
        self._schedule(state, ReturnStatus.ACCEPTED, now + self._settings.customs.accept.draw(self._rng),
                       now, out)

    def _schedule(self, state: ListState, next_status: ReturnStatus, at: float, now: float,
                  out: TickOutput) -> None:
        heapq.heappush(self._timers, (at, state.arrival.doc_id, next_status))
        out.inventories.append(self._update(state, now, next_status, at))

    def _fire_due_steps(self, now: float, out: TickOutput) -> None:
        customs = self._settings.customs
        while self._timers and self._timers[0][0] <= now:
            _, doc_id, status = heapq.heappop(self._timers)
            state = self._lists[doc_id]
            if status is ReturnStatus.ACCEPTED:
                state.invt_no = (f"{self._settings.customs_code}{state.year}I"
                                 f"{doc_id % 10**9:09d}")
            nxt = _NEXT_STEP.get(status)
            state.status = status
            self._emit(state, status, now, out, _STATUS_INFO[status])
            if nxt is None:
                self._finish(state, now, out)
                self._metrics.clearance_seconds.observe(now - state.arrival.received_at)
                continue
            delay = customs.clear if nxt is ReturnStatus.CLEARED else customs.release
            at = now + delay.draw(self._rng)
            heapq.heappush(self._timers, (at, doc_id, nxt))
            out.inventories.append(self._update(state, now, nxt, at))

    def _expire_unmatched(self, now: float, out: TickOutput) -> None:
        for list_id in self._book.lists_waiting_since(now - self._settings.matching_timeout_s):
            missing = self._book.missing(list_id)
            self._book.remove_list(list_id)
            violation = Violation(Rule.MATCHING_TIMEOUT, missing[0] if missing else "InventoryHead",
                                  f"no {', '.join(missing)} within "
                                  f"{self._settings.matching_timeout_s:g} s")
            self._reject(self._lists[list_id], violation, now, out)

    # --------------------------------------------------------------------------- writing

    def _reject(self, state: ListState, violation: Violation, now: float, out: TickOutput) -> None:
        state.status = ReturnStatus.REJECTED
        self._emit(state, ReturnStatus.REJECTED, now, out, violation.return_info)
        self._finish(state, now, out)

    def _finish(self, state: ListState, now: float, out: TickOutput) -> None:
        out.inventories.append(self._update(state, now, None, None))
        out.settled.append(state.arrival.doc_id)
        out.settled.extend(state.partners)
        del self._lists[state.arrival.doc_id]

    def _emit(self, state: ListState, status: ReturnStatus, now: float, out: TickOutput,
              info: str) -> None:
        doc = state.arrival.document
        keys = receipt_keys(doc, state.pre_no, state.invt_no, self._settings.customs_code)
        out.receipts.append(make_receipt(doc, state.arrival.receiver, status, info, now, keys))

    def _update(self, state: ListState, now: float, next_status: ReturnStatus | None,
                next_at: float | None) -> InventoryUpdate:
        doc = state.arrival.document
        return InventoryUpdate(
            doc_id=state.arrival.doc_id, agent_code=doc.agent_code, cop_no=doc.cop_no,
            buyer_id=state.buyer_id, amount=state.amount, year=state.year, status=int(state.status),
            pre_no=state.pre_no, invt_no=state.invt_no, declared_at=state.arrival.received_at,
            next_status=None if next_status is None else int(next_status), next_at=next_at, at=now,
            partners=state.partners)


def _ebc_mismatch(parcel: Parcel) -> Violation | None:
    if parcel.inventory.document.ebc_code != parcel.order.document.ebc_code:
        return Violation(Rule.JOIN_KEY, "InventoryHead/ebcCode",
                         "list ebcCode differs from the order's (join key orderNo+ebpCode+ebcCode)")
    return None


def _tick_op(output: TickOutput):
    receipts = Store.insert_receipts(output.receipts)
    inventories = Store.update_inventories(output.inventories)
    settled = Store.settle_documents(output.settled)

    def op(conn):
        receipts(conn)
        inventories(conn)
        settled(conn)

    return op

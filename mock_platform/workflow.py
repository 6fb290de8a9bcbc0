"""The customs workflow: per-document checks, matching, amendments and the status ladder.

Intake hands committed documents to `WorkflowEngine.accept`; the engine works in ticks: it files
new documents (declarations, amendments, deletions, follow-ups), matches lists whose partners are
all here, advances lists whose next customs step is due (`mock_platform.customs`), rejects lists
that waited past the matching timeout, and writes all of a tick's receipts and status changes in
one group-commit operation. Follow-ups (CEB513, 623, 625, 711) are in `mock_platform.followups`.

A broken rule sends a document to 100 with a returnInfo that names the rule and field.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import random
import time
from collections.abc import Callable
from decimal import Decimal

from ceb.codec import parse_message
from ceb.documents import InventoryList, Message, Order, Payment, Waybill
from ceb.types import AppStatus, AppType, ReturnStatus, TradeMode
from mock_platform.bonded import lines_of
from mock_platform.customs import next_step
from mock_platform.export_desk import ExportDesk
from mock_platform.followups import FollowUps
from mock_platform.ledger import Closure, Ledger, ListState, TickOutput
from mock_platform.matching import Arrival, MatchBook, Parcel
from mock_platform.metrics import PlatformMetrics
from mock_platform.receipts import (CHANGED, CHINA_TIME, DELETED, STATUS_INFO, make_receipt, outcome, receipt_keys,
                                   tax_bill)
from mock_platform.records import InventoryUpdate, StoredReceipt
from mock_platform.rules import (Rule, Violation, check_inventory, check_order, list_order_join,
                                  three_document_match)
from mock_platform.settings import Settings
from mock_platform.store import Store
from mock_platform.warehouse import Warehouse
from mock_platform.writer import GroupCommitWriter

class WorkflowEngine:
    """Runs matching and the customs status ladder for every committed document."""

    def __init__(self, settings: Settings, writer: GroupCommitWriter, metrics: PlatformMetrics,
                 clock: Callable[[], float] = time.time,
                 lose_receipt: Callable[[], bool] = lambda: False) -> None:
        self.settings = settings
        self._writer = writer
        self._metrics = metrics
        self._clock = clock
        self._lose_receipt = lose_receipt  # an injected receipt-loss fault
        self.rng = random.Random(settings.seed)
        self.book = MatchBook()
        self.ledger = Ledger()
        self._timers: list[tuple[float, int, ReturnStatus]] = []
        self._inbox: list[Arrival] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._store: Store | None = None
        self._stopping = False
        self._followups = FollowUps(self)
        self.export = ExportDesk(self)
        self.warehouse = Warehouse(self)
        self._allowed_hs = settings.allowed_hs_prefixes

    async def start(self, store: Store) -> int:
        """Resume from what `store` holds, then start ticking; returns the documents resumed."""
        self._store = store
        resumed = await asyncio.to_thread(self._restore, store)
        self._task = asyncio.create_task(self._run(), name="workflow")
        return resumed

    def _restore(self, store: Store) -> int:
        """Rebuild matching, timers, quotas and arrivals after a restart (or a crash)."""
        for buyer, year, amount in store.annual_usage():
            self.ledger.annual_used[(buyer, year)] += amount
        self.ledger.arrived.update(store.arrived())
        for row in store.stock_rows():
            self.ledger.stock.lines[(row.ems_no, row.item_record_no)] = row.line
            self.ledger.stock.books.add(row.ems_no)
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
            self.ledger.add(ListState(arrival, pending.pre_no, pending.buyer_id, pending.amount, pending.year,
                                      ReturnStatus(pending.status), pending.invt_no, pending.partners,
                                      stock_lines=lines_of(document) if pending.stock_reserved else ()))
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
        tick = self.settings.engine_tick_s
        while True:
            try:
                await asyncio.wait_for(self._wakeup.wait(), timeout=tick)
            except TimeoutError:
                pass
            self._wakeup.clear()
            if self._store is not None and any(map(self._needs_lookup, self._inbox)):
                # Documents accepted while the lookup runs join the inbox meanwhile: keep them.
                pending, self._inbox = self._inbox, []
                resolved = await asyncio.to_thread(self._look_up, self._store, pending)
                self._inbox = resolved + self._inbox
            output = self.tick(self._clock())
            if output:
                await self._writer.write(output.write_op())
            if self._stopping and not self._inbox:
                return

    def _needs_lookup(self, arrival: Arrival) -> bool:
        return self._followups.needs_lookup(arrival) or self.export.needs_lookup(arrival)

    def _look_up(self, store: Store, inbox: list[Arrival]) -> list[Arrival]:
        """Read ahead what returns and summaries name from the database (off the event loop)."""
        inbox = self._followups.look_up(store, inbox)
        return [self.export.look_up(store, a) if self.export.needs_lookup(a) else a for a in inbox]

    def tick(self, now: float) -> TickOutput:
        """One step of the workflow at time `now` (pure of I/O; the caller writes the output)."""
        out = TickOutput()
        arrivals, self._inbox = self._inbox, []
        if self._store is not None:  # what came in while the last lookup ran is looked up first, next round
            self._inbox = [a for a in arrivals if self._needs_lookup(a)]
            arrivals = [a for a in arrivals if not self._needs_lookup(a)]
        candidates: set[int] = set()
        for arrival in arrivals:
            candidates |= self._file(arrival, now, out)
        for list_id in sorted(candidates):
            parcel = self.book.parcel(list_id)
            if parcel is not None:
                self._decide(parcel, now, out)
        self._fire_due_steps(now, out)
        self._expire_unmatched(now, out)
        self.warehouse.write_changes(out)
        self._metrics.matching_pending.set(len(self.book))
        out.receipts = [r for r in out.receipts if not self._lose_receipt()]
        for receipt in out.receipts:
            self._metrics.child(self._metrics.receipts, receipt.message_type, str(receipt.return_status)).inc()
        return out

    # --------------------------------------------------------------------------- receipts

    def deliver(self, receipt: StoredReceipt, out: TickOutput, previous: StoredReceipt | None = None) -> None:
        """Queue a receipt; as real platforms do when configured to, sometimes twice, and sometimes
        followed by a late resend of the document's previous receipt (an older returnTime)."""
        out.receipts.append(receipt)
        if previous is not None and self.rng.random() < self.settings.receipt_reorder_ratio:
            out.receipts.append(previous)
        if self.rng.random() < self.settings.receipt_duplicate_ratio:
            out.receipts.append(receipt)

    def answer(self, arrival: Arrival, statuses: list[tuple[int, str]], now: float, out: TickOutput,
               settle: bool = True) -> None:
        """Receipts of a document that is decided at once (see `receipts.outcome`); settled
        unless it stays filed waiting for its partners."""
        previous = None
        for status, info in statuses:
            receipt = make_receipt(arrival.document, arrival.receiver, status, info, now)
            self.deliver(receipt, out, previous)
            previous = receipt
        if settle:
            out.settled.append(arrival.doc_id)

    # --------------------------------------------------------------------------- filing

    def _file(self, arrival: Arrival, now: float, out: TickOutput) -> set[int]:
        doc = arrival.document
        if doc.head.app_status == AppStatus.STORED.value:  # 暂存: kept at the e-port, not declared
            self.answer(arrival, [(ReturnStatus.STORED, STATUS_INFO[ReturnStatus.STORED])], now, out)
            return set()
        if self._followups.handles(doc):
            self._followups.file(arrival, now, out)
            return set()
        if self.export.handles(doc):
            self.export.file(arrival, now, out)
            return set()
        if isinstance(doc, InventoryList):
            return self._file_inventory(arrival, now, out)
        return self._file_partner(arrival, now, out)

    def _file_partner(self, arrival: Arrival, now: float, out: TickOutput) -> set[int]:
        doc: Order | Payment | Waybill = arrival.document
        declared = STATUS_INFO[ReturnStatus.DECLARING]
        if doc.head.app_type != AppType.NEW.value:
            filed = self.book.partner(doc)
            if filed is None:
                violation = Violation(Rule.AMENDMENT, f"{type(doc).__name__}/appType",
                                      "nothing to change or delete: the document was never declared "
                                      "or its parcel is already matched")
                self.answer(arrival, outcome(doc, rejected=violation.return_info), now, out)
                return set()
            out.settled.append(filed.doc_id)
            if doc.head.app_type == AppType.DELETE.value:
                self.book.remove_partner(doc)
                self.answer(arrival, outcome(doc, accepted=DELETED), now, out)
                return set()
            declared = CHANGED
        violation = check_order(doc, self.settings.limits) if isinstance(doc, Order) else None
        self.answer(arrival, outcome(doc, violation.return_info if violation else None, declared=declared),
                    now, out, settle=False)  # filed for matching: settled with its list
        if violation is not None:
            arrival = Arrival(arrival.doc_id, doc, arrival.receiver, arrival.received_at, violation)
        return self.book.add(arrival)

    def _file_inventory(self, arrival: Arrival, now: float, out: TickOutput) -> set[int]:
        doc: InventoryList = arrival.document
        pre_no = f"B{dt.datetime.fromtimestamp(now, CHINA_TIME):%Y%m%d}{arrival.doc_id % 10**9:09d}"
        info = STATUS_INFO[ReturnStatus.DECLARING].format(guid=doc.head.guid)
        if doc.head.app_type != AppType.NEW.value:
            earlier = self.ledger.find(doc.agent_code, doc.cop_no)
            if earlier is None or earlier.status >= ReturnStatus.CLEARED or earlier.parked:
                violation = Violation(Rule.AMENDMENT, "InventoryHead/appType",
                                      "a list can be changed or deleted only before it is cleared (399); "
                                      "after that, cancel it (CEB623) and declare it again")
                self.answer(arrival, outcome(doc, rejected=violation.return_info), now, out)
                return set()
            self.withdraw(earlier, now, out, Closure.CANCELLED)
            if doc.head.app_type == AppType.DELETE.value:
                self.answer(arrival, outcome(doc, accepted=DELETED), now, out)
                return set()
            pre_no, info = earlier.pre_no, CHANGED.format(guid=doc.head.guid)
        state = ListState(arrival, pre_no=pre_no, buyer_id=doc.buyer_id_number,
                          amount=sum((item.total_price for item in doc.items), Decimal(0)),
                          year=dt.datetime.fromtimestamp(now, CHINA_TIME).year)
        self.ledger.add(state)
        self.emit(state, ReturnStatus.DECLARING, now, out, info)
        violation = check_inventory(doc, self._allowed_hs) or self.warehouse.reserve(state)
        if violation is not None:
            self.reject(state, violation, now, out)
            return set()
        return self.book.add(arrival)

    def withdraw(self, state: ListState, now: float, out: TickOutput, closure: Closure) -> None:
        """Take a list out before release (amended away, deleted or cancelled): its quota back,
        its partners back in the book for a list declared again, its timers void."""
        if state.arrival.doc_id in self.book.lists:
            self.book.remove_list(state.arrival.doc_id)
        if state.matched:
            self.ledger.give_back(state.buyer_id, state.year, state.amount)
            if state.parcel is not None:
                for partner in (state.parcel.order, state.parcel.payment, state.parcel.waybill):
                    self.book.add(partner)
        if state.parked:
            self.ledger.parked[_waybill_key(state)].discard(state.arrival.doc_id)
        self.warehouse.unreserve(state)
        out.inventories.append(self.update(state, now, None, None, closure.value))
        out.settled.append(state.arrival.doc_id)
        self.ledger.drop(state)

    # --------------------------------------------------------------------------- deciding

    def _decide(self, parcel: Parcel, now: float, out: TickOutput) -> None:
        state = self.ledger.lists[parcel.inventory.doc_id]
        order: Order = parcel.order.document
        key = (order.buyer_id_number, state.year)
        violation = (parcel.order.violation or list_order_join(parcel.inventory.document, order) or three_document_match(
            order, parcel.payment.document, parcel.waybill.document, parcel.inventory.document,
            self.settings.limits, self.ledger.annual_used[key]))
        self.book.remove_list(parcel.inventory.doc_id)
        if violation is not None:
            self.reject(state, violation, now, out)
            return
        self.book.remove_parcel(parcel)
        state.partners = (parcel.order.doc_id, parcel.payment.doc_id, parcel.waybill.doc_id)
        state.parcel = parcel
        state.amount = order.actural_paid
        self.ledger.annual_used[key] += order.actural_paid
        customs = self.settings.customs
        self.schedule(state, ReturnStatus.ACCEPTED, now + customs.wait(customs.accept, self.rng), now, out)

    def schedule(self, state: ListState, next_status: ReturnStatus, at: float, now: float,
                 out: TickOutput) -> None:
        """Set the list's next customs step."""
        heapq.heappush(self._timers, (at, state.arrival.doc_id, next_status))
        out.inventories.append(self.update(state, now, next_status, at))

    def _fire_due_steps(self, now: float, out: TickOutput) -> None:
        while self._timers and self._timers[0][0] <= now:
            at, doc_id, status = heapq.heappop(self._timers)
            state = self.ledger.lists.get(doc_id)
            if state is None:
                continue  # withdrawn meanwhile
            if status is ReturnStatus.RELEASED and self._awaits_arrival(state):
                state.parked = True  # its timer stays in the database: a restart parks it again
                self.ledger.parked[_waybill_key(state)].add(doc_id)
                continue
            if status is ReturnStatus.ACCEPTED:
                state.invt_no = f"{self.settings.customs_code}{state.year}I{doc_id % 10**9:09d}"
            state.status = status
            self.emit(state, status, now, out, STATUS_INFO[status])
            step = next_step(status, self.settings.customs, self.rng)
            if step is None:
                self.warehouse.settle(state, status)
                if status is ReturnStatus.RELEASED:
                    self.deliver(tax_bill(state.arrival.document, state.invt_no, self.settings.customs_code, now),
                                 out)
                    self._metrics.clearance_seconds.observe(now - state.arrival.received_at)
                self.finish(state, now, out)
                continue
            self.schedule(state, step[0], now + step[1], now, out)

    def _awaits_arrival(self, state: ListState) -> bool:
        doc: InventoryList = state.arrival.document
        return (self.settings.direct_mail_arrival_required and doc.trade_mode == TradeMode.DIRECT_MAIL.value
                and _waybill_key(state) not in self.ledger.arrived)

    def release_parked(self, key: tuple[str, str], now: float, out: TickOutput) -> None:
        """A CEB711 reported the parcel arrived: its cleared lists go on to release."""
        customs = self.settings.customs
        for doc_id in sorted(self.ledger.parked.pop(key, ())):
            state = self.ledger.lists.get(doc_id)
            if state is not None:
                state.parked = False
                self.schedule(state, ReturnStatus.RELEASED, now + customs.wait(customs.release, self.rng), now, out)

    def _expire_unmatched(self, now: float, out: TickOutput) -> None:
        self.export.expire(now - self.settings.matching_timeout_s, now, out)
        for list_id in self.book.lists_waiting_since(now - self.settings.matching_timeout_s):
            missing = self.book.missing(list_id)
            self.book.remove_list(list_id)
            violation = Violation(Rule.MATCHING_TIMEOUT, missing[0] if missing else "InventoryHead",
                                  f"no {', '.join(missing)} within "
                                  f"{self.settings.matching_timeout_s:g} s")
            self.reject(self.ledger.lists[list_id], violation, now, out)

    # --------------------------------------------------------------------------- writing

    def reject(self, state: ListState, violation: Violation, now: float, out: TickOutput) -> None:
        """100 with the rule and field; the list is final."""
        state.status = ReturnStatus.REJECTED
        self.warehouse.unreserve(state)
        self.emit(state, ReturnStatus.REJECTED, now, out, violation.return_info)
        self.finish(state, now, out)

    def finish(self, state: ListState, now: float, out: TickOutput) -> None:
        """The list is final: settle it and its partners."""
        out.inventories.append(self.update(state, now, None, None))
        out.settled.append(state.arrival.doc_id)
        out.settled.extend(state.partners)
        self.ledger.drop(state)

    def emit(self, state: ListState, status: ReturnStatus, now: float, out: TickOutput, info: str) -> None:
        """A receipt of the list's new status to its declaring agent."""
        doc = state.arrival.document
        keys = receipt_keys(doc, state.pre_no, state.invt_no, self.settings.customs_code)
        receipt = make_receipt(doc, state.arrival.receiver, status, info, now, keys)
        self.deliver(receipt, out, state.last_receipt)
        state.last_receipt = receipt

    def update(self, state: ListState, now: float, next_status: ReturnStatus | None,
               next_at: float | None, closed: str = "") -> InventoryUpdate:
        """The list's row as it now stands."""
        doc = state.arrival.document
        return InventoryUpdate(
            doc_id=state.arrival.doc_id, agent_code=doc.agent_code, cop_no=doc.cop_no,
            buyer_id=state.buyer_id, amount=state.amount, year=state.year, status=int(state.status),
            pre_no=state.pre_no, invt_no=state.invt_no, declared_at=state.arrival.received_at,
            next_status=None if next_status is None else int(next_status), next_at=next_at, at=now,
            partners=state.partners, closed=closed, stock_reserved=bool(state.stock_lines),
            trade_mode=doc.trade_mode)


def _waybill_key(state: ListState) -> tuple[str, str]:
    doc = state.arrival.document
    return doc.logistics_code, doc.logistics_no

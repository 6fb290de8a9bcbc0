"""The engine's side of the bonded warehouse: 1210 lists reserve, release and give back stock in
their account book as they move, and the warehouse operations (tally, zone transfer, exit) change
the same books. Everything runs on the event loop between ticks, so the books and the lists never
disagree; each change is written (group commit) before it is acknowledged."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import TYPE_CHECKING

from ceb.codec import parse_message
from ceb.documents import InventoryList, InventoryReturn
from ceb.types import ReturnStatus, TradeMode
from mock_platform.bonded import ExitChannel, StockShort, lines_of
from mock_platform.ledger import ListState, TickOutput
from mock_platform.records import FinishedList
from mock_platform.rules import Rule, Violation
from mock_platform.store import Store, WriteOp

if TYPE_CHECKING:
    from mock_platform.workflow import WorkflowEngine


class ExitRefused(ValueError):
    """A list of an exit batch cannot leave; `field` names it."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field, self.detail = field, detail


class Warehouse:
    """Stock bookkeeping for the engine's 1210 lists, and the warehouse operations."""

    def __init__(self, engine: WorkflowEngine) -> None:
        self._engine = engine
        self._batches = itertools.count(1)

    @property
    def stock(self):
        return self._engine.ledger.stock

    def reserve(self, state: ListState) -> Violation | None:
        """Hold a 1210 list's goods; a violation naming the line when its book is short. Books
        nobody tallied are not checked unless the platform insists on tally-first."""
        doc: InventoryList = state.arrival.document
        if doc.trade_mode != TradeMode.BONDED.value:
            return None
        if doc.ems_no not in self.stock.books and not self._engine.settings.tally_first:
            return None
        lines = lines_of(doc)
        try:
            self.stock.reserve(lines)
        except StockShort as short:
            return Violation(Rule.BONDED_STOCK, short.field, short.detail)
        state.stock_lines = lines
        return None

    def unreserve(self, state: ListState) -> None:
        """A list rejected or withdrawn before release."""
        if state.stock_lines:
            self.stock.unreserve(state.stock_lines)
            state.stock_lines = ()

    def settle(self, state: ListState, status: ReturnStatus) -> None:
        """A list reached a final customs status: released goods stay in the zone until they
        exit; goods returned abroad leave at once."""
        if not state.stock_lines:
            return
        self.stock.release(state.stock_lines)
        if status is ReturnStatus.RETURNED_ABROAD:
            self.stock.leave(state.stock_lines)

    def take_back(self, listed: FinishedList, refund: InventoryReturn) -> None:
        """Returned goods of a released 1210 list come back into its book."""
        if not listed.stock_reserved:
            return
        original: InventoryList = parse_message(listed.body).documents[listed.doc_index]
        by_gnum = {item.gnum: item for item in original.items}
        lines = tuple(((original.ems_no, item.item_record_no or item.gcode), back.qty)
                      for back in refund.items for item in (by_gnum.get(back.gnum),) if item is not None)
        self.stock.take_back(lines, exited=bool(listed.exit_batch))

    def write_changes(self, out: TickOutput) -> None:
        """Move the books' changed lines into the tick's output."""
        out.stock.extend(self.stock.drain_changes())

    # --------------------------------------------------------------------------- operations

    def tally(self, ems_no: str, items: list[tuple[str, str, Decimal]]) -> WriteOp:
        """理货: goods counted into a book; the op to write before answering."""
        self.stock.tally(ems_no, items)
        return Store.upsert_stock(self.stock.drain_changes())

    def transfer(self, from_ems: str, to_ems: str, items: list[tuple[str, Decimal]]) -> WriteOp:
        """转区: available goods to another book (StockShort when the source lacks them)."""
        self.stock.transfer(from_ems, to_ems, items)
        return Store.upsert_stock(self.stock.drain_changes())

    def exit(self, ems_no: str, invt_nos: list[str], found: dict[str, FinishedList],
             channel: ExitChannel) -> tuple[str, WriteOp]:
        """出区 (or an offline channel): released lists of one book leave; all or none."""
        lines, doc_ids = [], []
        for index, invt_no in enumerate(invt_nos):
            field = f"invtNos[{index}]"
            listed = found.get(invt_no)
            if listed is None or listed.status != ReturnStatus.RELEASED or listed.closed:
                raise ExitRefused(field, f"{invt_no} is not a released list")
            if listed.exit_batch or listed.doc_id in doc_ids:
                raise ExitRefused(field, f"{invt_no} already left the zone ({listed.exit_batch or 'this batch'})")
            document: InventoryList = parse_message(listed.body).documents[listed.doc_index]
            if document.ems_no != ems_no:
                raise ExitRefused(field, f"{invt_no} draws on book {document.ems_no}, not {ems_no}")
            doc_ids.append(listed.doc_id)
            if listed.stock_reserved:
                lines.extend(lines_of(document))
        self.stock.leave(tuple(lines))
        batch = f"{channel.value.upper()}-{ems_no}-{next(self._batches):06d}"
        stock_op, mark_op = Store.upsert_stock(self.stock.drain_changes()), Store.mark_exited(doc_ids, batch)

        def op(conn) -> None:
            stock_op(conn)
            mark_op(conn)

        return batch, op

"""Follow-ups that change a parcel's course after it was declared: the carrier's signed-for status
(CEB513), the arrival of direct-mail parcels at the supervised site (CEB711, 运抵), the agent's
cancel before release (CEB623, 撤销) and the buyer's return after release (CEB625, 退货).

Cancel and return give the buyer's annual quota back; a return is accepted only for a released
list, within the return window (30 days, compressed with customs' time). Each answers with its
own receipts (CEB514/712/624/626): 2, then 120 (and 399 for an approved cancel or return), or 100
naming the rule and field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ceb.documents import ArrivalList, Document, InventoryCancel, InventoryReturn, WaybillStatus
from ceb.types import ReturnStatus
from mock_platform.ledger import Closure, TickOutput
from mock_platform.matching import Arrival
from mock_platform.receipts import outcome
from mock_platform.rules import Rule, Violation
from mock_platform.store import Store

if TYPE_CHECKING:
    from mock_platform.workflow import WorkflowEngine

SIGNED_FOR = "S"


class FollowUps:
    """Files follow-up documents for the engine."""

    def __init__(self, engine: WorkflowEngine) -> None:
        self._engine = engine
        self._returned: set[int] = set()  # lists returned since start (the database may lag a tick)

    @staticmethod
    def handles(document: Document) -> bool:
        """Whether `document` is a follow-up rather than a declaration of 三单对碰."""
        return isinstance(document, WaybillStatus | ArrivalList | InventoryCancel | InventoryReturn)

    @staticmethod
    def needs_lookup(arrival: Arrival) -> bool:
        """A return names a released list, which the engine no longer holds in memory."""
        return isinstance(arrival.document, InventoryReturn) and not arrival.looked_up

    @staticmethod
    def look_up(store: Store, inbox: list[Arrival]) -> list[Arrival]:
        """The inbox with each return's list read from the database (off the event loop)."""
        out = []
        for arrival in inbox:
            doc = arrival.document
            if FollowUps.needs_lookup(arrival):
                arrival = Arrival(arrival.doc_id, doc, arrival.receiver, arrival.received_at,
                                  finished=store.finished_list(doc.agent_code, doc.cop_no), looked_up=True)
            out.append(arrival)
        return out

    def file(self, arrival: Arrival, now: float, out: TickOutput) -> None:
        """Answer a follow-up and apply what it does."""
        doc = arrival.document
        violation = None
        if isinstance(doc, WaybillStatus):
            if doc.logistics_status != SIGNED_FOR:
                violation = Violation(Rule.WAYBILL_STATUS, "LogisticsStatus/logisticsStatus",
                                      f"logisticsStatus {doc.logistics_status!r}: only S (signed for) is reported")
        elif isinstance(doc, ArrivalList):
            self._arrived(doc, now, out)
        elif isinstance(doc, InventoryCancel):
            violation = self._cancel(doc, now, out)
        else:
            violation = self._return(arrival, now, out)
        self._engine.answer(arrival, outcome(doc, violation.return_info if violation else None,
                                             approved=isinstance(doc, InventoryCancel | InventoryReturn)), now, out)

    def _arrived(self, doc: ArrivalList, now: float, out: TickOutput) -> None:
        for item in doc.items:
            key = (doc.logistics_code, item.logistics_no)
            self._engine.ledger.note_arrival(key, now, out)
            self._engine.release_parked(key, now, out)

    def _cancel(self, doc: InventoryCancel, now: float, out: TickOutput) -> Violation | None:
        state = self._engine.ledger.find(doc.agent_code, doc.cop_no)
        if state is None:
            return Violation(Rule.CANCEL_WINDOW, "InvtCancel/copNo",
                             f"no list {doc.cop_no} of agent {doc.agent_code} awaiting release: "
                             "a released list is returned (CEB625), not cancelled")
        self._engine.withdraw(state, now, out, Closure.CANCELLED)
        return None

    def _return(self, arrival: Arrival, now: float, out: TickOutput) -> Violation | None:
        doc: InventoryReturn = arrival.document
        listed = arrival.finished
        field = "InvtRefundHead/copNo"
        if listed is None or listed.status != ReturnStatus.RELEASED or listed.closed or listed.doc_id in self._returned:
            return Violation(Rule.RETURN_WINDOW, field,
                             f"list {doc.cop_no} of agent {doc.agent_code} is not a released list "
                             "that can be returned")
        settings = self._engine.settings
        window_s = settings.return_window_s / settings.customs.compression
        if now - listed.updated_at > window_s:
            return Violation(Rule.RETURN_WINDOW, field,
                             f"released {now - listed.updated_at:.0f} s ago, past the return window "
                             f"of {window_s:g} s")
        self._returned.add(listed.doc_id)
        self._engine.ledger.give_back(listed.buyer_id, listed.year, listed.amount)
        self._engine.warehouse.take_back(listed, doc)
        out.closures.append((listed.doc_id, Closure.RETURNED.value, now))
        return None

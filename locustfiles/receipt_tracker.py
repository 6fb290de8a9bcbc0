"""The parties' receipt consumer logic: at-least-once, out-of-order receipts made sense of.

Real receipt consumers drop duplicates and ignore a receipt older (by `returnTime`) than the one
they hold (DOMAIN.md §3); so does this one. It also measures end-to-end business latency: inventory
list sent -> cleared (399), list sent -> released (800) and order sent -> released.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ceb.types import ReturnStatus
from locustfiles.results import new_histogram

_FINAL_STATUSES = frozenset(int(s) for s in ReturnStatus if s.is_final_for_inventory)
_EXPORT_FINAL = frozenset({int(ReturnStatus.CLOSED), int(ReturnStatus.REJECTED)})  # 899 after departure


@dataclass(slots=True)
class _ListState:
    parcel: int
    has_defect: bool
    sent_s: float
    status: int = 0
    return_time: str = ""


class ReceiptTracker:
    """Current status of every inventory list this generator sent, from the receipts it reads."""

    def __init__(self) -> None:
        self._lists: dict[str, _ListState] = {}
        self._orders_sent_s: dict[int, float] = {}
        self._mine: set[str] = set()  # guids of every document this process sent
        self._exports: dict[str, int] = {}  # export list guid -> newest status
        self._seen: set[tuple[str, int, str]] = set()
        self.by_status: Counter[int] = Counter()
        self.duplicates = 0
        self.stale = 0
        self.clearance = new_histogram()  # list sent -> released (800)
        self.declared_to_cleared = new_histogram()  # list sent -> cleared (399)
        self.order_to_release = new_histogram()  # order sent -> its list released

    def document_sent(self, document_guid: str) -> None:
        """A document of this process was accepted; only such documents' receipts are counted
        (other generator processes read the same parties' feeds)."""
        self._mine.add(document_guid)

    def order_sent(self, document_guid: str, parcel: int, sent_s: float) -> None:
        """The order of `parcel` was accepted; it was meant to be sent at `sent_s`."""
        self.document_sent(document_guid)
        self._orders_sent_s[parcel] = sent_s

    def list_sent(self, document_guid: str, parcel: int, has_defect: bool, sent_s: float) -> None:
        """An inventory list was accepted by the platform."""
        self.document_sent(document_guid)
        self._lists[document_guid] = _ListState(parcel, has_defect, sent_s)

    def export_list_sent(self, document_guid: str) -> None:
        """An export list was accepted: the run drains until it is closed (899) or rejected."""
        self.document_sent(document_guid)
        self._exports[document_guid] = 0

    def is_mine(self, guid: str) -> bool:
        """Whether this process sent the document `guid` names."""
        return guid in self._mine

    def observe(self, guid: str, return_status: int, return_time: str, seen_s: float) -> None:
        """One receipt as read from the feed, at `seen_s`."""
        if guid not in self._mine:
            return
        key = (guid, return_status, return_time)
        if key in self._seen:
            self.duplicates += 1
            return
        self._seen.add(key)
        self.by_status[return_status] += 1
        if guid in self._exports and return_status in _EXPORT_FINAL:
            self._exports[guid] = return_status
        state = self._lists.get(guid)
        if state is None:
            return
        if return_time < state.return_time:
            self.stale += 1
            return
        state.status, state.return_time = return_status, return_time
        if return_status == ReturnStatus.CLEARED:
            self.declared_to_cleared.record_value(max(1, int((seen_s - state.sent_s) * 1e6)))
        if return_status == ReturnStatus.RELEASED:
            self.clearance.record_value(max(1, int((seen_s - state.sent_s) * 1e6)))
            order_s = self._orders_sent_s.get(state.parcel)
            if order_s is not None:
                self.order_to_release.record_value(max(1, int((seen_s - order_s) * 1e6)))

    def status(self, guid: str) -> int:
        """The newest status of a list (0 when none has come)."""
        return self._lists[guid].status

    @property
    def outstanding(self) -> int:
        """Lists sent that have no final status yet."""
        return (sum(1 for s in self._lists.values() if s.status not in _FINAL_STATUSES)
                + sum(1 for status in self._exports.values() if status not in _EXPORT_FINAL))

    @property
    def clean_lists_sent(self) -> int:
        return sum(1 for s in self._lists.values() if not s.has_defect)

    @property
    def clean_released(self) -> int:
        return sum(1 for s in self._lists.values()
                   if not s.has_defect and s.status == ReturnStatus.RELEASED)

    @property
    def defect_lists_sent(self) -> int:
        return sum(1 for s in self._lists.values() if s.has_defect)

    @property
    def defect_rejected(self) -> int:
        return sum(1 for s in self._lists.values()
                   if s.has_defect and s.status == ReturnStatus.REJECTED)

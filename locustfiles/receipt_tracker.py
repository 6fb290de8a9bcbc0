"""The parties' receipt consumer logic: at-least-once, out-of-order receipts made sense of.

Real receipt consumers drop duplicates and ignore a receipt older (by `returnTime`) than the one
they hold (docs/domain.md, "Receipts and statuses"); so does this one. It also measures end-to-end business latency: inventory
list sent -> cleared (399), list sent -> released (800) and order sent -> released.

Memory stays in proportion to what is in flight, so a soak can run for days: a list is folded into
counters once final, duplicates are recognised within a window of recent receipts, and the
documents this process sent are remembered by their hash (a fifth of the guid's size).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass

from ceb.types import ReturnStatus
from locustfiles.results import new_histogram

_FINAL_STATUSES = frozenset(int(s) for s in ReturnStatus if s.is_final_for_inventory)
_EXPORT_FINAL = frozenset({int(ReturnStatus.CLOSED), int(ReturnStatus.REJECTED)})  # 899 after departure
# Receipts (and finished lists) remembered for duplicate and late-receipt checks: two generations
# of this many, about 100 MB at most; a platform repeats a receipt within minutes, not hours.
RECENT_WINDOW = 500_000


@dataclass(slots=True)
class _ListState:
    parcel: int
    has_defect: bool
    sent_s: float
    status: int = 0
    return_time: str = ""
    answered: bool = False  # a receipt of it was read


class _Recent:
    """A map that forgets: entries older than two generations of `size` entries drop out."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._new: dict[Hashable, object] = {}
        self._old: dict[Hashable, object] = {}

    def get(self, key: Hashable) -> object | None:
        found = self._new.get(key)
        return self._old.get(key) if found is None else found

    def put(self, key: Hashable, value: object) -> None:
        self._new[key] = value
        if len(self._new) >= self._size:
            self._old, self._new = self._new, {}


class ReceiptTracker:
    """The inventory lists this generator sent, as the receipts it reads tell: each one's status
    while in flight, then counted (released, rejected) once final."""

    def __init__(self, recent_window: int = RECENT_WINDOW, also_final: frozenset[int] = frozenset()) -> None:
        self._final = _FINAL_STATUSES | also_final  # statuses after which a list moves no further
        self._export_final = _EXPORT_FINAL | also_final
        self._lists: dict[str, _ListState] = {}  # lists without a final status
        self._finished = _Recent(recent_window)  # guid -> (final status, its returnTime)
        self._orders_sent_s: dict[int, float] = {}  # parcel -> its order's send time, until its list ends
        self._mine: set[int] = set()  # hash(guid) of every document this process sent
        self._exports: dict[str, int] = {}  # export lists not closed yet -> newest status
        self._seen = _Recent(recent_window)  # hash((guid, status, returnTime)) of recent receipts
        self.by_status: Counter[int] = Counter()
        self.duplicates = 0
        self.stale = 0
        self.clean_lists_sent = 0
        self.clean_released = 0
        self.defect_lists_sent = 0
        self.defect_rejected = 0
        self.clearance = new_histogram()  # list sent -> released (800)
        self.declared_to_cleared = new_histogram()  # list sent -> cleared (399)
        self.order_to_release = new_histogram()  # order sent -> its list released
        self.first_receipt = new_histogram()  # list sent -> its first receipt read

    def document_sent(self, document_guid: str) -> None:
        """A document of this process was accepted; only such documents' receipts are counted
        (other generator processes read the same parties' feeds)."""
        self._mine.add(hash(document_guid))

    def order_sent(self, document_guid: str, parcel: int, sent_s: float) -> None:
        """The order of `parcel` was accepted; it was meant to be sent at `sent_s`."""
        self.document_sent(document_guid)
        self._orders_sent_s[parcel] = sent_s

    def list_sent(self, document_guid: str, parcel: int, has_defect: bool, sent_s: float) -> None:
        """An inventory list was accepted by the platform (again: no change)."""
        if document_guid in self._lists:
            return
        self.document_sent(document_guid)
        self._lists[document_guid] = _ListState(parcel, has_defect, sent_s)
        if has_defect:
            self.defect_lists_sent += 1
        else:
            self.clean_lists_sent += 1

    def export_list_sent(self, document_guid: str) -> None:
        """An export list was accepted: the run drains until it is closed (899) or rejected."""
        self.document_sent(document_guid)
        self._exports[document_guid] = 0

    def is_mine(self, guid: str) -> bool:
        """Whether this process sent the document `guid` names."""
        return hash(guid) in self._mine

    def observe(self, guid: str, return_status: int, return_time: str, seen_s: float) -> None:
        """One receipt as read from the feed, at `seen_s`."""
        if hash(guid) not in self._mine:
            return
        key = hash((guid, return_status, return_time))
        if self._seen.get(key) is not None:
            self.duplicates += 1
            return
        self._seen.put(key, True)
        self.by_status[return_status] += 1
        if guid in self._exports and return_status in self._export_final:
            del self._exports[guid]
        state = self._lists.get(guid)
        if state is None:
            finished = self._finished.get(guid)
            if finished is not None and return_time < finished[1]:
                self.stale += 1
            return
        if return_time < state.return_time:
            self.stale += 1
            return
        state.status, state.return_time = return_status, return_time
        if not state.answered:
            state.answered = True
            self.first_receipt.record_value(max(1, int((seen_s - state.sent_s) * 1e6)))
        if return_status == ReturnStatus.CLEARED:
            self.declared_to_cleared.record_value(max(1, int((seen_s - state.sent_s) * 1e6)))
        if return_status == ReturnStatus.RELEASED:
            self.clearance.record_value(max(1, int((seen_s - state.sent_s) * 1e6)))
            order_s = self._orders_sent_s.get(state.parcel)
            if order_s is not None:
                self.order_to_release.record_value(max(1, int((seen_s - order_s) * 1e6)))
        if return_status in self._final:
            self._finish(guid, state)

    def _finish(self, guid: str, state: _ListState) -> None:
        """Fold a list that can move no further into the counters."""
        if state.has_defect and state.status == ReturnStatus.REJECTED:
            self.defect_rejected += 1
        elif not state.has_defect and state.status == ReturnStatus.RELEASED:
            self.clean_released += 1
        del self._lists[guid]
        self._orders_sent_s.pop(state.parcel, None)
        self._finished.put(guid, (state.status, state.return_time))

    def status(self, guid: str) -> int:
        """The newest status of a list (0 when none has come), while it is in flight or recently final."""
        state = self._lists.get(guid)
        if state is not None:
            return state.status
        finished = self._finished.get(guid)
        return 0 if finished is None else finished[0]

    @property
    def outstanding(self) -> int:
        """Lists sent that have no final status yet."""
        return len(self._lists) + len(self._exports)

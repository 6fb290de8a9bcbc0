"""The typed rows that pass between intake, the workflow engine and storage."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class IntakeOutcome(str, Enum):
    """What storing a message came to."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """The indexed columns of one document of an accepted message."""

    index: int
    guid: str
    order_no: str
    ebp_code: str


@dataclass(frozen=True, slots=True)
class IntakeRecord:
    """An accepted message as it is stored."""

    guid: str
    message_type: str
    content_hash: str
    sender: str
    received_at: float
    body: bytes
    documents: tuple[DocumentRow, ...]
    transport: str = "ceb-http"  # ceb.types.TransportKind
    dxp_id: str = ""  # the DXP id it was sent under (eport, dxp-folder): where its receipts can be pulled


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """The outcome of storing a message; `doc_ids` only when it was accepted."""

    outcome: IntakeOutcome
    doc_ids: tuple[int, ...]
    message_type: str
    documents: int


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """A receipt on its way into a receiver's feed."""

    receiver: str
    message_type: str
    guid: str
    return_status: int
    return_time: str
    return_info: str
    keys: tuple[tuple[str, str], ...]
    created_at: float


@dataclass(frozen=True, slots=True)
class InventoryUpdate:
    """A new status of an inventory list, and the next one customs has scheduled, if any."""

    doc_id: int
    agent_code: str
    cop_no: str
    buyer_id: str
    amount: Decimal
    year: int
    status: int
    pre_no: str
    invt_no: str
    declared_at: float
    next_status: int | None
    next_at: float | None
    at: float
    partners: tuple[int, ...] = ()  # document ids of the matched order, payment and waybill
    closed: str = ""  # "cancelled" or "returned" once a follow-up took the list out
    stock_reserved: bool = False  # a 1210 list holding stock in its account book
    trade_mode: str = ""


@dataclass(frozen=True, slots=True)
class FinishedList:
    """A list the engine no longer holds (released, rejected or closed), as a return needs it."""

    doc_id: int
    status: int
    closed: str
    buyer_id: str
    amount: Decimal
    year: int
    invt_no: str
    pre_no: str
    updated_at: float  # when it reached its status (for a release: the return window's start)
    stock_reserved: bool = False
    exit_batch: str = ""
    body: bytes = b""  # the message that declared it, and the list's place in it
    doc_index: int = 0


@dataclass(frozen=True, slots=True)
class PendingInventory:
    """A matched list still climbing the ladder, as the database holds it (for recovery)."""

    doc_id: int
    status: int
    next_status: int
    next_at: float
    pre_no: str
    invt_no: str
    buyer_id: str
    amount: Decimal
    year: int
    partners: tuple[int, ...]
    stock_reserved: bool = False


@dataclass(frozen=True, slots=True)
class UnsettledDocument:
    """A document the workflow had not finished with, and the message that carried it."""

    doc_id: int
    doc_index: int
    sender: str
    received_at: float
    message_guid: str
    body: bytes

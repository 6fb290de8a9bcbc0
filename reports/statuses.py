"""Receipt statuses by name: the report shows `800 放行 released`, not a bare 800.

The Chinese terms are the ones the customs receipts and the platforms' own screens use; the
English says what the status means for a parcel.
"""

from __future__ import annotations

from enum import Enum

from ceb.types import ReturnStatus


class Outcome(str, Enum):
    """How a status reads for the parcel: the report colours it so."""

    PROGRESS = "progress"  # on its way
    GOOD = "good"  # accepted, cleared, released
    HELD = "held"  # a person or an inspection holds it
    BAD = "bad"  # rejected, sent back, failed


_NAMES: dict[ReturnStatus, tuple[str, str, Outcome]] = {
    ReturnStatus.STORED: ("暂存", "stored", Outcome.PROGRESS),
    ReturnStatus.DECLARING: ("申报", "declaring", Outcome.PROGRESS),
    ReturnStatus.SENT_TO_CUSTOMS: ("发送海关成功", "sent to customs", Outcome.PROGRESS),
    ReturnStatus.SEND_FAILED: ("发送海关失败", "sending failed", Outcome.BAD),
    ReturnStatus.REJECTED: ("退单", "rejected", Outcome.BAD),
    ReturnStatus.ACCEPTED: ("入库", "accepted", Outcome.GOOD),
    ReturnStatus.MANUAL_REVIEW: ("人工审核", "manual review", Outcome.HELD),
    ReturnStatus.CLEARED: ("审结", "cleared", Outcome.GOOD),
    ReturnStatus.INSPECTION: ("查验", "inspection", Outcome.HELD),
    ReturnStatus.DETAINED_CLEARANCE: ("扣留移送通关", "detained: to clearance", Outcome.HELD),
    ReturnStatus.DETAINED_ANTI_SMUGGLING: ("扣留移送缉私", "detained: to anti-smuggling", Outcome.BAD),
    ReturnStatus.DETAINED_LEGAL: ("扣留移送法规", "detained: to legal", Outcome.BAD),
    ReturnStatus.DETAINED_OTHER: ("其他扣留", "detained: other", Outcome.HELD),
    ReturnStatus.RETURNED_ABROAD: ("退运", "returned abroad", Outcome.BAD),
    ReturnStatus.RELEASED: ("放行", "released", Outcome.GOOD),
    ReturnStatus.CLOSED: ("结关", "closed", Outcome.GOOD),
}


def status_name(code: str) -> tuple[str, str, Outcome]:
    """The Chinese term, the English meaning and the outcome of a `returnStatus` as the summary
    keys it; a negative code is a processing error, any other unknown one says so."""
    try:
        number = int(code)
    except ValueError:
        return "", "not a status", Outcome.BAD
    if number < 0:
        return "", "processing error", Outcome.BAD
    try:
        return _NAMES[ReturnStatus(number)]
    except ValueError:
        return "", "not a standard status", Outcome.BAD

"""Follow-ups in a scenario: which fraction of parcels sees a later document, and when.

After its inventory list an import parcel may be signed for (CEB513), reported arrived at the
supervised site (CEB711, direct mail only), and take one of three side paths: amended before
clearance (CEB621 with appType 2), cancelled (CEB623) or returned after release (CEB625). An
export parcel may be reported arrived at the port (CEB507), depart (CEB509) or be cancelled
(CEB605). Delays are real time after the list, compressed with the scenario's clock.
"""

from __future__ import annotations

import random
from enum import Enum

from ceb.types import MessageType


class FollowUpKind(str, Enum):
    """A later document of a parcel."""

    SIGNED_FOR = "signed_for"  # CEB513
    ARRIVAL = "arrival"  # CEB711 (9610)
    AMEND = "amend"  # CEB621, appType 2
    CANCEL = "cancel"  # CEB623 (export: CEB605)
    RETURN = "return"  # CEB625
    DEPARTURE = "departure"  # CEB509, export only (its arrival is CEB507)

    @property
    def message_type(self) -> MessageType:
        """The import message of this follow-up."""
        return {FollowUpKind.SIGNED_FOR: MessageType.WAYBILL_STATUS, FollowUpKind.ARRIVAL: MessageType.ARRIVAL,
                FollowUpKind.AMEND: MessageType.INVENTORY_LIST, FollowUpKind.CANCEL: MessageType.INVENTORY_CANCEL,
                FollowUpKind.RETURN: MessageType.INVENTORY_RETURN}[self]

    @property
    def export_message_type(self) -> MessageType | None:
        """The export message of this follow-up, if export has one."""
        return {FollowUpKind.ARRIVAL: MessageType.PORT_ARRIVAL, FollowUpKind.DEPARTURE: MessageType.DEPARTURE,
                FollowUpKind.CANCEL: MessageType.EXPORT_CANCEL}.get(self)


SIDE_PATHS = (FollowUpKind.AMEND, FollowUpKind.CANCEL, FollowUpKind.RETURN)  # at most one per parcel


def pick_followups(rng: random.Random, fractions: dict[FollowUpKind, float]) -> frozenset[FollowUpKind]:
    """A parcel's follow-ups: each independent kind by its fraction, at most one side path."""
    chosen = {kind for kind in (FollowUpKind.SIGNED_FOR, FollowUpKind.ARRIVAL, FollowUpKind.DEPARTURE)
              if kind in fractions and rng.random() < fractions[kind]}
    draw = rng.random()
    for kind in SIDE_PATHS:
        fraction = fractions.get(kind, 0.0)
        if draw < fraction:
            chosen.add(kind)
            break
        draw -= fraction
    return frozenset(chosen)

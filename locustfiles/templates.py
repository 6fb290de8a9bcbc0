"""Pre-rendered parcels: the load generator's hot path without XML building or fake-data drawing.

A pool of parcels is made and rendered once (faker, lxml). Each new parcel takes the next one in
the pool and swaps in its own identifiers (message and document guids, order, waybill, list and
payment numbers, and a fresh buyer identity number) by byte replacement: a few microseconds instead
of about 140 per message. Every document stays valid and consistent with its partners; names,
addresses and goods repeat with the pool's period, buyers' identity numbers with a larger one.
With a registry of test accounts, each parcel's buyer (name, ID type and number, telephone) is the
registry's next account, swapped in the same way.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from ceb.codec import render_message
from ceb.resident_id import make_id_number
from ceb.types import MessageType
from locustfiles.followups import followup_message
from locustfiles.identities import Buyer
from locustfiles.parcels import AREA_CODES, ParcelFactory, cop_number, parcel_keys
from scenarios.flows import FollowUpKind

# The buyer the templates of a registry run are made with: values that occur nowhere else in a
# message, so each becomes a placeholder for the account swapped in.
_PLACEHOLDER_BUYER = Buyer("PEAKLOADBUYERNAME", "PEAKLOADBUYERIDTYPE", "PEAKLOADBUYERNUMBER", "PEAKLOADBUYERTEL")


@dataclass(frozen=True, slots=True)
class RenderedParcel:
    """A parcel's messages as bytes, ready to send, with the guid of each message's document."""

    sequence: int
    bodies: dict[MessageType, bytes]
    document_guids: dict[MessageType, str]
    followup_bodies: dict[FollowUpKind, bytes]
    followup_guids: dict[FollowUpKind, str]
    keys: dict[str, str]  # the parcel's business keys (`parcels.parcel_keys`)


@dataclass(frozen=True, slots=True)
class _Template:
    # Each body as a bytes format string: `%(role)s` where an identifier stood, `%%` for `%`.
    formats: dict[MessageType, bytes]
    followups: dict[FollowUpKind, bytes]
    guid_roles: tuple[bytes, ...]  # the roles that take a fresh guid (messages and documents)


def _to_format(body: bytes, identifiers: dict[str, str]) -> bytes:
    """`body` with every identifier replaced by a `%(role)s` placeholder."""
    by_value = {value.encode(): role for role, value in identifiers.items()}
    pattern = re.compile(b"|".join(re.escape(v) for v in sorted(by_value, key=len, reverse=True)))
    return pattern.sub(lambda m: b"%(" + by_value[m.group()].encode() + b")s", body.replace(b"%", b"%%"))


class ParcelTemplates:
    """Makes rendered parcels from a pool of templates; identifiers unique per namespace."""

    def __init__(self, factory: ParcelFactory, now: dt.datetime, pool_size: int = 256,
                 buyers: int = 50_000, followups: frozenset[FollowUpKind] = frozenset()) -> None:
        self._factory = factory
        self._followups = followups
        self._declaring = factory.declaring
        # A registry run: each account's fields ready to swap in.
        self._registry = {buyer: buyer.xml_values() for buyer in self._declaring.buyers}
        self._namespace = factory.namespace
        self._rng = random.Random(f"templates/{factory.namespace}")
        self._date = f"{now:%y%m%d}"
        self._pool = [self._template(now) for _ in range(pool_size)]
        # Buyers cycle through a pool large enough that nobody nears the annual limit in a run
        # of up to a million parcels (CNY 26,000 a year is some 30 parcels each). Drawn now, before
        # the run's clock starts, not on the hot path.
        rng = self._rng
        self._buyers = [{b"buyer_id": make_id_number(rng.choice(AREA_CODES), dt.date(
                             rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                             rng.randint(0, 999)).encode()} for _ in range(buyers)] if not self._registry else []
        p = factory.parties
        self._party_codes = (p.platform.code, p.payment.code, p.logistics.code, p.agent.code)
        self._sequence = 0
        self._document_roles = tuple((mt, f"document/{mt.value}".encode()) for mt in self._pool[0].formats)

    def _template(self, now: dt.datetime) -> _Template:
        parcel = self._factory.make(now, buyer=_PLACEHOLDER_BUYER if self._registry else None)
        messages = parcel.messages(self._factory.parties, self._factory.guid)
        identifiers = {
            "order_no": parcel.order.order_no, "logistics_no": parcel.waybill.logistics_no,
            "cop_no": parcel.inventory_list.cop_no, "pay_transaction_id": parcel.order.pay_transaction_id,
            "bill_no": parcel.inventory_list.bill_no, "buyer_id": parcel.order.buyer_id_number,
        }
        if self._registry:
            identifiers.update(buyer_name=_PLACEHOLDER_BUYER.name, buyer_id_type=_PLACEHOLDER_BUYER.id_type,
                               buyer_tel=_PLACEHOLDER_BUYER.telephone)
        for message_type, message in messages.items():
            identifiers[f"message/{message_type.value}"] = message.guid
            identifiers[f"document/{message_type.value}"] = message.documents[0].head.guid
        later = {kind: followup_message(kind, parcel, self._factory.parties, self._factory.guid, now)
                 for kind in sorted(self._followups)}
        for kind, message in later.items():
            identifiers[f"message/{kind.value}"] = message.guid
            identifiers[f"document/{kind.value}"] = message.documents[0].head.guid
        return _Template({mt: _to_format(render_message(m), identifiers) for mt, m in messages.items()},
                         {kind: _to_format(render_message(m), identifiers) for kind, m in later.items()},
                         tuple(role.encode() for role in identifiers if "/" in role))

    def make(self, followups: frozenset[FollowUpKind] = frozenset()) -> RenderedParcel:
        """The next parcel: a pooled template with new identifiers, and the follow-ups asked for
        (of those the templates were made with)."""
        self._sequence += 1
        seq = self._sequence
        template = self._pool[seq % len(self._pool)]
        ns, guid = self._namespace, self._factory.guid
        order_no, logistics_no, cop_no = f"{ns}{self._date}T{seq:010d}", f"{ns}CQT{seq:010d}", cop_number(ns, seq, "T")
        pay_id = f"PAY{ns}T{seq:012d}"
        values = {  # the hot path: built as bytes, straight into the format strings
            b"order_no": order_no.encode(), b"logistics_no": logistics_no.encode(), b"cop_no": cop_no.encode(),
            b"pay_transaction_id": pay_id.encode(), b"bill_no": f"BL{ns}T{seq:08d}".encode(),
            **(self._registry[self._declaring.buyer(seq)] if self._registry else self._buyers[seq % len(self._buyers)]),
        }
        for role in template.guid_roles:
            values[role] = guid().encode()
        bodies = {mt: fmt % values for mt, fmt in template.formats.items()}
        later = {kind: template.followups[kind] % values for kind in followups} if followups else {}
        return RenderedParcel(seq, bodies, {mt: values[role].decode() for mt, role in self._document_roles},
                              later, {kind: values[f"document/{kind.value}".encode()].decode() for kind in followups},
                              parcel_keys(order_no, logistics_no, cop_no, pay_id, *self._party_codes))

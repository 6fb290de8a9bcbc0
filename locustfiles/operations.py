"""The run's periodic operations beside the parcels' declarations: the bonded warehouse tallies
stock into each 1210 channel's account book before the first list (so a platform that insists on
先理货，后报关 accepts them), moves stock to another book now and then (转区) and sends the lists this
process saw released out of the zone in exit batches (出区); export agents summarise their released
export lists (汇总申报, CEB701). Runs inside the generator's greenlets; its requests show in Locust's
statistics by name."""

from __future__ import annotations

import datetime as dt
import json
import itertools
import random
from collections import defaultdict
from collections.abc import Iterator


from ceb.codec import render_message
from ceb.export import ParcelRef, SummaryApplication
from ceb.heads import DeclarationHead
from ceb.types import MessageType, ReturnStatus, TradeMode
from locustfiles.followups import message_of
from locustfiles.parcels import CATALOGUE, GuidSource
from locustfiles.transports.base import OperationsChannel, ReceiptSeen
from scenarios.model import Channel, Scenario
from scenarios.parties import Parties

_BATCH_MAX = 1000  # the platform's limit of lists per exit or summary request


class Operations:
    """Tally at start; exit batches and export summaries as the run goes on."""

    def __init__(self, scenario: Scenario, namespace: str = "W00") -> None:
        self.bonded = scenario.bonded
        self.summary_every_s = scenario.export.summary_every_s
        # agent code -> the export channel it declares for
        self.exporters: dict[str, Channel] = {c.parties.agent.code: c for c in scenario.channels
                                              if c.direction == "export"}
        self._exported: dict[str, list[str]] = defaultdict(list)
        self._guid = GuidSource(random.Random(f"{namespace}/operations"))
        self._summaries = itertools.count(1)
        self._namespace = namespace
        # agent code -> account book of the 1210 channels this run declares
        self.books = {c.parties.agent.code: c.parties.ems_no for c in scenario.channels
                      if c.direction == "import" and c.trade_mode is TradeMode.BONDED}
        self._released: dict[str, list[str]] = defaultdict(list)
        bonded = bool(self.books) and (self.bonded.tally > 0 or self.bonded.exit_every_s is not None
                                       or self.bonded.transfer_every_s is not None)
        self.active = bonded or (bool(self.exporters) and self.summary_every_s is not None)  # any work at all

    def tally(self, channel: OperationsChannel) -> None:
        """Count `bonded.tally` units of every catalogue item into each book."""
        if self.bonded.tally <= 0:
            return
        items = [{"itemRecordNo": g.item_no, "gcode": g.gcode, "qty": self.bonded.tally} for g in CATALOGUE]
        for ems_no in sorted(set(self.books.values())):
            _post(channel, "/bonded/tally", 201, {"emsNo": ems_no, "areaCode": "generator", "items": items})

    def transfer(self, channel: OperationsChannel) -> None:
        """转区: move `transfer_qty` of every catalogue item from each book to `transfer_to`."""
        items = [{"itemRecordNo": g.item_no, "qty": self.bonded.transfer_qty} for g in CATALOGUE]
        for ems_no in sorted(set(self.books.values()) - {self.bonded.transfer_to}):
            _post(channel, "/bonded/transfer", 200,
                  {"fromEmsNo": ems_no, "toEmsNo": self.bonded.transfer_to, "items": items})

    def note(self, receipt: ReceiptSeen, mine: bool) -> None:
        """A receipt from a feed: remember this process's lists that were released."""
        if not mine or receipt.return_status != ReturnStatus.RELEASED:
            return
        receiver = receipt.receiver
        if receipt.receipt_type == MessageType.INVENTORY_LIST_RECEIPT.value and receiver in self.books:
            self._released[receiver].append(receipt.keys.get("invtNo", ""))
        elif receipt.receipt_type == MessageType.EXPORT_LIST_RECEIPT.value and receiver in self.exporters:
            self._exported[receiver].append(receipt.keys.get("invtNo", ""))

    def summarise_exported(self, channel: OperationsChannel) -> None:
        """One summary application (CEB701) per export agent of every list released since the last."""
        for agent, batch in _batches(self._exported):
            parties = self.exporters[agent].parties
            body = render_message(message_of(MessageType.SUMMARY_APPLICATION, self._summary(parties, batch),
                                             parties, self._guid()))
            channel.post("/ceb/messages", body, "application/xml; charset=utf-8", "CEB701", {202})

    def _summary(self, parties: Parties, invt_nos: list[str]) -> SummaryApplication:
        now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
        head = DeclarationHead(guid=self._guid(), app_type="1", app_time=now.strftime("%Y%m%d%H%M%S"), app_status="2")
        agent, seller = parties.agent, parties.platform
        return SummaryApplication(
            head=head, customs_code=parties.customs_code, cop_no=f"SUM{self._namespace}{next(self._summaries):08d}",
            agent_code=agent.code, agent_name=agent.name, ebc_code=seller.code, ebc_name=seller.name,
            decl_agent_code=agent.code, decl_agent_name=agent.name, summary_flag="1",
            items=tuple(ParcelRef(gnum=str(i), invt_no=n) for i, n in enumerate(invt_nos, start=1)))

    def exit_released(self, channel: OperationsChannel) -> None:
        """One exit batch per book of every list released since the last one."""
        for agent, batch in _batches(self._released):
            _post(channel, "/bonded/exit", 200,
                  {"emsNo": self.books[agent], "invtNos": batch, "mode": self.bonded.exit_mode})


def _batches(pending: dict[str, list[str]]) -> Iterator[tuple[str, list[str]]]:
    """Every agent's pending lists in batches of at most `_BATCH_MAX`, leaving nothing pending."""
    for agent, invt_nos in list(pending.items()):
        pending[agent] = []
        for start in range(0, len(invt_nos), _BATCH_MAX):
            yield agent, invt_nos[start:start + _BATCH_MAX]


def _post(channel: OperationsChannel, path: str, expected: int, document: dict) -> None:
    """POST a JSON document; anything but `expected` counts as a failure in Locust's statistics."""
    channel.post(path, json.dumps(document).encode(), "application/json", f"POST {path}", {expected})

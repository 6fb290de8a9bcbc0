"""The bonded warehouse operator of a run: tallies stock into each 1210 channel's account book
before the first list (so a platform that insists on 先理货，后报关 accepts them), and sends the lists
this process saw released out of the zone in exit batches (出区). Runs inside the generator's
greenlets; its requests show in Locust's statistics as `POST /bonded/...`."""

from __future__ import annotations

from collections import defaultdict

from locust.contrib.fasthttp import FastHttpSession

from ceb.types import MessageType, ReturnStatus, TradeMode
from locustfiles.parcels import CATALOGUE
from scenarios.model import Scenario

_EXIT_BATCH_MAX = 1000  # the platform's limit per exit request


class WarehouseOperator:
    """Tally at start; exit batches of released lists as the run goes on."""

    def __init__(self, scenario: Scenario) -> None:
        self.bonded = scenario.bonded
        # agent code -> account book of the 1210 channels this run declares
        self.books = {c.parties.agent.code: c.parties.ems_no for c in scenario.channels
                      if c.direction == "import" and c.trade_mode is TradeMode.BONDED}
        self._released: dict[str, list[str]] = defaultdict(list)
        self.exited = 0

    @property
    def active(self) -> bool:
        return bool(self.books) and (self.bonded.tally > 0 or self.bonded.exit_every_s is not None)

    def tally(self, session: FastHttpSession) -> None:
        """Count `bonded.tally` units of every catalogue item into each book."""
        if self.bonded.tally <= 0:
            return
        items = [{"itemRecordNo": g.item_no, "gcode": g.gcode, "qty": self.bonded.tally} for g in CATALOGUE]
        for ems_no in sorted(set(self.books.values())):
            with session.post("/bonded/tally", json={"emsNo": ems_no, "areaCode": "generator", "items": items},
                              name="POST /bonded/tally", catch_response=True) as response:
                if response.status_code != 201:
                    response.failure(f"tally: HTTP {response.status_code}")

    def note(self, receiver: str, receipt: dict, mine: bool) -> None:
        """A receipt from a feed: remember this process's lists that were released."""
        if (mine and receipt["messageType"] == MessageType.INVENTORY_LIST_RECEIPT.value
                and int(receipt["returnStatus"]) == ReturnStatus.RELEASED and receiver in self.books):
            self._released[receiver].append(receipt["keys"].get("invtNo", ""))

    def exit_released(self, session: FastHttpSession) -> None:
        """One exit batch per book of every list released since the last one."""
        for agent, invt_nos in list(self._released.items()):
            self._released[agent] = []
            for start in range(0, len(invt_nos), _EXIT_BATCH_MAX):
                batch = invt_nos[start:start + _EXIT_BATCH_MAX]
                with session.post("/bonded/exit", json={"emsNo": self.books[agent], "invtNos": batch,
                                                        "mode": self.bonded.exit_mode},
                                  name="POST /bonded/exit", catch_response=True) as response:
                    if response.status_code == 200:
                        self.exited += len(batch)
                    else:
                        response.failure(f"exit: HTTP {response.status_code} {response.text[:200]}")

"""The one interface between the generator and a platform: send a message, read receipts.

A transport (`ceb-http`, `eport`, `dxp-folder`) gives each sender a `MessageSender` and the receipt
consumer a `ReceiptFeed`; the open-model runtime knows nothing else about it. Every answer from the
platform is untrusted: a sender reduces it to a `Delivery`, a feed to `ReceiptSeen` and `Rejection`
values, and anything malformed becomes a named problem, never an exception in the run.

    Transport ── sender() ──> MessageSender.send(type, body) -> Delivery
              └─ receipt_feed() ──> ReceiptFeed.poll() -> FeedPage (receipts, rejections)
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from locust.contrib.fasthttp import LocustBadStatusCode
from locust.event import EventHook

from ceb.types import MessageType
from locustfiles.recorder import ACCEPTED


class Delivery(NamedTuple):
    """What became of one message: an HTTP-style status (202 accepted, 200 already held, 429
    throttled, another 4xx/5xx refused; None when no answer came) and the error text, if any."""

    status: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class ReceiptSeen:
    """One receipt read from the platform."""

    receipt_type: str  # e.g. "CEB622"
    guid: str  # the declared document's guid
    return_status: int
    return_time: str  # CEB yyyyMMddHHmmssfff
    receiver: str  # whose feed it came from (a copCode, or a DXP id)
    keys: dict[str, str] = field(default_factory=dict)  # invtNo, orderNo ... when the receipt has them
    info: str = ""  # returnInfo: what the platform says (a refusal's reason), up to 300 characters


@dataclass(frozen=True, slots=True)
class Rejection:
    """A message the platform refused after taking it (a folder transport's error receipt)."""

    message_type: str  # e.g. "CEB621"
    reason: str


@dataclass(frozen=True, slots=True)
class FeedPage:
    """What one poll of a feed found."""

    receipts: list[ReceiptSeen]
    rejections: list[Rejection] = field(default_factory=list)


class MessageSender(Protocol):
    """Hands messages to the platform, one at a time (one per Locust user)."""

    def send(self, message_type: MessageType, body: bytes, message_id: str) -> Delivery:
        """Deliver `body` (a CEB XML message, signed if the run signs) and say what became of it."""

    def close(self) -> None:
        """Release the sender's connection or files."""


class ReceiptFeed(Protocol):
    """Reads the platform's receipts; each poll is bounded in requests and time."""

    problems: Counter[str]  # what misbehaved in the feed, counted (named in the verdict)

    def poll(self) -> FeedPage:
        """The receipts (and rejections) that arrived since the last poll."""

    def close(self) -> None:
        """Release the feed's connection."""


class OperationsChannel(Protocol):
    """The platform's JSON operations beside the CEB messages (bonded tally, exits, transfers) and
    messages the run makes as it goes (export summaries): peakload's HTTP contract only."""

    def post(self, path: str, body: bytes, content_type: str, name: str, expected: set[int]) -> Delivery:
        """POST `body`; reported to Locust under `name`, a failure unless the status is expected."""


class Transport(Protocol):
    """A way to reach one platform."""

    name: str  # ceb-http, eport, dxp-folder
    latency_meaning: str  # what a message's latency measures on this transport (said in the report)

    def sender(self) -> MessageSender:
        """A new sender (each Locust user has its own)."""

    def receipt_feed(self, receivers: list[str], receipt_types: list[MessageType]) -> ReceiptFeed:
        """The feed of receipts addressed to `receivers` (the enterprises whose messages are sent),
        of `receipt_types` (for feeds pulled by type)."""

    def operations_channel(self) -> OperationsChannel | None:
        """Where the run's operations go, or None when the transport has no such channel."""

    def close(self) -> None:
        """Stop whatever the transport runs in the background."""


class RequestReporter:
    """Reports each delivery to Locust as FastHttpSession reports a request, so Locust's statistics,
    CSV files and the Prometheus exporter see every message whatever the transport."""

    def __init__(self, request_event: EventHook, request_type: str, url: str) -> None:
        self._fire = request_event.fire
        self.request_type = request_type
        self.url = url

    def report(self, name: str, started_wall: float, elapsed_s: float, length: int,
               delivery: Delivery, exception: BaseException | None = None,
               expected: frozenset[int] = ACCEPTED) -> None:
        if exception is None and delivery.status not in expected:
            exception = (LocustBadStatusCode(self.url, code=delivery.status) if delivery.status is not None
                         else ConnectionError(delivery.error or "no answer"))
        self._fire(request_type=self.request_type, name=name, response_time=elapsed_s * 1000,
                   response_length=length, exception=exception, context={}, url=self.url,
                   start_time=started_wall, response=None)


class Budget:
    """At most `rate` requests a second across every request of a feed (a token bucket of one
    second's worth), so a feed never floods a platform whatever its answers do."""

    def __init__(self, rate: float, clock=time.monotonic, sleep=time.sleep) -> None:
        self.rate = rate
        self._tokens = rate
        self._last = clock()
        self._clock, self._sleep = clock, sleep

    def take(self) -> None:
        """Wait (bounded by 1/rate) until a request may go."""
        now = self._clock()
        self._tokens = min(self.rate, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens < 1:
            self._sleep((1 - self._tokens) / self.rate)
            self._tokens = 1
            self._last = self._clock()
        self._tokens -= 1


CHINA = dt.timezone(dt.timedelta(hours=8))


def china_now() -> dt.datetime:
    """Now in China time (naive), as the CEB formats and the DXP envelope write times."""
    return dt.datetime.now(CHINA).replace(tzinfo=None)

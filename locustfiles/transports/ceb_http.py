"""`ceb-http`: peakload's own HTTP contract, the mock platform's (POST /ceb/messages, GET /ceb/receipts).

Latency is until the platform's HTTP answer: a 2xx means the message is durably received.
"""

from __future__ import annotations

import json
import time
from collections import Counter

from locust.event import EventHook

from ceb.dxp import DxpMessage, receiver_for, wrap
from ceb.types import MessageType
from locustfiles.transports.base import (ACCEPTED, Budget, Delivery, FeedPage, ReceiptSeen, RequestReporter,
                                         china_now)
from locustfiles.transports.http import Answer, HttpConnection, TargetAnswerError, refusal, timed_post
from targets.profile import RUN_HEADER, ReceiptPolling, TargetProfile

_MESSAGES = "/ceb/messages"
_RECEIPTS = "/ceb/receipts"


class CebHttpTransport:
    """peakload's HTTP contract."""

    name = "ceb-http"
    latency_meaning = "until the platform's HTTP answer to the POST (2xx: durably received)"

    def __init__(self, profile: TargetProfile, request_event: EventHook) -> None:
        assert profile.url is not None  # the profile's validation requires it for ceb-http
        self.profile = profile
        self._request_event = request_event
        self._headers = {RUN_HEADER: profile.id_tag or "untagged", **profile.header_values()}

    def _connection(self) -> HttpConnection:
        return HttpConnection(self.profile.url, self.profile.tls, self._headers, self.profile.request_timeout_s)

    def sender(self) -> CebHttpSender:
        return CebHttpSender(self._connection(), self._request_event, self.profile)

    def receipt_feed(self, receivers: list[str], receipt_types: list[MessageType]) -> CebHttpFeed:
        return CebHttpFeed(self._connection(), receivers, self.profile.receipts)

    def operations_channel(self) -> CebHttpOperations:
        return CebHttpOperations(self._connection(), self._request_event)

    def close(self) -> None:
        """Nothing runs in the background."""


class CebHttpOperations:
    """POSTs of the run's operations over their own connection (the receipt consumer's greenlet)."""

    def __init__(self, connection: HttpConnection, request_event: EventHook) -> None:
        self._connection = connection
        self._request_event = request_event

    def post(self, path: str, body: bytes, content_type: str, name: str, expected: set[int]) -> Delivery:
        reporter = RequestReporter(self._request_event, "POST", self._connection.url(path))
        return timed_post(self._connection, reporter, name, path, body, {"Content-Type": content_type},
                          lambda answer: Delivery(answer.status, None if answer.status in expected else
                                                  refusal(answer)), frozenset(expected))


class CebHttpSender:
    """POSTs each message (in a DxpMsg envelope when the profile asks) and reads the answer."""

    def __init__(self, connection: HttpConnection, request_event: EventHook, profile: TargetProfile) -> None:
        self._connection = connection
        self._reporter = RequestReporter(request_event, "POST", connection.url(_MESSAGES))
        self._envelope_sender = profile.dxp_id if profile.envelope else None
        self._headers = {"Content-Type": "application/xml; charset=utf-8"}

    def send(self, message_type: MessageType, body: bytes, message_id: str) -> Delivery:
        if self._envelope_sender is not None:
            body = wrap(DxpMessage(message_id, self._envelope_sender, (receiver_for(message_type),),
                                   china_now(), message_type.root_tag, body))
        return timed_post(self._connection, self._reporter, message_type.value, _MESSAGES, body, self._headers,
                          _delivered)

    def close(self) -> None:
        self._connection.close()


class CebHttpFeed:
    """Pages through each receiver's receipts after its cursor; every answer is checked, a feed that
    misbehaves is backed off and named (never followed without bound)."""

    def __init__(self, connection: HttpConnection, receivers: list[str], polling: ReceiptPolling) -> None:
        self._connection = connection
        self._cursors = {receiver: "" for receiver in receivers}
        self._polling = polling
        self._budget = Budget(polling.requests_per_s)
        self._backoff_until: dict[str, float] = {}
        self._backoff_s: dict[str, float] = {}
        self.problems: Counter[str] = Counter()

    def poll(self) -> FeedPage:
        receipts: list[ReceiptSeen] = []
        for receiver in self._cursors:
            if time.monotonic() < self._backoff_until.get(receiver, 0.0):
                continue
            problem = self._poll_receiver(receiver, receipts)
            if problem is None:
                self._backoff_s.pop(receiver, None)
                continue
            self.problems[problem] += 1
            pause = min(self._polling.max_backoff_s, 2 * self._backoff_s.get(receiver, self._polling.interval_s / 2))
            self._backoff_s[receiver] = pause
            self._backoff_until[receiver] = time.monotonic() + pause
        return FeedPage(receipts)

    def _poll_receiver(self, receiver: str, into: list[ReceiptSeen]) -> str | None:
        """Read up to `max_pages_per_poll` pages; the problem met, if any."""
        for _ in range(self._polling.max_pages_per_poll):
            cursor = self._cursors[receiver]
            query = f"?receiver={receiver}&limit={self._polling.page_size}" + (f"&after={cursor}" if cursor else "")
            self._budget.take()
            try:
                answer = self._connection.request("GET", _RECEIPTS + query)
            except TargetAnswerError as exc:
                return f"receipts feed gave no answer: {exc}"
            page = _page(answer)
            if isinstance(page, str):
                return page
            found, after = page
            if not found:
                return None
            if after == cursor:
                return "receipts feed did not advance its cursor (the same page again)"
            into.extend(ReceiptSeen(r["messageType"], r["guid"], r["returnStatus"], r["returnTime"], receiver,
                                    r["keys"], r["returnInfo"]) for r in found)
            self._cursors[receiver] = after
            if len(found) < self._polling.page_size:
                return None
        return None  # more may wait: the next poll goes on from the cursor

    def close(self) -> None:
        self._connection.close()


def _delivered(answer: Answer) -> Delivery:
    return Delivery(answer.status, None if answer.status in ACCEPTED else refusal(answer))


def _page(answer: Answer) -> tuple[list[dict], str] | str:
    """The receipts and next cursor of a feed answer, or why it cannot be used."""
    if answer.status != 200:
        return f"receipts feed answered {refusal(answer)[:120]}"
    if "json" not in answer.content_type:
        return f"receipts feed answered {answer.content_type or 'no content type'}, not JSON"
    try:
        document = json.loads(answer.body)
        found, after = document["receipts"], document["next"]
        if not isinstance(found, list) or not isinstance(after, str) or len(after) > 64:
            raise TypeError
        receipts = [_receipt(item) for item in found]
    except (ValueError, KeyError, TypeError):
        return "receipts feed answered JSON that is not a receipts page"
    return receipts, after


def _receipt(item: object) -> dict:
    if not isinstance(item, dict):
        raise TypeError
    keys = item.get("keys") or {}
    fields = (item["messageType"], item["guid"], item["returnTime"])
    if not all(isinstance(v, str) and len(v) <= 64 for v in fields) or not isinstance(keys, dict):
        raise TypeError
    info = item.get("returnInfo")
    return {"messageType": fields[0], "guid": fields[1], "returnTime": fields[2],
            "returnStatus": int(item["returnStatus"]), "returnInfo": info[:300] if isinstance(info, str) else "",
            "keys": {str(k)[:64]: str(v)[:64] for k, v in list(keys.items())[:20]}}

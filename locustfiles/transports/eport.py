"""`eport`: the e-port report channel. Each message goes as JSON whose body is the base64 of the
signed CEB XML (`POST /cebcmsg`); the bare answer `OK` means taken, anything else is a refusal.
Receipts are pulled per receipt type by DXP id and a time (`GET /ceb622msg?dxpid=...&qryid=...`),
asking again from a little before the last record seen because records can land late; the
overlap's repeats are dropped here.

Latency is until the platform's `OK`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, OrderedDict

from locust.event import EventHook

from ceb.dxp import receiver_for
from ceb.eport import ACCEPTED, REPORT_PATH, format_query_time, parse_records, receipt_path, wrap_report
from ceb.errors import CebFormatError
from ceb.types import MessageType
from locustfiles.transports.base import (CHINA, Budget, Delivery, FeedPage, ReceiptSeen, RequestReporter,
                                         china_now)
from locustfiles.transports.http import Answer, HttpConnection, TargetAnswerError, refusal, timed_post
from targets.profile import RUN_HEADER, ReceiptPolling, TargetProfile

_SEEN_WINDOW = 200_000  # receipts remembered to drop the overlap's repeats


class EportTransport:
    """The e-port HTTP report channel."""

    name = "eport"
    latency_meaning = "until the platform's answer to the POST (OK: taken)"

    def __init__(self, profile: TargetProfile, request_event: EventHook) -> None:
        assert profile.url is not None and profile.dxp_id is not None  # the profile's validation requires them
        self.profile = profile
        self._request_event = request_event
        self._headers = {RUN_HEADER: profile.id_tag or "untagged", **profile.header_values()}

    def _connection(self) -> HttpConnection:
        return HttpConnection(self.profile.url, self.profile.tls, self._headers, self.profile.request_timeout_s)

    def sender(self) -> EportSender:
        return EportSender(self._connection(), self._request_event, self.profile.dxp_id)

    def receipt_feed(self, receivers: list[str], receipt_types: list[MessageType]) -> EportFeed:
        return EportFeed(self._connection(), self.profile.dxp_id, receipt_types, self.profile.receipts)

    def operations_channel(self) -> None:
        """The report channel carries CEB messages only."""
        return None

    def close(self) -> None:
        """Nothing runs in the background."""


class EportSender:
    """Wraps each message in the report channel's JSON and POSTs it."""

    def __init__(self, connection: HttpConnection, request_event: EventHook, dxp_id: str) -> None:
        self._connection = connection
        self._reporter = RequestReporter(request_event, "POST", connection.url(REPORT_PATH))
        self._dxp_id = dxp_id
        self._headers = {"Content-Type": "application/json"}

    def send(self, message_type: MessageType, body: bytes, message_id: str) -> Delivery:
        report = wrap_report(body, message_type, self._dxp_id, receiver_for(message_type), china_now(), message_id)
        return timed_post(self._connection, self._reporter, message_type.value, REPORT_PATH, report, self._headers,
                          _delivered)

    def close(self) -> None:
        self._connection.close()


def _delivered(answer: Answer) -> Delivery:
    if answer.status == 200 and answer.body.strip() == ACCEPTED.encode():
        return Delivery(202, None)
    # The channel answers anything but OK on failure, often with HTTP 200.
    return Delivery(answer.status if answer.status != 200 else 400, refusal(answer))


class EportFeed:
    """Pulls every receipt type the run can get back, from a little before the last record seen."""

    def __init__(self, connection: HttpConnection, dxp_id: str, receipt_types: list[MessageType],
                 polling: ReceiptPolling) -> None:
        self._connection = connection
        self._dxp_id = dxp_id
        self._polling = polling
        self._budget = Budget(polling.requests_per_s)
        # From the run's start, less the overlap: records before it are not this run's.
        start_ms = int(time.time() * 1000)
        self._cursors = {receipt_type: start_ms for receipt_type in receipt_types}
        self._seen: OrderedDict[tuple[str, int, str], None] = OrderedDict()
        self.problems: Counter[str] = Counter()

    def poll(self) -> FeedPage:
        receipts: list[ReceiptSeen] = []
        for receipt_type in self._cursors:
            problem = self._poll_type(receipt_type, receipts)
            if problem is not None:
                self.problems[problem] += 1
        return FeedPage(receipts)

    def _poll_type(self, receipt_type: MessageType, into: list[ReceiptSeen]) -> str | None:
        # The first page asks again from a little before the last record seen; the pages after it
        # go on from the newest record of the page before.
        since_ms = self._cursors[receipt_type] - int(self._polling.eport_overlap_s * 1000)
        for _ in range(self._polling.max_pages_per_poll):
            since = format_query_time(dt.datetime.fromtimestamp(since_ms / 1000, CHINA))
            self._budget.take()
            try:
                answer = self._connection.request(
                    "GET", f"{receipt_path(receipt_type)}?dxpid={self._dxp_id}&qryid={since}")
            except TargetAnswerError as exc:
                return f"receipt pull gave no answer: {exc}"
            if answer.status != 200:
                return f"receipt pull answered {refusal(answer)[:120]}"
            try:
                records = parse_records(answer.body.decode("utf-8"), max_records=self._polling.page_size * 10,
                                        default_type=receipt_type)
            except (CebFormatError, UnicodeDecodeError) as exc:
                return f"receipt pull answered records that cannot be read: {str(exc)[:120]}"
            for record in records:
                key = (record.guid, record.return_status, record.return_time)
                if key not in self._seen:
                    self._remember(key)
                    into.append(ReceiptSeen(record.receipt_type.value, record.guid, record.return_status,
                                            record.return_time, self._dxp_id, info=record.return_info[:300]))
            newest = max((r.inserted_ms for r in records), default=since_ms)
            self._cursors[receipt_type] = max(self._cursors[receipt_type], newest)
            if len(records) < self._polling.page_size:
                return None
            if newest // 1000 <= since_ms // 1000:  # the query's resolution is a second
                return "receipt pull did not advance (a full page within one second)"
            since_ms = newest
        return None

    def _remember(self, key: tuple[str, int, str]) -> None:
        self._seen[key] = None
        if len(self._seen) > _SEEN_WINDOW:
            self._seen.popitem(last=False)

    def close(self) -> None:
        self._connection.close()

"""HTTP for the transports: one kept-alive connection, TLS as the profile says, bounded answers.

geventhttpclient's `HTTPClient` is used directly rather than Locust's FastHttpSession: its user agent
(URL parsing, header merging, cookies, redirects, a response wrapper) cost a third of a request's
CPU on the hot path, and it follows redirects, which would let a target send load or receipt polls
to a host nobody confirmed. Here a redirect is an answer like any other: refused, with its reason.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from geventhttpclient import HTTPClient
from locust.contrib.fasthttp import FAILURE_EXCEPTIONS

from locustfiles.transports.base import ACCEPTED, Delivery, RequestReporter
from locustfiles.urls import without_credentials
from targets.profile import TlsSettings
from targets.tls import client_context

MAX_ANSWER_BYTES = 8 * 1024 * 1024  # a receipts page of 1,000 receipts with their XML is ~3 MB
MAX_MESSAGE_ANSWER_BYTES = 64 * 1024  # the answer to one message: a status and a short JSON or text


class TargetAnswerError(Exception):
    """An answer that could not be read: no answer, too large, too slow."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    location: str | None  # a redirect's target, reported, never followed


class HttpConnection:
    """Requests to one base URL over one kept-alive connection (one caller at a time)."""

    def __init__(self, base_url: str, tls: TlsSettings, headers: dict[str, str], timeout_s: float) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"cannot reach {without_credentials(base_url)!r}: not an http(s) URL")
        self.base_path = parts.path.rstrip("/")
        self.origin = without_credentials(f"{parts.scheme}://{parts.netloc}")
        self.headers = dict(headers)
        if parts.username is not None:  # basic auth from the URL, as Locust takes it
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        self.timeout_s = timeout_s
        https = parts.scheme == "https"
        context = client_context(tls) if https else None

        def connect() -> HTTPClient:
            return HTTPClient(parts.hostname, parts.port, ssl=https,
                              ssl_context_factory=(lambda **_kw: context) if context is not None else None,
                              insecure=https and not tls.verify,
                              connection_timeout=timeout_s, network_timeout=timeout_s, concurrency=1)

        self._connect = connect
        self._client = connect()

    def url(self, path: str) -> str:
        """The URL of `path` as results and logs may show it (no credentials)."""
        return self.origin + self.base_path + path

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, max_bytes: int = MAX_ANSWER_BYTES) -> Answer:
        """One request; its answer read whole, up to `max_bytes`, within twice the timeout.
        TargetAnswerError when no usable answer came."""
        deadline = time.monotonic() + 2 * self.timeout_s
        try:
            response = self._client.request(method, self.base_path + path, body=body,
                                            headers={**self.headers, **(headers or {})})
            chunks, size = [], 0
            while chunk := response.read(65536):
                size += len(chunk)
                if size > max_bytes:
                    self._reset()
                    raise TargetAnswerError(f"answer larger than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    self._reset()
                    raise TargetAnswerError(f"answer took longer than {2 * self.timeout_s:.0f} s")
                chunks.append(chunk)
        except FAILURE_EXCEPTIONS as exc:
            self._reset()
            raise TargetAnswerError((str(exc) or type(exc).__name__)[:200]) from None
        return Answer(response.status_code, response.get("content-type", "") or "", b"".join(chunks),
                      response.get("location"))

    def _reset(self) -> None:
        # The rest of an oversized or endless answer is not wanted: a fresh connection next time.
        self._client.close()
        self._client = self._connect()

    def close(self) -> None:
        self._client.close()


def refusal(answer: Answer) -> str:
    """Why an answer that is not a success is refused, in a line a report can show."""
    if 300 <= answer.status < 400:
        return f"HTTP {answer.status}: redirects are not followed (to {without_credentials(answer.location or '?')})"
    text = answer.body[:200].decode("utf-8", "replace").strip()
    return text or f"HTTP {answer.status}"


def timed_post(connection: HttpConnection, reporter: RequestReporter, name: str, path: str, body: bytes,
               headers: dict[str, str], delivered: Callable[[Answer], Delivery],
               expected: frozenset[int] = ACCEPTED) -> Delivery:
    """POST `body`, reduce the answer to a Delivery with `delivered`, and report it to Locust
    under `name` (a failure unless its status is `expected`)."""
    started_wall, started = time.time(), time.perf_counter()
    length, exception = 0, None
    try:
        answer = connection.request("POST", path, body, headers, max_bytes=MAX_MESSAGE_ANSWER_BYTES)
        length = len(answer.body)
        delivery = delivered(answer)
    except TargetAnswerError as exc:
        delivery, exception = Delivery(None, str(exc)[:200]), exc
    reporter.report(name, started_wall, time.perf_counter() - started, length, delivery, exception, expected)
    return delivery

"""uvicorn's HTTP/1.1 connection (httptools) with the bounds it lacks on a request's head.

uvicorn reads a request line and headers of any size and number, for as long as the client takes,
before the application sees any of it: one request with 95 MiB of headers was read whole. A pure
ASGI check would come too late (the headers are in memory by then), and uvicorn's h11 protocol,
which bounds them, answers 400 in plain text and serves 20-35% fewer requests a second on this
platform. So the connection itself bounds the head, as it arrives:

- the request line and headers at most `limit_bytes` (431 `headers_too_large`): counted per read
  while the head is incomplete, and from the parsed values once it is; memory stays within the
  bound plus one read;
- at most `fields_max` header fields (431 `too_many_headers`);
- the head complete within `timeout_s` of the connection's start, or of the request's first byte
  on a kept-alive connection (408 `header_timeout`; a connection that sent nothing is closed);
- a request httptools cannot parse gets the platform's JSON error (400 `bad_http`), not text.

Each refusal is answered, then the connection's writing side is shut, and what the client still
sends is read and dropped for up to `LINGER_S` before the connection closes: a connection closed
with unread data is reset, and a reset can destroy the answer before the client reads it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_platform.errors import PlatformError

LINGER_S = 2.0


@dataclass(frozen=True, slots=True)
class HeadBounds:
    """What one request's line and headers may be."""

    limit_bytes: int
    fields_max: int
    timeout_s: float


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """A connection whose request heads are bounded in size, field count and time.

    Use with `uvicorn.Config(http=functools.partial(BoundedHttpToolsProtocol, bounds=...))`."""

    def __init__(self, *args: Any, bounds: HeadBounds, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bounds = bounds
        self._in_head = False
        self._head_read = 0  # bytes read while the head was incomplete
        self._head_parsed = 0  # bytes of the request target and header fields parsed
        self._fields = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._refusal: PlatformError | None = None
        self._refused = False

    # The connection
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(self.bounds.timeout_s, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # lingering: dropped unread
        super().data_received(data)
        if self._in_head and not self._refused and not self.transport.is_closing():
            self._head_read += len(data)
            if self._head_read > self.bounds.limit_bytes:
                self._refuse(self._too_large())

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request it cannot parse, which a refusal raised in a parser
        callback also comes to."""
        self._refuse(self._refusal or PlatformError(400, "bad_http", "the request is not valid HTTP/1.1"))

    # Parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_read = self._head_parsed = self._fields = 0
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.bounds.timeout_s, self._head_timed_out)

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields += 1
        if self._fields > self.bounds.fields_max:
            self._refusal = PlatformError(431, "too_many_headers",
                                          f"more than {self.bounds.fields_max} header fields")
            raise self._refusal
        self._count(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._stop_head_timer()
        super().on_headers_complete()

    # Bounds
    def _count(self, size: int) -> None:
        self._head_parsed += size
        if self._head_parsed > self.bounds.limit_bytes:
            self._refusal = self._too_large()
            raise self._refusal  # httptools reports it as a parse error: send_400_response answers

    def _too_large(self) -> PlatformError:
        return PlatformError(431, "headers_too_large",
                             f"request line and headers exceed {self.bounds.limit_bytes} bytes")

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._refused or self.transport.is_closing():
            return
        if not self._in_head:  # nothing sent since the connection opened
            self.transport.close()
            return
        self._refuse(PlatformError(408, "header_timeout",
                                   f"the request's headers did not arrive within {self.bounds.timeout_s:g} s"))

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, error: PlatformError) -> None:
        """Answer `error` (unless another answer is being written), then linger and close."""
        self._stop_head_timer()
        self._refused = True
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()
            return
        self.transport.write(_raw_response(error, self.server_state.default_headers))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_S, self.transport.close)


def _raw_response(error: PlatformError, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    body = json.dumps(error.body(), ensure_ascii=False, separators=(",", ":")).encode()
    lines = [f"HTTP/1.1 {error.status} {HTTPStatus(error.status).phrase}".encode(),
             *(name + b": " + value for name, value in default_headers),
             b"content-type: application/json", b"content-length: " + str(len(body)).encode(),
             b"connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body

"""Bounds on every request body, on every endpoint, enforced while the body is read.

`BodyBounds` wraps each request's ASGI `receive`, so no endpoint can read a body unbounded:

- at most `limit_bytes` (413 `body_too_large`; a larger declared Content-Length is refused at the
  first read, before any of it is taken);
- all of it within `timeout_s` of the endpoint's first read (408 `body_timeout`);
- bodies held at once, by all requests together, at most the `BodyBudget` (503 `overloaded`,
  Retry-After 1): what many large, stalled senders can make the platform hold. A client that
  trickles its body holds only the bytes it has sent, so slow clients cannot use it up.

The refusals are PlatformErrors raised from `receive`: the endpoint, or the app's exception
handlers, answer them. An answer sent before the body was read to its end (a refusal, or an
endpoint that reads no body) closes the connection, so an unread body is never read on.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_platform.errors import PlatformError

_CLOSE = (b"connection", b"close")


class BodyBudget:
    """Bytes of request bodies the platform holds at once."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        self.held = 0

    def take(self, size: int) -> bool:
        """Hold `size` more bytes if the budget allows."""
        if self.held + size > self.limit_bytes:
            return False
        self.held += size
        return True

    def give_back(self, size: int) -> None:
        self.held -= size


class BodyBounds:
    """Pure ASGI middleware: every body bounded in size and time, and by the shared budget."""

    def __init__(self, app: ASGIApp, limit_bytes: int, timeout_s: float, budget: BodyBudget) -> None:
        self.app = app
        self.limit_bytes = limit_bytes
        self.timeout_s = timeout_s
        self.budget = budget

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = _Body(self, scope, receive, send)
        try:
            await self.app(scope, body.receive, body.send)
        finally:
            self.budget.give_back(body.held)


class _Body:
    """One request's body as it is read."""

    __slots__ = ("bounds", "declared", "done", "read", "held", "deadline", "_receive", "_send")

    def __init__(self, bounds: BodyBounds, scope: Scope, receive: Receive, send: Send) -> None:
        self.bounds = bounds
        self.declared = 0
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit():
                self.declared = int(value)
            elif name == b"transfer-encoding":
                chunked = True
        self.done = not chunked and self.declared == 0  # nothing (left) to read
        self.read = self.held = 0
        self.deadline: float | None = None
        self._receive = receive
        self._send = send

    async def receive(self) -> Message:
        if self.done:  # a body read to its end; what follows is the disconnect
            return await self._receive()
        limit = self.bounds.limit_bytes
        if self.deadline is None:
            if self.declared > limit:
                raise PlatformError(413, "body_too_large", f"body of {self.declared} bytes exceeds {limit}")
            self.deadline = asyncio.get_running_loop().time() + self.bounds.timeout_s
        try:
            async with asyncio.timeout_at(self.deadline):  # a scope, not wait_for: no task per read
                message = await self._receive()
        except TimeoutError:
            raise PlatformError(408, "body_timeout",
                                f"the body did not arrive within {self.bounds.timeout_s:g} s") from None
        if message["type"] == "http.request":
            size = len(message.get("body", b""))
            self.read += size
            if self.read > limit:
                raise PlatformError(413, "body_too_large", f"body exceeds {limit} bytes")
            if not self.bounds.budget.take(size):
                raise PlatformError(503, "overloaded", "too many request bodies in progress", retry_after_s=1)
            self.held += size
            self.done = not message.get("more_body", False)
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start" and not self.done:
            message = {**message, "headers": [*message.get("headers", ()), _CLOSE]}
        await self._send(message)

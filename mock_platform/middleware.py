"""Pure ASGI middleware of the mock platform."""

from __future__ import annotations

import asyncio
import time

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_platform.faults import FaultBook
from mock_platform.metrics import PlatformMetrics


class FaultInjectionMiddleware:
    """Injected latency, stalls and errors on the CEB endpoints (`/ceb/...`), per the fault book.
    An injected error on intake is counted in the intake metrics like any other answer: a real
    platform's 500 shows in its own metrics, and the alerts must see it."""

    def __init__(self, app: ASGIApp, faults: FaultBook, metrics: PlatformMetrics) -> None:
        self.app = app
        self.faults = faults
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/ceb/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        delay = self.faults.request_delay_s()
        if delay > 0:
            await asyncio.sleep(delay)
        if self.faults.should_fail():
            response = JSONResponse({"error": "injected_fault", "detail": "error injected by /admin/faults"},
                                    status_code=500)
            await response(scope, receive, send)
            if scope["path"] == "/ceb/messages":
                self.metrics.child(self.metrics.intake_messages, "unknown", "injected_fault").inc()
                self.metrics.child(self.metrics.intake_seconds, "unknown").observe(time.perf_counter() - started)
            return
        await self.app(scope, receive, send)

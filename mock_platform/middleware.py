"""Pure ASGI middleware of the mock platform."""

from __future__ import annotations

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_platform.faults import FaultBook


class FaultInjectionMiddleware:
    """Injected latency, stalls and errors on the CEB endpoints (`/ceb/...`), per the fault book."""

    def __init__(self, app: ASGIApp, faults: FaultBook) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/ceb/"):
            await self.app(scope, receive, send)
            return
        delay = self.faults.request_delay_s()
        if delay > 0:
            await asyncio.sleep(delay)
        if self.faults.should_fail():
            response = JSONResponse({"error": "injected_fault", "detail": "error injected by /admin/faults"},
                                    status_code=500)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

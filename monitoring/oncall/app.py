"""The on-call receiver's ASGI app, built by `create_app`: the webhook, acknowledgements, the page
log, and an escalation loop the lifespan owns."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as HttpRoute

from monitoring.oncall.model import ResponseTargets, Route, WebhookNotification, due_for_escalation
from monitoring.oncall.store import PageStore

log = logging.getLogger("peakload.oncall")


async def receive_alerts(request: Request) -> Response:
    """Alertmanager's webhook: firing alerts become pages, resolved ones close them."""
    try:
        route = Route(request.query_params.get("route", Route.PAGE.value))
        notification = WebhookNotification.model_validate_json(await request.body())
    except (ValueError, ValidationError) as exc:
        return JSONResponse({"error": "bad_notification", "detail": str(exc)}, status_code=400)
    store: PageStore = request.app.state.store
    now = request.app.state.clock()
    for alert in notification.alerts:
        if alert.status == "firing":
            store.firing(alert.fingerprint, alert.labels.get("alertname", "?"),
                         alert.labels.get("severity", "?"), route, now)
        else:
            store.resolved(alert.fingerprint, now)
    return JSONResponse({"received": len(notification.alerts)})


async def acknowledge(request: Request) -> Response:
    """The on-call engineer takes the page."""
    who = request.query_params.get("by", "on-call")
    done = request.app.state.store.acknowledge(request.path_params["fingerprint"], who,
                                               request.app.state.clock())
    return JSONResponse({"acknowledged": done}, status_code=200 if done else 404)


async def pages(request: Request) -> Response:
    """Every page with its timeline."""
    return JSONResponse({"pages": [p.as_json() for p in request.app.state.store.all()]})


async def _escalate_forever(app: Starlette, interval_s: float) -> None:
    state = app.state
    while True:
        now = state.clock()
        for page in state.store.all():
            if due_for_escalation(page, state.targets, now):
                state.store.escalated(page.fingerprint, now)
                log.warning("escalating %s (%s) to the secondary on-call", page.alertname, page.fingerprint)
                if state.secondary_url:
                    with contextlib.suppress(httpx.HTTPError):
                        async with httpx.AsyncClient(timeout=5) as client:
                            await client.post(state.secondary_url, json=page.as_json())
        await asyncio.sleep(interval_s)


def create_app(db: Path, targets: ResponseTargets, secondary_url: str | None = None,
               interval_s: float = 1.0, clock: Callable[[], float] = time.time) -> Starlette:
    """The receiver, recording into `db`, escalating after `targets`."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_escalate_forever(app, interval_s))
        try:
            yield
        finally:
            task.cancel()

    app = Starlette(routes=[HttpRoute("/alerts", receive_alerts, methods=["POST"]),
                            HttpRoute("/pages", pages, methods=["GET"]),
                            HttpRoute("/pages/{fingerprint}/ack", acknowledge, methods=["POST"])],
                    lifespan=lifespan)
    app.state.store = PageStore(db)
    app.state.targets = targets
    app.state.secondary_url = secondary_url
    app.state.clock = clock
    return app

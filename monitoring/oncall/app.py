"""The on-call receiver's ASGI app, built by `create_app`: the webhook, acknowledgements (JSON API
and the page's form), the page log as JSON and HTML, and an escalation loop the lifespan owns."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urljoin

import httpx
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as HttpRoute

from monitoring.oncall.model import (Page, ResponseTargets, Route, WebhookNotification, acknowledger,
                                     due_for_escalation)
from monitoring.oncall.runbooks import runbook_link
from monitoring.oncall.store import PageStore
from monitoring.oncall.web import acknowledge_form, is_form, pages_page, runbook_page

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
            store.firing(Page(alert.fingerprint, alert.labels.get("alertname", "?"),
                              alert.labels.get("severity", "?"), route, now,
                              summary=alert.annotations.get("summary", ""),
                              runbook=alert.annotations.get("runbook_url", "")))
        else:
            store.resolved(alert.fingerprint, now)
    return JSONResponse({"received": len(notification.alerts)})


async def acknowledge(request: Request) -> Response:
    """The on-call engineer takes the page: `?by=NAME` (JSON answer) or the page's form."""
    if is_form(request):
        return await acknowledge_form(request)
    try:
        who = acknowledger(request.query_params.get("by", "on-call"))
    except ValueError as exc:
        return JSONResponse({"error": "bad_name", "detail": str(exc)}, status_code=400)
    done = request.app.state.store.acknowledge(request.path_params["fingerprint"], who,
                                               request.app.state.clock())
    return JSONResponse({"acknowledged": done}, status_code=200 if done else 404)


def _record(page: Page, base_url: str) -> dict[str, object]:
    link = runbook_link(page.runbook)
    return page.as_json(None if link is None else urljoin(base_url, link))


async def pages(request: Request) -> Response:
    """Every page with its timeline."""
    base = str(request.base_url)
    return JSONResponse({"pages": [_record(p, base) for p in request.app.state.store.all()]})


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
                            await client.post(state.secondary_url, json=_record(page, state.public_url))
        await asyncio.sleep(interval_s)


def create_app(db: Path, targets: ResponseTargets, secondary_url: str | None = None,
               interval_s: float = 1.0, clock: Callable[[], float] = time.time,
               public_url: str = "") -> Starlette:
    """The receiver, recording into `db`, escalating after `targets`; `public_url` (where people
    reach it) makes the runbook links it sends the secondary absolute."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_escalate_forever(app, interval_s))
        try:
            yield
        finally:
            task.cancel()

    app = Starlette(routes=[HttpRoute("/", pages_page, methods=["GET"]),
                            HttpRoute("/alerts", receive_alerts, methods=["POST"]),
                            HttpRoute("/pages", pages, methods=["GET"]),
                            HttpRoute("/pages/{fingerprint}/ack", acknowledge, methods=["POST"]),
                            HttpRoute("/runbooks/{name}", runbook_page, methods=["GET"])],
                    lifespan=lifespan)
    app.state.store = PageStore(db)
    app.state.targets = targets
    app.state.secondary_url = secondary_url
    app.state.clock = clock
    app.state.public_url = public_url
    return app

"""The mock platform's ASGI application, built by `create_app(settings)`.

The lifespan owns every resource: it opens storage and the group-commit writer, starts the workflow
engine (and the folder transport's watcher), marks the app ready, and on shutdown stops taking
messages, lets the engine write its last tick and commits what is queued before closing. The
transports served are the settings' (`ceb-http` by default; `eport`; `dxp-folder`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.middleware import Middleware
from starlette.routing import Route

from ceb.codec import render_receipts
from ceb.documents import Receipt
from ceb.eport import REPORT_PATH
from ceb.types import MessageType, TransportKind
from mock_platform import admin, bonded_api, eport_api, queries
from mock_platform.openapi import OPENAPI
from mock_platform.admission import Admission
from mock_platform.backends import backend_for
from mock_platform.bodies import BodyBounds, BodyBudget
from mock_platform.errors import EXCEPTION_HANDLERS
from mock_platform.dxp_folder import FolderTransport
from mock_platform.faults import FaultBook
from mock_platform.intake import MessageIntake
from mock_platform.metrics import LiveStateCollector, build_metrics
from mock_platform.middleware import FaultInjectionMiddleware
from mock_platform.params import ReceiptsParams, parse_params
from mock_platform.receipts import RECEIPT_NODE_NAMES
from mock_platform.settings import Settings
from mock_platform.signatures import SignatureCheck
from mock_platform.store import ReceiptRow, Store
from mock_platform.workflow import WorkflowEngine
from mock_platform.writer import GroupCommitWriter


async def healthz(request: Request) -> Response:
    """200 while the process runs."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """200 once storage and workers are up, 503 otherwise."""
    if request.app.state.ready:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "not ready"}, status_code=503)


async def openapi(request: Request) -> Response:
    """The OpenAPI document of the JSON endpoints."""
    return JSONResponse(OPENAPI)


async def metrics(request: Request) -> Response:
    """Prometheus text exposition of the platform's registry."""
    return Response(generate_latest(request.app.state.metrics.registry),
                    media_type=CONTENT_TYPE_LATEST)


def _receipt_json(row: ReceiptRow) -> dict[str, object]:
    receipt = Receipt(MessageType(row.message_type), row.guid, row.return_status, row.return_time,
                      row.return_info, tuple(row.keys.items()))
    xml = render_receipts(receipt.message_type, RECEIPT_NODE_NAMES[row.message_type], row.guid,
                          [receipt])
    return {"cursor": str(row.cursor), "messageType": row.message_type, "guid": row.guid,
            "returnStatus": row.return_status, "returnTime": row.return_time,
            "returnInfo": row.return_info, "keys": row.keys, "xml": xml.decode("utf-8")}


async def get_receipts(request: Request) -> Response:
    """The receipts addressed to one enterprise, oldest first, after a cursor."""
    params = parse_params(request, ReceiptsParams)
    receiver, cursor = params.receiver, params.after
    page_max = request.app.state.settings.receipt_page_max
    limit = min(params.limit or page_max, page_max)
    visible_before = time.time() - request.app.state.faults.receipt_delay_s()
    rows = await run_in_threadpool(request.app.state.store.receipts_after, receiver, cursor, limit,
                                   visible_before)
    receipts = [_receipt_json(row) for row in rows]
    return JSONResponse({"receipts": receipts, "next": receipts[-1]["cursor"] if receipts else str(cursor)})


def create_app(settings: Settings) -> Starlette:
    """Build the mock platform for `settings`."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = app.state
        state.ready = False
        await state.writer.start()
        await state.engine.start(state.store)
        if state.folder is not None:
            await state.folder.start()
        state.ready = True
        state.metrics.ready.set(1)
        try:
            yield
        finally:
            state.ready = False
            state.metrics.ready.set(0)
            if state.folder is not None:
                await state.folder.stop()
            await state.engine.stop()
            await state.writer.close()

    faults = FaultBook(seed=settings.seed)
    platform_metrics = build_metrics()
    app = Starlette(
        middleware=[Middleware(BodyBounds, limit_bytes=settings.body_limit_bytes, timeout_s=settings.body_timeout_s,
                               budget=BodyBudget(settings.body_budget_bytes)),
                    Middleware(FaultInjectionMiddleware, faults=faults, metrics=platform_metrics)],
        exception_handlers=EXCEPTION_HANDLERS,
        routes=[
            *_transport_routes(settings.transports),
            Route("/ceb/inventories/{cop_no}", queries.get_inventory, methods=["GET"]),
            Route("/ceb/orders/{ebp_code}/{order_no}", queries.get_order, methods=["GET"]),
            Route("/stats/daily", queries.daily_stats, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
            Route("/admin/faults", admin.faults, methods=["GET", "POST", "DELETE"]),
            Route("/bonded/tally", bonded_api.tally, methods=["POST"]),
            Route("/bonded/transfer", bonded_api.transfer, methods=["POST"]),
            Route("/bonded/exit", bonded_api.exit_batch, methods=["POST"]),
            Route("/bonded/stock/{ems_no}", bonded_api.stock, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.ready = False
    app.state.faults = faults
    app.state.admission = Admission(settings.capacity_msgs_per_s, settings.queue_limit,
                                    faults.capacity_cap)
    app.state.metrics = platform_metrics
    app.state.store = Store(backend_for(settings.database, settings.sqlite_synchronous))
    app.state.writer = GroupCommitWriter(app.state.store, app.state.metrics, settings.commit_batch_max,
                                         faults.storage_delay_s)
    app.state.engine = WorkflowEngine(settings, app.state.writer, app.state.metrics,
                                      lose_receipt=faults.lose_receipt)
    app.state.metrics.registry.register(
        LiveStateCollector(app.state.admission, faults, app.state.writer))
    app.state.signatures = SignatureCheck.from_files(settings.trust)
    app.state.folder = (FolderTransport(settings.dxp_root, app.state)
                        if TransportKind.DXP_FOLDER in settings.transports else None)
    return app


def _transport_routes(transports: frozenset[TransportKind]) -> list[Route]:
    """The endpoints of the HTTP transports served (the folder transport has none)."""
    routes = []
    if TransportKind.CEB_HTTP in transports:
        routes += [Route("/ceb/messages", MessageIntake(), methods=["POST"]),
                   Route("/ceb/receipts", get_receipts, methods=["GET"])]
    if TransportKind.EPORT in transports:
        routes += [Route(REPORT_PATH, eport_api.report, methods=["POST"]),
                   Route("/ceb{code:int}msg", eport_api.pull, methods=["GET"])]
    return routes

"""Query endpoints over the platform's own tables: an inventory list's history, an order with its
partners' state, and the day's statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_platform.errors import PlatformError, code_param
from mock_platform.receipts import CHINA_TIME
from mock_platform.stats import daily, day_bounds


async def get_inventory(request: Request) -> Response:
    """`GET /ceb/inventories/{copNo}?agentCode=`: one inventory list's status and history."""
    return await _look_up(request.app.state.store.inventory, "inventory list",
                          agentCode=request.query_params.get("agentCode"), copNo=request.path_params["cop_no"])


async def get_order(request: Request) -> Response:
    """`GET /ceb/orders/{ebpCode}/{orderNo}`: the order and the match state of its documents."""
    return await _look_up(request.app.state.store.order, "order",
                          ebpCode=request.path_params["ebp_code"], orderNo=request.path_params["order_no"])


async def _look_up(find: Callable[..., dict | None], what: str, **codes: str | None) -> Response:
    """Check the codes that name a record, then find it (400, 404 or the record as JSON)."""
    try:
        values = [code_param(name, raw) for name, raw in codes.items()]
    except PlatformError as exc:
        return exc.response()
    found = await run_in_threadpool(find, *values)
    if found is None:
        return PlatformError(404, "not_found", f"no such {what}").response()
    return JSONResponse(found)


async def daily_stats(request: Request) -> Response:
    """`GET /stats/daily?date=YYYYMMDD` (default: today, China time)."""
    date = request.query_params.get("date") or dt.datetime.now(CHINA_TIME).strftime("%Y%m%d")
    try:
        start, end = day_bounds(date)
    except ValueError:
        return PlatformError(400, "bad_parameter", f"date {date!r} is not YYYYMMDD", "date").response()
    rows = await run_in_threadpool(request.app.state.store.day, start, end)
    return JSONResponse(daily(date, rows))

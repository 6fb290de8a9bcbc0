"""Query endpoints over the platform's own tables: an inventory list's history, an order with its
partners' state, and the day's statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_platform.errors import PlatformError
from mock_platform.params import DailyParams, InventoryParams, OrderParams, parse_params
from mock_platform.receipts import CHINA_TIME
from mock_platform.stats import daily, day_bounds


async def get_inventory(request: Request) -> Response:
    """`GET /ceb/inventories/{copNo}?agentCode=`: one inventory list's status and history."""
    params = parse_params(request, InventoryParams)
    return await _look_up(request.app.state.store.inventory, "inventory list", params.agent_code, params.cop_no)


async def get_order(request: Request) -> Response:
    """`GET /ceb/orders/{ebpCode}/{orderNo}`: the order and the match state of its documents."""
    params = parse_params(request, OrderParams)
    return await _look_up(request.app.state.store.order, "order", params.ebp_code, params.order_no)


async def _look_up(find: Callable[..., dict | None], what: str, *codes: str) -> Response:
    """The record the codes name, as JSON, or 404."""
    found = await run_in_threadpool(find, *codes)
    if found is None:
        return PlatformError(404, "not_found", f"no such {what}").response()
    return JSONResponse(found)


async def daily_stats(request: Request) -> Response:
    """`GET /stats/daily?date=YYYYMMDD` (default: today, China time)."""
    date = parse_params(request, DailyParams).date or dt.datetime.now(CHINA_TIME).strftime("%Y%m%d")
    start, end = day_bounds(date)
    rows = await run_in_threadpool(request.app.state.store.day, start, end)
    return JSONResponse(daily(date, rows))

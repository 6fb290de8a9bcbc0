"""Query endpoints over the platform's own tables: an inventory list's history, an order with its
partners' state, and the day's statistics."""

from __future__ import annotations

import datetime as dt

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_platform.errors import PlatformError, code_param
from mock_platform.receipts import CHINA_TIME
from mock_platform.stats import daily, day_bounds


async def get_inventory(request: Request) -> Response:
    """One inventory list's status and history."""
    try:
        agent_code = code_param("agentCode", request.query_params.get("agentCode"))
        cop_no = code_param("copNo", request.path_params["cop_no"])
    except PlatformError as exc:
        return exc.response()
    found = await run_in_threadpool(request.app.state.store.inventory, agent_code, cop_no)
    if found is None:
        return PlatformError(404, "not_found", "no such inventory list").response()
    return JSONResponse(found)


async def get_order(request: Request) -> Response:
    """`GET /ceb/orders/{ebpCode}/{orderNo}`: the order and the match state of its documents."""
    try:
        ebp_code = code_param("ebpCode", request.path_params["ebp_code"])
        order_no = code_param("orderNo", request.path_params["order_no"])
    except PlatformError as exc:
        return exc.response()
    found = await run_in_threadpool(request.app.state.store.order, ebp_code, order_no)
    if found is None:
        return PlatformError(404, "not_found", "no such order").response()
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

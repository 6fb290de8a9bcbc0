"""`/admin/faults`: inject, list and clear faults. Bearer token; disabled when none is configured."""

from __future__ import annotations

import hmac

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_platform.errors import PlatformError
from mock_platform.faults import FaultSpec


def _authorise(request: Request) -> None:
    token = request.app.state.settings.admin_token
    if token is None:
        raise PlatformError(404, "admin_disabled", "the admin API is off: no admin token is configured")
    offered = request.headers.get("authorization", "")
    expected = f"Bearer {token.get_secret_value()}"
    if not hmac.compare_digest(offered.encode(), expected.encode()):
        raise PlatformError(401, "unauthorised", "a valid bearer token is required")


async def faults(request: Request) -> Response:
    """GET lists the active faults, POST adds one, DELETE clears them all."""
    try:
        _authorise(request)
        book = request.app.state.faults
        if request.method == "GET":
            return JSONResponse({"faults": [f.as_json() for f in book.active()]})
        if request.method == "DELETE":
            return JSONResponse({"cleared": book.clear()})
        try:
            spec = FaultSpec.model_validate_json(await request.body())
        except ValidationError as exc:
            first = exc.errors()[0]
            raise PlatformError(400, "bad_fault", first["msg"],
                                ".".join(str(p) for p in first["loc"]) or None) from None
        return JSONResponse(book.add(spec).as_json(), status_code=201)
    except PlatformError as exc:
        return exc.response()

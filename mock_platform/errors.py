"""HTTP errors of the mock platform and the error object every one of them answers with.

    Exception
    └── PlatformError            an HTTP error with the contract's error object
        ├── ceb.errors.CebFormatError is mapped to 400 by `from_format_error`
        └── (status, code) pairs: 400 bad_parameter, 408 body_timeout, 409 guid_conflict,
            413 body_too_large, 415 unsupported_media_type, 429 overloaded, 503 not_ready

`EXCEPTION_HANDLERS` answer every other error with the same object: Starlette's own 404 and 405
(an unknown path or method) and, for a bug, a 500 without the traceback (which goes to the log).
"""

from __future__ import annotations

from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ceb.errors import CebFormatError


class PlatformError(Exception):
    """An error answered as `{"error", "detail", "field"}` with an HTTP status."""

    def __init__(self, status: int, code: str, detail: str, field: str | None = None,
                 retry_after_s: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.retry_after_s = retry_after_s

    @classmethod
    def from_format_error(cls, exc: CebFormatError) -> PlatformError:
        """The 400 for a message the codec could not read."""
        return cls(400, exc.code, exc.detail, exc.field)

    def body(self) -> dict[str, str]:
        """The contract's error object."""
        body = {"error": self.code, "detail": self.detail}
        if self.field is not None:
            body["field"] = self.field
        return body

    def response(self) -> JSONResponse:
        """The contract's error object as a response, with `Retry-After` when there is one."""
        body = self.body()
        headers = {"Retry-After": str(self.retry_after_s)} if self.retry_after_s is not None else None
        return JSONResponse(body, status_code=self.status, headers=headers)


async def _platform_error(request: Request, exc: PlatformError) -> Response:
    return exc.response()


async def _http_exception(request: Request, exc: HTTPException) -> Response:
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
    response = PlatformError(exc.status_code, code, exc.detail).response()
    response.headers.update(exc.headers or {})  # 405's Allow
    return response


async def _bug(request: Request, exc: Exception) -> Response:
    return PlatformError(500, "internal_error", "the platform failed; see its log").response()


EXCEPTION_HANDLERS: dict = {PlatformError: _platform_error, HTTPException: _http_exception, Exception: _bug}

"""HTTP errors of the mock platform and the error object every one of them answers with.

    Exception
    └── PlatformError            an HTTP error with the contract's error object
        ├── ceb.errors.CebFormatError is mapped to 400 by `from_format_error`
        └── (status, code) pairs: 409 guid_conflict, 413 body_too_large,
            415 unsupported_media_type, 429 overloaded, 503 not_ready
"""

from __future__ import annotations

from starlette.responses import JSONResponse

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


def code_param(name: str, value: str | None) -> str:
    """A required identifier parameter: printable text (no NUL, which PostgreSQL refuses)."""
    if not value:
        raise PlatformError(400, "bad_parameter", f"{name} is required", name)
    if not value.isprintable() or len(value) > 200:
        raise PlatformError(400, "bad_parameter", f"{name} must be printable text of 200 characters "
                            "at most", name)
    return value

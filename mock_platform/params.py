"""Query and path parameters, read into typed values with bounds before an endpoint uses them.

Each endpoint names its parameters in one frozen model; `parse_params` fills it from the request's
path and query (an empty query value counts as absent) and answers 400 `bad_parameter`, naming the
parameter, for anything outside its bounds. Numbers are plain ASCII digits, checked by length
before they are converted, so a 5,000-digit value costs nothing and never reaches a database.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from starlette.requests import Request

from mock_platform.errors import PlatformError

INT64_MAX = 2**63 - 1  # what a database integer holds
BOOK_CODE = r"^[0-9A-Za-z\-]{1,30}$"  # an account book's or an item's code (emsNo, itemRecordNo)
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2999, 12, 31)  # the days /stats/daily answers for


def _digits(value: object) -> object:
    if isinstance(value, str) and not (value.isascii() and value.isdigit() and len(value) <= 19):
        raise ValueError("must be a decimal integer of 19 digits at most")
    return value


def _printable(value: str) -> str:
    if not value.isprintable():  # NUL and other controls: PostgreSQL refuses NUL
        raise ValueError("must be printable text")
    return value


def _day(value: str) -> str:
    try:
        day = dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise ValueError("must be a calendar day, YYYYMMDD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"must be a day from {FIRST_DAY:%Y%m%d} to {LAST_DAY:%Y%m%d}")
    return value


Integer = Annotated[int, BeforeValidator(_digits)]
Code = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable)]
BookCode = Annotated[str, Field(pattern=BOOK_CODE)]
Day = Annotated[str, Field(pattern=r"^[0-9]{8}$"), AfterValidator(_day)]


class Params(BaseModel):
    """The parameters of one endpoint; unknown query parameters are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class ReceiptsParams(Params):
    """`GET /ceb/receipts?receiver=&after=&limit=`."""

    receiver: Code
    after: Integer = Field(0, ge=0, le=INT64_MAX)
    limit: Integer | None = Field(None, ge=1, le=INT64_MAX)  # None: the platform's page size


class InventoryParams(Params):
    """`GET /ceb/inventories/{copNo}?agentCode=`."""

    cop_no: Code = Field(alias="copNo")
    agent_code: Code = Field(alias="agentCode")


class OrderParams(Params):
    """`GET /ceb/orders/{ebpCode}/{orderNo}`."""

    ebp_code: Code = Field(alias="ebpCode")
    order_no: Code = Field(alias="orderNo")


class DailyParams(Params):
    """`GET /stats/daily?date=` (None: today, China time)."""

    date: Day | None = None


class StockParams(Params):
    """`GET /bonded/stock/{emsNo}`."""

    ems_no: BookCode = Field(alias="emsNo")


P = TypeVar("P", bound=Params)


def parse_params(request: Request, model: type[P]) -> P:
    """`model` filled from the request's path and query; PlatformError 400 naming the first fault."""
    raw = {name: value for name, value in request.query_params.items() if value != ""}
    for name, value in request.path_params.items():  # the path's own value, whatever the query says
        field = model.model_fields.get(name)
        raw[field.alias or name if field else name] = value
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else None
        detail = first["msg"].removeprefix("Value error, ")
        raise PlatformError(400, "bad_parameter", f"{name}: {detail}" if name else detail, name) from None

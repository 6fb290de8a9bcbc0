"""The bonded warehouse's JSON endpoints (not CEB; docs/contract.md, "Bonded warehouse operations"):
tally, zone transfer, exit, and the stock of an account book. Writes are durable before the 2xx."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_platform.bonded import ExitChannel, StockShort
from mock_platform.errors import PlatformError
from mock_platform.params import BOOK_CODE, StockParams, parse_params
from mock_platform.warehouse import ExitRefused


class _Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class TalliedItem(_Request):
    item_record_no: str = Field(alias="itemRecordNo", pattern=BOOK_CODE)
    gcode: str = Field(pattern=r"^[0-9]{10}$")
    qty: Decimal = Field(gt=0, max_digits=14, decimal_places=4)


class TallyRequest(_Request):
    """理货: goods counted into an account book."""

    ems_no: str = Field(alias="emsNo", pattern=BOOK_CODE)
    area_code: str = Field(alias="areaCode", pattern=BOOK_CODE)
    items: list[TalliedItem] = Field(min_length=1, max_length=1000)


class MovedItem(_Request):
    item_record_no: str = Field(alias="itemRecordNo", pattern=BOOK_CODE)
    qty: Decimal = Field(gt=0, max_digits=14, decimal_places=4)


class TransferRequest(_Request):
    """转区: available goods moved to another book."""

    from_ems_no: str = Field(alias="fromEmsNo", pattern=BOOK_CODE)
    to_ems_no: str = Field(alias="toEmsNo", pattern=BOOK_CODE)
    items: list[MovedItem] = Field(min_length=1, max_length=1000)


class ExitRequest(_Request):
    """出区: released lists leave the zone by the gate or an offline channel."""

    ems_no: str = Field(alias="emsNo", pattern=BOOK_CODE)
    invt_nos: list[str] = Field(alias="invtNos", min_length=1, max_length=1000)
    mode: ExitChannel = ExitChannel.GATE


async def _parse(request: Request, model: type[_Request]) -> _Request:
    try:  # the body is bounded in size and time by BodyBounds
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        first = exc.errors()[0]
        raise PlatformError(400, "bad_request", first["msg"], ".".join(str(p) for p in first["loc"]) or None) from None


def _ready(request: Request) -> None:
    if not request.app.state.ready:
        raise PlatformError(503, "not_ready", "the platform is starting or draining", retry_after_s=1)


async def tally(request: Request) -> Response:
    """POST /bonded/tally."""
    try:
        _ready(request)
        req: TallyRequest = await _parse(request, TallyRequest)
    except PlatformError as exc:
        return exc.response()
    state = request.app.state
    op = state.engine.warehouse.tally(req.ems_no, [(i.item_record_no, i.gcode, i.qty) for i in req.items])
    await state.writer.write(op)
    return JSONResponse({"emsNo": req.ems_no, "lines": len(req.items)}, status_code=201)


async def transfer(request: Request) -> Response:
    """POST /bonded/transfer."""
    try:
        _ready(request)
        req: TransferRequest = await _parse(request, TransferRequest)
        if req.from_ems_no == req.to_ems_no:
            raise PlatformError(400, "bad_request", "a transfer needs two different books", "toEmsNo")
        state = request.app.state
        try:
            op = state.engine.warehouse.transfer(req.from_ems_no, req.to_ems_no,
                                                 [(i.item_record_no, i.qty) for i in req.items])
        except StockShort as short:
            raise PlatformError(422, "stock_short", short.detail, short.field) from None
    except PlatformError as exc:
        return exc.response()
    await state.writer.write(op)
    return JSONResponse({"fromEmsNo": req.from_ems_no, "toEmsNo": req.to_ems_no, "lines": len(req.items)})


async def exit_batch(request: Request) -> Response:
    """POST /bonded/exit."""
    try:
        _ready(request)
        req: ExitRequest = await _parse(request, ExitRequest)
        state = request.app.state
        found = await run_in_threadpool(state.store.lists_by_invt_no, req.invt_nos)
        try:
            batch, op = state.engine.warehouse.exit(req.ems_no, req.invt_nos, found, req.mode)
        except ExitRefused as refused:
            raise PlatformError(422, "exit_refused", refused.detail, refused.field) from None
    except PlatformError as exc:
        return exc.response()
    await state.writer.write(op)
    return JSONResponse({"exitNo": batch, "emsNo": req.ems_no, "mode": req.mode.value, "lists": len(req.invt_nos)})


async def stock(request: Request) -> Response:
    """GET /bonded/stock/{emsNo}."""
    ems_no = parse_params(request, StockParams).ems_no
    lines = request.app.state.engine.ledger.stock.book(ems_no)
    if not lines:
        return PlatformError(404, "not_found", f"no account book {ems_no}").response()
    return JSONResponse({"emsNo": ems_no, "items": {record: line.as_json() for record, line in lines.items()}})

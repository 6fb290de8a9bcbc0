"""The e-port report channel (`--transport eport`): `POST /cebcmsg` and the receipt pulls
`GET /ceb{NNN}msg?dxpid=…&qryid=yyyyMMddHHmmss`.

A declaration takes the same path into the store as `POST /ceb/messages` (admission, durability,
duplicate and conflict rules); only the wrapping and the answers differ. The answer is the bare text
`OK` (200) once the message is committed, or was already; anything else is a short text naming the
reason: 400 for a malformed message or a signature problem, 409 for a guid reused for other
content, 415 for a body that is not declared JSON, 429 with Retry-After when the intake is full, 503
while starting or draining. The declaring enterprise's DXP id is the head's SenderID; it is stored
with the message, and a pull by that DXP id returns the receipts of every enterprise (copCode) that
declared under it.

A pull returns the records made at or after the start of the `qryid` second (China time), oldest
first, at most `receipt_page_max` of them. `offset=N` (this mock's extension) skips the first N, for
a second holding more records than a page.
"""

from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ceb.eport import ACCEPTED, EportRecord, parse_query_time, render_records, unwrap_report
from ceb.errors import CebFormatError
from ceb.types import MessageType, TransportKind
from mock_platform.admission import Overloaded
from mock_platform.errors import PlatformError
from mock_platform.intake import IntakeAnswer, read_body, record_answer, store_message
from mock_platform.receipts import RECEIPT_NODE_NAMES
from mock_platform.transport_feeds import FeedRow, pull_rows

JSON_CONTENT_TYPES = frozenset({"application/json", "text/json"})
_OFFSET_MAX = 1_000_000


def _text(status: int, text: str, retry_after_s: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after_s)} if retry_after_s is not None else None
    return PlainTextResponse(text, status_code=status, headers=headers)


def _refusal(error: PlatformError) -> Response:
    return _text(error.status, f"{error.code}: {error.detail}", error.retry_after_s)


async def report(request: Request) -> Response:
    """`POST /cebcmsg`: one declaration in the report channel's JSON wrapper."""
    state = request.app.state
    started = time.perf_counter()
    answer = IntakeAnswer("unknown", "error")
    try:
        if not state.ready:
            raise PlatformError(503, "not_ready", "the platform is starting or draining", retry_after_s=1)
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in JSON_CONTENT_TYPES:
            raise PlatformError(415, "unsupported_media_type",
                                f"Content-Type {media_type or '(none)'} is not application/json")
        body = await read_body(request.receive)
        async with state.admission.slot():
            try:
                declared = unwrap_report(body)
            except CebFormatError as exc:
                raise PlatformError.from_format_error(exc) from None
            if declared.declared_type is None:
                raise PlatformError(400, "bad_format", f"MessageType {declared.message_type!r} names no CEB "
                                    "message", "Message/MessageHead/MessageType")
            answer = await store_message(state, declared.xml, TransportKind.EPORT, declared.sender_id,
                                         expected_type=declared.declared_type)
    except Overloaded as exc:
        answer = IntakeAnswer("unknown", "throttled")
        return _text(429, f"overloaded: {exc}", exc.retry_after_s)
    except PlatformError as exc:
        answer = IntakeAnswer(answer.message_type, exc.code)
        return _refusal(exc)
    finally:
        record_answer(state.metrics, answer, started)
    if answer.status in (200, 202):
        return _text(200, ACCEPTED)
    return _text(answer.status, f"{answer.body['error']}: {answer.body['detail']}")


def _receipt_type(code: int) -> MessageType:
    try:
        receipt_type = MessageType(f"CEB{code}")
    except ValueError:
        receipt_type = None
    if receipt_type is None or receipt_type.value not in RECEIPT_NODE_NAMES:
        raise PlatformError(404, "not_found", f"CEB{code} is not a receipt type")
    return receipt_type


def _record(row: FeedRow) -> EportRecord:
    return EportRecord(MessageType(row.message_type), row.guid, row.return_status, row.return_time,
                       row.return_info, int(row.created_at * 1000), row.dxp_id, tuple(row.keys.items()))


async def pull(request: Request) -> Response:
    """`GET /ceb{NNN}msg`: the receipts of one type to a DXP id's enterprises since `qryid`."""
    state = request.app.state
    params = request.query_params
    try:
        receipt_type = _receipt_type(request.path_params["code"])
        dxp_id = params.get("dxpid", "").strip()
        if not dxp_id or len(dxp_id) > 64 or not dxp_id.isprintable():
            raise PlatformError(400, "bad_parameter", "dxpid must be printable text of 1 to 64 characters", "dxpid")
        try:
            since = parse_query_time(params.get("qryid", "")).timestamp()
        except CebFormatError as exc:
            raise PlatformError(400, "bad_parameter", exc.detail, "qryid") from None
        raw_offset = params.get("offset", "0")
        if not raw_offset.isascii() or not raw_offset.isdigit() or int(raw_offset) > _OFFSET_MAX:
            raise PlatformError(400, "bad_parameter", f"offset must be an integer from 0 to {_OFFSET_MAX}", "offset")
    except PlatformError as exc:
        return _refusal(exc)
    visible_before = time.time() - state.faults.receipt_delay_s()
    rows = await run_in_threadpool(state.store.read, pull_rows, dxp_id, receipt_type.value, since, visible_before,
                                   state.settings.receipt_page_max, int(raw_offset))
    return _text(200, render_records([_record(row) for row in rows]))

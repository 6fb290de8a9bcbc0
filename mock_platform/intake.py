"""`POST /ceb/messages`: read, check, store durably, then hand to the workflow.

The answer is 202 only after the group-commit transaction holding the message is committed, so a
2xx survives a crash of the platform.
"""

from __future__ import annotations

import hashlib
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ceb.codec import parse_message
from ceb.errors import CebFormatError
from mock_platform.errors import PlatformError
from mock_platform.matching import Arrival
from mock_platform.records import DocumentRow, IntakeOutcome, IntakeRecord
from mock_platform.store import SqliteStore

XML_CONTENT_TYPES = frozenset({"application/xml", "text/xml"})


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than `limit` bytes without reading them all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PlatformError(413, "body_too_large", f"body of {declared} bytes exceeds {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PlatformError(413, "body_too_large", f"body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def check_content_type(request: Request) -> None:
    """415 unless the body is declared as XML."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in XML_CONTENT_TYPES:
        raise PlatformError(415, "unsupported_media_type",
                            f"Content-Type {media_type or '(none)'} is not application/xml or text/xml")


async def post_message(request: Request) -> Response:
    """Accept one CEB declaration message."""
    state = request.app.state
    started = time.perf_counter()
    message_type = "unknown"
    outcome = "error"
    try:
        if not state.ready:
            raise PlatformError(503, "not_ready", "the platform is starting or draining",
                                retry_after_s=1)
        check_content_type(request)
        body = await read_body(request, state.settings.body_limit_bytes)
        try:
            message = parse_message(body)
        except CebFormatError as exc:
            outcome = "rejected"
            raise PlatformError.from_format_error(exc) from None
        message_type = message.message_type.value
        now = time.time()
        record = IntakeRecord(
            guid=message.guid, message_type=message_type,
            content_hash=hashlib.sha256(body).hexdigest(), sender=message.base_transfer.cop_code,
            received_at=now, body=body,
            documents=tuple(DocumentRow(i, d.head.guid, getattr(d, "order_no", ""),
                                        getattr(d, "ebp_code", ""))
                            for i, d in enumerate(message.documents)))
        result = await state.writer.write(SqliteStore.insert_message(record))
        answer = {"guid": message.guid, "messageType": result.message_type,
                  "documents": result.documents}
        outcome = result.outcome.value
        if result.outcome is IntakeOutcome.CONFLICT:
            raise PlatformError(409, "guid_conflict",
                                f"guid {message.guid} was already used for other content", "@guid")
        if result.outcome is IntakeOutcome.DUPLICATE:
            return JSONResponse({**answer, "duplicate": True}, status_code=200)
        state.engine.accept([
            Arrival(doc_id, document, message.base_transfer.cop_code, now)
            for doc_id, document in zip(result.doc_ids, message.documents)])
        state.metrics.intake_documents.labels(message_type).inc(len(message.documents))
        return JSONResponse(answer, status_code=202)
    except PlatformError as exc:
        if outcome == "error":
            outcome = exc.code
        return exc.response()
    finally:
        state.metrics.intake_messages.labels(message_type, outcome).inc()
        state.metrics.intake_seconds.labels(message_type).observe(time.perf_counter() - started)

"""`POST /ceb/messages`: read, check, store durably, then hand to the workflow.

The answer is 202 only after the group-commit transaction holding the message is committed, so a
2xx survives a crash of the platform.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass

from lxml import etree

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ceb.codec import message_from_tree, parse_xml, sender_of, unwrap_envelope
from ceb.errors import CebFormatError
from mock_platform.admission import Overloaded
from mock_platform.errors import PlatformError
from mock_platform.matching import Arrival
from mock_platform.receipts import format_error
from mock_platform.records import DocumentRow, IntakeOutcome, IntakeRecord
from mock_platform.store import Store

XML_CONTENT_TYPES = frozenset({"application/xml", "text/xml"})


async def read_body(request: Request, limit: int, timeout_s: float) -> bytes:
    """The request body, refusing more than `limit` bytes or a client slower than `timeout_s`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PlatformError(413, "body_too_large", f"body of {declared} bytes exceeds {limit}")
    chunks: list[bytes] = []
    size = 0
    try:
        # A timeout scope, not wait_for: no task per request.
        async with asyncio.timeout(timeout_s):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise PlatformError(413, "body_too_large", f"body exceeds {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise PlatformError(408, "body_timeout",
                            f"the body did not arrive within {timeout_s:g} s") from None
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
    outcome = IntakeAnswer("unknown", "error")
    try:
        if not state.ready:
            raise PlatformError(503, "not_ready", "the platform is starting or draining",
                                retry_after_s=1)
        check_content_type(request)
        async with state.admission.slot():
            outcome = await _store(request)
        return outcome.response
    except Overloaded as exc:
        outcome = IntakeAnswer("unknown", "throttled")
        return PlatformError(429, "overloaded", str(exc), retry_after_s=exc.retry_after_s).response()
    except PlatformError as exc:
        outcome = IntakeAnswer(outcome.message_type, exc.code)
        return exc.response()
    finally:
        state.metrics.intake_messages.labels(outcome.message_type, outcome.outcome).inc()
        state.metrics.intake_seconds.labels(outcome.message_type).observe(time.perf_counter() - started)


@dataclass(frozen=True, slots=True)
class IntakeAnswer:
    """What intake answered, labelled for the metrics."""

    message_type: str
    outcome: str
    response: Response | None = None


async def _format_error_receipt(state, root, exc: CebFormatError) -> None:
    """A CEB900 to the sender named in the message, as a platform that receives by DXP answers
    (the HTTP 400 reaches only whoever posted)."""
    sender, guid = sender_of(root), (root.get("guid") or "").strip()
    if sender is None or not guid or len(guid) > 36 or not guid.isprintable():
        return
    where = f";field:{exc.field}" if exc.field else ""
    receipt = format_error(guid, etree.QName(root).localname.removesuffix("Message")[:20], sender,
                           f"[error:{exc.code}{where}] {exc.detail}", time.time())
    await state.writer.write(Store.insert_receipts([receipt]))


async def _store(request: Request) -> IntakeAnswer:
    state = request.app.state
    body = await read_body(request, state.settings.body_limit_bytes, state.settings.body_timeout_s)
    try:
        root = unwrap_envelope(parse_xml(body))
    except CebFormatError as exc:  # not even XML: nobody to answer but the HTTP client
        raise PlatformError.from_format_error(exc) from None
    try:
        message = message_from_tree(root)
    except CebFormatError as exc:
        await _format_error_receipt(state, root, exc)
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
    result = await state.writer.write(Store.insert_message(record))
    answer = {"guid": message.guid, "messageType": result.message_type, "documents": result.documents}
    if result.outcome is IntakeOutcome.CONFLICT:
        conflict = PlatformError(409, "guid_conflict",
                                 f"guid {message.guid} was already used for other content", "@guid")
        return IntakeAnswer(message_type, result.outcome.value, conflict.response())
    if result.outcome is IntakeOutcome.DUPLICATE:
        return IntakeAnswer(message_type, result.outcome.value,
                            JSONResponse({**answer, "duplicate": True}, status_code=200))
    state.engine.accept([Arrival(doc_id, document, message.base_transfer.cop_code, now)
                         for doc_id, document in zip(result.doc_ids, message.documents)])
    state.metrics.intake_documents.labels(message_type).inc(len(message.documents))
    return IntakeAnswer(message_type, result.outcome.value, JSONResponse(answer, status_code=202))

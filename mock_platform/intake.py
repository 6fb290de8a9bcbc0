"""`POST /ceb/messages`: read, check, store durably, then hand to the workflow.

The answer is 202 only after the group-commit transaction holding the message is committed, so a
2xx survives a crash of the platform. `store_message` is the one path into the store: the e-port
and folder transports take it too.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

from lxml import etree

from starlette.types import Receive, Scope, Send

from ceb.codec import message_from_tree, open_envelope, sender_of
from ceb.errors import CebFormatError
from ceb.types import MessageType, TransportKind
from mock_platform.admission import Overloaded
from mock_platform.errors import PlatformError
from mock_platform.matching import Arrival
from mock_platform.receipts import format_error
from mock_platform.records import DocumentRow, IntakeOutcome, IntakeRecord
from mock_platform.store import Store

XML_CONTENT_TYPES = frozenset({"application/xml", "text/xml"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


async def read_body(receive: Receive) -> bytes:
    """The whole request body (BodyBounds bounds its size and the time it takes)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise PlatformError(400, "client_disconnected", "the client went away mid-body")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def check_content_type(scope: Scope) -> None:
    """415 unless the body is declared as XML."""
    media_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    if media_type not in XML_CONTENT_TYPES:
        raise PlatformError(415, "unsupported_media_type",
                            f"Content-Type {media_type or '(none)'} is not application/xml or text/xml")


@dataclass(frozen=True, slots=True)
class IntakeAnswer:
    """What intake answers: the metrics' labels, and the status and JSON body once stored."""

    message_type: str
    outcome: str
    status: int = 500
    body: dict[str, object] | None = None


class MessageIntake:
    """`POST /ceb/messages`: accept one CEB declaration message.

    A plain ASGI app rather than a Starlette endpoint: every message is one call, and Starlette's
    Request and Response objects around it cost more than the answer itself.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state
        started = time.perf_counter()
        answer = IntakeAnswer("unknown", "error")
        try:
            if not state.ready:
                raise PlatformError(503, "not_ready", "the platform is starting or draining",
                                    retry_after_s=1)
            check_content_type(scope)
            # Admitted once its body has arrived: a slow sender holds a connection, never a place
            # in the intake queue.
            body = await read_body(receive)
            async with state.admission.slot():
                answer = await store_message(state, body)
        except Overloaded as exc:
            answer = IntakeAnswer("unknown", "throttled")
            error = PlatformError(429, "overloaded", str(exc), retry_after_s=exc.retry_after_s)
            await error.response()(scope, receive, send)
        except PlatformError as exc:
            answer = IntakeAnswer(answer.message_type, exc.code)
            await exc.response()(scope, receive, send)
        else:
            await _send_json(send, answer.status, answer.body)
        finally:
            record_answer(state.metrics, answer, started)


def record_answer(metrics, answer: IntakeAnswer, started: float) -> None:
    """Count an intake answer, on whichever transport it was given."""
    metrics.child(metrics.intake_messages, answer.message_type, answer.outcome).inc()
    metrics.child(metrics.intake_seconds, answer.message_type).observe(time.perf_counter() - started)


async def _send_json(send: Send, status: int, body: dict[str, object]) -> None:
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


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


async def store_message(state, body: bytes, transport: TransportKind = TransportKind.CEB_HTTP,
                        dxp_id: str = "", expected_type: MessageType | None = None,
                        format_error_receipt: bool = True) -> IntakeAnswer:
    """Read, check and durably store one message (bare CEB XML or in a DxpMsg envelope), on any
    transport: the answer once committed; PlatformError when it cannot be taken. `dxp_id` is stored
    with it (receipts can then be pulled by it); `expected_type` is what the transport's own head
    declared; `format_error_receipt`: a CEB900 to the sender in the receipt feed when the message
    does not read (the folder transport answers with a file instead)."""
    try:
        xml, root = open_envelope(body)
    except CebFormatError as exc:  # not even XML: nobody to answer but the HTTP client
        raise PlatformError.from_format_error(exc) from None
    if state.signatures is not None:
        state.signatures.check(xml)
    try:
        message = message_from_tree(root)
    except CebFormatError as exc:
        if format_error_receipt:
            await _format_error_receipt(state, root, exc)
        raise PlatformError.from_format_error(exc) from None
    message_type = message.message_type.value
    if expected_type is not None and expected_type is not message.message_type:
        raise PlatformError(400, "message_type_mismatch", f"declared as {expected_type.value} but the "
                            f"message is {message_type}", "MessageType")
    now = time.time()
    # The CEB message itself is stored and compared, not its envelope: a resend in a new envelope
    # (another CopMsgId, CreatTime or SendTime) is the same declaration.
    record = IntakeRecord(
        guid=message.guid, message_type=message_type,
        content_hash=hashlib.sha256(xml).hexdigest(), sender=message.base_transfer.cop_code,
        received_at=now, body=xml,
        documents=tuple(DocumentRow(i, d.head.guid, getattr(d, "order_no", ""),
                                    getattr(d, "ebp_code", ""))
                        for i, d in enumerate(message.documents)),
        transport=transport.value, dxp_id=dxp_id)
    result = await state.writer.write(Store.insert_message(record))
    answer = {"guid": message.guid, "messageType": result.message_type, "documents": result.documents}
    if result.outcome is IntakeOutcome.CONFLICT:
        conflict = PlatformError(409, "guid_conflict",
                                 f"guid {message.guid} was already used for other content", "@guid")
        return IntakeAnswer(message_type, result.outcome.value, 409, conflict.body())
    if result.outcome is IntakeOutcome.DUPLICATE:
        return IntakeAnswer(message_type, result.outcome.value, 200, {**answer, "duplicate": True})
    state.engine.accept([Arrival(doc_id, document, message.base_transfer.cop_code, now)
                         for doc_id, document in zip(result.doc_ids, message.documents)])
    state.metrics.child(state.metrics.intake_documents, message_type).inc(len(message.documents))
    return IntakeAnswer(message_type, result.outcome.value, 202, answer)

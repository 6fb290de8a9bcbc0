"""The DXP folder transport (`--transport dxp-folder --dxp-root DIR`), as a DXP client's folders
look to the platform behind them:

    DIR/send/     the enterprise's outbox: DxpMsg files (`*.xml`; names starting with `.` or ending
                  `.tmp` are still being written and are left alone)
    DIR/receive/  the platform's answers: DxpMsg files of CEB receipt messages, written atomically
    DIR/error/    the files the platform refused, moved here

Every `folder_scan_s` the watcher lists `send/` and takes the oldest files, as many as the intake
has room for (a full intake leaves files where they are: that is a folder's backpressure), through
the same path into the store as `POST /ceb/messages`. A file is removed only after its message is
committed, so a crash loses nothing; a file taken twice is a duplicate, removed without a new
answer (its receipts come once). A refused file gets a CEB900 `MessageReturn` receipt file naming
the reason (returnStatus: minus the exchange's error code, 0001 format, 0002 content, 1001/1002/1004
signature) and moves to `error/`.

Receipts of the enterprises that sent through the folder are written to `receive/`, one file per
receipt type and DXP id per scan (up to 100 receipts a file); the position reached is committed
after the files are written (at-least-once). Polling rather than inotify: files left by
backpressure must be looked at again anyway, and a DXP folder is often a network mount.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from ceb import dxp
from ceb.codec import parse_xml
from ceb.documents import Receipt
from ceb.errors import CebFormatError
from ceb.types import MessageType, TransportKind
from mock_platform.admission import Overloaded
from mock_platform.errors import PlatformError
from mock_platform.folder_files import (oldest_ready, read_file, receipt_file, refusal_receipt, remove_temporaries,
                                        write_atomically)
from mock_platform.intake import IntakeAnswer, record_answer, store_message
from mock_platform.receipts import FORMAT_ERROR_STATUS, return_time
from mock_platform.transport_feeds import FeedRow, cursor_of, folder_rows, save_cursor

log = logging.getLogger(__name__)

RECEIPTS_PER_FILE = 100  # what one CEB receipt message holds at most
_FORMAT_CODES = frozenset({"malformed_xml", "dtd_forbidden", "unknown_root", "body_too_large"})
_UNKNOWN_DXP_ID = "UNKNOWN"  # the addressee of a refusal whose envelope names no sender


def exchange_code(error: PlatformError) -> str | None:
    """The exchange's error code of a refusal: signature codes as given, 0001 for a file that is not
    a readable envelope, 0002 for a message whose content does not read; None otherwise."""
    code = getattr(error, "exchange_code", None)
    if code is not None:
        return code
    if error.code in _FORMAT_CODES:
        return "0001"
    return "0002" if error.status == 400 else None


class FolderTransport:
    """Takes message files from `send/` and writes receipt files to `receive/`."""

    def __init__(self, root: Path, state) -> None:
        self.send, self.receive, self.error = root / "send", root / "receive", root / "error"
        self._state = state
        self._cursor_name = f"dxp-folder:{root.resolve()}"
        self._cursor = 0
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Create the folders, find where receipt delivery stopped, start watching."""
        for folder in (self.send, self.receive, self.error):
            folder.mkdir(parents=True, exist_ok=True)
        remove_temporaries(self.receive)
        self._cursor = await run_in_threadpool(self._state.store.read, cursor_of, self._cursor_name)
        self._task = asyncio.create_task(self._run(), name="dxp-folder")

    async def stop(self) -> None:
        """Stop taking files; let the files being taken finish (their commits answer first)."""
        self._stopping = True
        if self._task is not None:
            await self._task
        await asyncio.gather(*self._in_flight.values(), return_exceptions=True)

    async def _run(self) -> None:
        settings = self._state.settings
        while not self._stopping:
            try:
                await self._take(settings.folder_batch_max)
                await self._deliver(settings.receipt_page_max)
            except Exception:  # noqa: BLE001 - a failed scan (a folder gone, a full disk) is retried next scan
                log.exception("dxp-folder scan failed; retrying")
            await asyncio.sleep(settings.folder_scan_s)

    # ------------------------------------------------------------------------------ taking files

    def _has_room(self) -> bool:
        admission = self._state.admission
        return admission.waiting + admission.in_flight < admission.queue_limit

    async def _take(self, batch_max: int) -> None:
        if not self._state.ready or not self._has_room():
            return
        names = await asyncio.to_thread(oldest_ready, self.send, batch_max + len(self._in_flight))
        for name in names:
            if len(self._in_flight) >= batch_max or not self._has_room():
                break
            if name not in self._in_flight:
                task = asyncio.create_task(self._take_file(name))
                self._in_flight[name] = task
                task.add_done_callback(lambda _, taken=name: self._in_flight.pop(taken, None))

    async def _take_file(self, name: str) -> None:
        try:
            async with self._state.admission.slot():
                data = await asyncio.to_thread(read_file, self.send / name, self._state.settings.body_limit_bytes)
                if data is not None:
                    await self._accept(name, data)
        except Overloaded:
            return  # the file stays in send/ for a later scan
        except Exception:  # noqa: BLE001 - e.g. the writer closing at shutdown: the file stays, taken later
            log.exception("dxp-folder: %s left in send/", name)

    async def _accept(self, name: str, data: bytes) -> None:
        state, started = self._state, time.perf_counter()
        answer, envelope = IntakeAnswer("unknown", "error"), None
        try:
            if len(data) > state.settings.body_limit_bytes:
                raise PlatformError(413, "body_too_large", f"file exceeds {state.settings.body_limit_bytes} bytes")
            try:
                envelope = dxp.unwrap(data)
            except CebFormatError as exc:
                raise PlatformError.from_format_error(exc) from None
            answer = await store_message(state, envelope.data, TransportKind.DXP_FOLDER, envelope.sender_id,
                                         expected_type=_type_of(envelope.msg_type), format_error_receipt=False)
        except PlatformError as exc:
            answer = IntakeAnswer(answer.message_type, exc.code)
            await self._refuse(name, envelope, exc)
        else:
            if answer.status == 409:
                await self._refuse(name, envelope, PlatformError(409, "guid_conflict", str(answer.body["detail"]),
                                                                 "@guid"))
            else:  # accepted, or a duplicate of a message already committed
                await asyncio.to_thread((self.send / name).unlink, missing_ok=True)
        finally:
            record_answer(state.metrics, answer, started)

    async def _refuse(self, name: str, envelope: dxp.DxpMessage | None, error: PlatformError) -> None:
        code = exchange_code(error)
        field = f";field:{error.field}" if error.field else ""
        info = f"[Code:{code or error.code};Desc:{error.code}{field}] {error.detail}"
        status = -int(code) if code else FORMAT_ERROR_STATUS
        cop_msg_id = envelope.cop_msg_id if envelope else Path(name).stem
        original_type = envelope.msg_type.removesuffix("Message")[:20] if envelope else ""
        receipt = refusal_receipt(_guid_of(envelope) or cop_msg_id, cop_msg_id, original_type, status, info,
                                  return_time(time.time()))
        answer = receipt_file(MessageType.FORMAT_ERROR_RECEIPT, [receipt],
                              envelope.sender_id if envelope else _UNKNOWN_DXP_ID)

        def write_and_move() -> None:
            write_atomically(self.receive, [answer])
            with contextlib.suppress(FileNotFoundError):
                (self.send / name).replace(self.error / name)

        await asyncio.to_thread(write_and_move)

    # -------------------------------------------------------------------------- writing receipts

    async def _deliver(self, page_max: int) -> None:
        state = self._state
        rows = await run_in_threadpool(state.store.read, folder_rows, self._cursor, page_max)
        if len(rows) == page_max and rows[0].position != rows[-1].position:
            last = rows[-1].position  # its other DXP ids may be on the next page: take it whole then
            rows = [row for row in rows if row.position != last]
        visible_before = time.time() - state.faults.receipt_delay_s()
        ready = []
        for row in rows:  # in position order, up to the first receipt still held back
            if row.created_at > visible_before:
                break
            ready.append(row)
        if not ready:
            return
        # (One receipt's rows share its creation time, so visibility never splits a receipt.)
        await asyncio.to_thread(write_atomically, self.receive, _receipt_files(ready))
        position = ready[-1].position
        await state.writer.write(save_cursor(self._cursor_name, position))
        self._cursor = position


def _receipt_files(rows: list[FeedRow]) -> list[tuple[str, bytes]]:
    groups: dict[tuple[str, str], list[Receipt]] = defaultdict(list)
    for row in rows:
        groups[row.dxp_id, row.message_type].append(Receipt(
            MessageType(row.message_type), row.guid, row.return_status, row.return_time, row.return_info,
            tuple(row.keys.items())))
    return [receipt_file(MessageType(message_type), receipts[start:start + RECEIPTS_PER_FILE], dxp_id)
            for (dxp_id, message_type), receipts in groups.items()
            for start in range(0, len(receipts), RECEIPTS_PER_FILE)]


def _type_of(msg_type: str) -> MessageType | None:
    """The CEB type an envelope's MsgType names (it is "agreed by both sides"; usually the root tag)."""
    try:
        return MessageType.from_root_tag(msg_type)
    except ValueError:
        return None


def _guid_of(envelope: dxp.DxpMessage | None) -> str | None:
    """The refused message's own guid, when it reads that far."""
    if envelope is None:
        return None
    try:
        guid = (parse_xml(envelope.data).get("guid") or "").strip()
    except CebFormatError:
        return None
    return guid if guid and len(guid) <= 36 and guid.isprintable() else None


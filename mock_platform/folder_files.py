"""The files of the folder transport: which files in `send/` are ready, writing receipt files
atomically, and what a receipt file or a refusal file holds.

Writers of a folder write a file under a name readers skip (a leading `.` or a `.tmp` ending) and
rename it when complete, so no reader sees half a file; this platform does the same in `receive/`.
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from ceb import dxp
from ceb.codec import render_receipts
from ceb.documents import Receipt
from ceb.types import CHINA_TIME, MessageType
from mock_platform.receipts import RECEIPT_NODE_NAMES

MESSAGE_RETURN = "MessageReturn"  # the CEB900 receipt node


def is_ready(name: str) -> bool:
    """True for a complete message file: `*.xml`, not hidden, not a temporary name."""
    return name.endswith(".xml") and not name.startswith(".") and not name.endswith(".tmp")


def oldest_ready(folder: Path, limit: int) -> list[str]:
    """Up to `limit` ready files of `folder`, oldest first (modification time, then name)."""
    with os.scandir(folder) as entries:
        ready = []
        for entry in entries:
            if not is_ready(entry.name):
                continue
            try:
                if entry.is_file(follow_symlinks=False):
                    ready.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name))
            except FileNotFoundError:  # taken or renamed while listed
                continue
    return [name for _, name in heapq.nsmallest(limit, ready)]


def read_file(path: Path, limit: int) -> bytes | None:
    """A file's bytes (at most `limit` + 1, so an oversized file shows); None if it is gone."""
    try:
        with open(path, "rb") as file:
            return file.read(limit + 1)
    except FileNotFoundError:
        return None


def write_atomically(folder: Path, files: Iterable[tuple[str, bytes]]) -> None:
    """Write each file under a temporary name, fsync it, rename it into place; then fsync the folder,
    so the renames survive a crash."""
    for name, data in files:
        temporary = folder / f".{name}.tmp"
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, folder / name)
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_temporaries(folder: Path) -> None:
    """Delete the temporary files a crash left (only this platform writes in `receive/`)."""
    for path in folder.glob(".*.tmp"):
        path.unlink(missing_ok=True)


def china_now() -> dt.datetime:
    """Now in China time, without a zone (how a DXP envelope writes CreatTime)."""
    return dt.datetime.now(CHINA_TIME).replace(tzinfo=None)


def receipt_file(message_type: MessageType, receipts: list[Receipt], dxp_id: str) -> tuple[str, bytes]:
    """A receipt file: one CEB receipt message holding `receipts` (all of `message_type`), in a
    DxpMsg from the platform's DXP id to `dxp_id`, named `<MsgType>_<CopMsgId>.xml`."""
    guid = str(uuid.uuid4()).upper()  # the receipt message's guid is its CopMsgId, as platforms send it
    data = render_receipts(message_type, RECEIPT_NODE_NAMES[message_type.value], guid, receipts)
    envelope = dxp.DxpMessage(guid, dxp.receiver_for(message_type), (dxp_id,), china_now(),
                              message_type.root_tag, data)
    return dxp.file_name(envelope), dxp.wrap(envelope)


def refusal_receipt(guid: str, cop_msg_id: str, original_type: str, status: int, info: str,
                    return_time: str) -> Receipt:
    """The CEB900 `MessageReturn` refusing a message: its guid, its envelope's CopMsgId and type."""
    return Receipt(MessageType.FORMAT_ERROR_RECEIPT, guid, status, return_time, info[:1000],
                   (("oriCopMsgId", cop_msg_id), ("oriMessageType", original_type)))

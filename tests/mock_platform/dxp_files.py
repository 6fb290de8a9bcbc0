"""Helpers of the folder-transport tests: writing message files as a DXP client does, reading the
receipt files the platform writes, and waiting (bounded) for a condition."""

import time
from collections.abc import Callable
from pathlib import Path

from ceb import dxp
from ceb.codec import parse_receipts, render_message
from ceb.documents import Receipt
from ceb.types import MessageType
from tests.conftest import now_china


def wait_for(condition: Callable[[], object], timeout_s: float = 30.0, what: str = "the condition"):
    """The first true value of `condition()`, polled every 50 ms; AssertionError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout_s:g} s")


def write_message(send: Path, message, message_type: MessageType, dxp_id: str) -> str:
    """Write a message's envelope file into send/ as a DXP client does: a temporary name, then a rename."""
    envelope = dxp.DxpMessage(message.guid, dxp_id, (dxp.receiver_for(message_type),), now_china(),
                              message_type.root_tag, render_message(message))
    name = dxp.file_name(envelope)
    temporary = send / f".{name}.tmp"
    temporary.write_bytes(dxp.wrap(envelope))
    temporary.rename(send / name)
    return name


def received(receive: Path) -> list[tuple[dxp.DxpMessage, list[Receipt]]]:
    """Every receipt file in receive/, read (a file that does not read fails the test)."""
    out = []
    for path in sorted(receive.iterdir()):
        if path.name.startswith("."):  # a temporary name: not visible to a reader
            continue
        envelope = dxp.unwrap(path.read_bytes())
        assert path.name == dxp.file_name(envelope)
        out.append((envelope, parse_receipts(envelope.data)))
    return out


def statuses(receive: Path, guid: str) -> list[int]:
    """The returnStatus of every receipt of `guid` in receive/."""
    return [r.return_status for _, receipts in received(receive) for r in receipts if r.guid == guid]


def refusals(receive: Path) -> dict[str, Receipt]:
    """The CEB900 refusals in receive/, by the refused envelope's CopMsgId."""
    return {dict(r.keys)["oriCopMsgId"]: r for envelope, receipts in received(receive)
            for r in receipts if r.message_type is MessageType.FORMAT_ERROR_RECEIPT}

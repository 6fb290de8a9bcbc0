"""The DXP terminal-node envelope (`DxpMsg`) that carries a CEB message between an enterprise and
the platform, and the transport-node wrapper (`DxpMsgSv`) a third-party platform puts around it.

    <DxpMsg xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0">
      <TransInfo>
        <CopMsgId>…</CopMsgId>            1-255 characters, unique per sender
        <SenderId>DXPENT…</SenderId>      up to 16 characters, assigned by the DXP
        <ReceiverIds><ReceiverId>DXPEDCCEB0000002</ReceiverId></ReceiverIds>   1 to 5
        <CreatTime>2017-01-02T23:19:32</CreatTime>
        <MsgType>CEB311Message</MsgType>   the CEB root tag, up to 30 characters
      </TransInfo>
      <Data>base64 of the CEB XML</Data>
      <AddInfo>…</AddInfo>                 optional, ignored here
    </DxpMsg>

The layout is the GACC enterprise access standard's terminal-node schema (海关跨境电商统一版系统企业
对接报文规范, 202205 edition). Reading accepts any namespace prefix (or none: the default namespace),
with or without `AddInfo` or a signature, a `DxpMsgSv` holding one `DxpMsg`, and leading NUL bytes
(the one-byte framing some routers add). Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass

from lxml import etree

from ceb.errors import CebFormatError
from ceb.safexml import parse_xml
from ceb.types import DXP_NAMESPACE, Direction, MessageType

IMPORT_RECEIVER_ID = "DXPEDCCEB0000002"
EXPORT_RECEIVER_ID = "DXPEDCCEB0000003"
CREAT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"

_NS = "{%s}" % DXP_NAMESPACE
ENVELOPE_TAGS = frozenset({_NS + "DxpMsg", _NS + "DxpMsgSv"})
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_RECEIVERS = 5


def receiver_for(message_type: MessageType) -> str:
    """The platform's DXP id a message of this type goes to (import and export are two systems)."""
    return EXPORT_RECEIVER_ID if message_type.direction is Direction.EXPORT else IMPORT_RECEIVER_ID


@dataclass(frozen=True, slots=True)
class DxpMessage:
    """One envelope: who sends what to whom; `data` is the CEB XML itself (not base64)."""

    cop_msg_id: str
    sender_id: str
    receiver_ids: tuple[str, ...]
    created: dt.datetime
    msg_type: str
    data: bytes


def wrap(message: DxpMessage) -> bytes:
    """The `DxpMsg` file or message body of `message` (UTF-8, default namespace, `ver="1.0"`)."""
    root = etree.Element(_NS + "DxpMsg", nsmap={None: DXP_NAMESPACE}, ver="1.0")
    info = etree.SubElement(root, _NS + "TransInfo")
    etree.SubElement(info, _NS + "CopMsgId").text = message.cop_msg_id
    etree.SubElement(info, _NS + "SenderId").text = message.sender_id
    receivers = etree.SubElement(info, _NS + "ReceiverIds")
    for receiver in message.receiver_ids:
        etree.SubElement(receivers, _NS + "ReceiverId").text = receiver
    etree.SubElement(info, _NS + "CreatTime").text = message.created.strftime(CREAT_TIME_FORMAT)
    etree.SubElement(info, _NS + "MsgType").text = message.msg_type
    etree.SubElement(root, _NS + "Data").text = base64.b64encode(message.data).decode("ascii")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def is_envelope(root: etree._Element) -> bool:
    """True when `root` is a `DxpMsg` or a `DxpMsgSv`."""
    return root.tag in ENVELOPE_TAGS


def unwrap(body: bytes) -> DxpMessage:
    """Read an envelope from untrusted bytes; CebFormatError naming the field at fault."""
    return unwrap_tree(parse_xml(body.lstrip(b"\x00")))


def unwrap_tree(root: etree._Element) -> DxpMessage:
    """Read an already parsed envelope (a `DxpMsg`, or a `DxpMsgSv` holding one)."""
    if root.tag == _NS + "DxpMsgSv":
        inner = root.find(_NS + "DxpMsg")
        if inner is None:
            raise CebFormatError("missing_field", "DxpMsgSv holds no DxpMsg", field="DxpMsgSv/DxpMsg")
        root = inner
    elif root.tag != _NS + "DxpMsg":
        raise CebFormatError("unknown_root", f"{root.tag} is not a DxpMsg envelope")
    data = _data(root.find(_NS + "Data"))
    info = root.find(_NS + "TransInfo")
    if info is None:
        raise CebFormatError("missing_field", "DxpMsg has no TransInfo", field="DxpMsg/TransInfo")
    receivers = tuple(_text(node, "ReceiverIds/ReceiverId", 16)
                      for node in info.iterfind(_NS + "ReceiverIds/" + _NS + "ReceiverId"))
    if not 1 <= len(receivers) <= MAX_RECEIVERS:
        raise CebFormatError("bad_format", f"{len(receivers)} ReceiverId elements (1 to {MAX_RECEIVERS} allowed)",
                             field="DxpMsg/TransInfo/ReceiverIds")
    return DxpMessage(
        cop_msg_id=_text(info.find(_NS + "CopMsgId"), "CopMsgId", 255),
        sender_id=_text(info.find(_NS + "SenderId"), "SenderId", 16),
        receiver_ids=receivers,
        created=_creat_time(_text(info.find(_NS + "CreatTime"), "CreatTime", 40)),
        msg_type=_text(info.find(_NS + "MsgType"), "MsgType", 30),
        data=data)


def file_name(message: DxpMessage) -> str:
    """`<MsgType>_<CopMsgId>.xml`, the name DXP clients give an envelope file; CebFormatError when
    either part could leave the folder or hide the file (a separator, a leading dot, a space)."""
    for value, name in ((message.msg_type, "MsgType"), (message.cop_msg_id, "CopMsgId")):
        if not _SAFE_NAME.fullmatch(value):
            raise CebFormatError("bad_format", f"{name} {value!r} cannot be part of a file name",
                                 field=f"DxpMsg/TransInfo/{name}")
    return f"{message.msg_type}_{message.cop_msg_id}.xml"


def _text(node: etree._Element | None, name: str, max_length: int) -> str:
    field = f"DxpMsg/TransInfo/{name}"
    value = (node.text or "").strip() if node is not None else ""
    if not value:
        raise CebFormatError("missing_field", f"{name} is required", field=field)
    if len(value) > max_length or not value.isprintable():
        raise CebFormatError("bad_format", f"{name} must be printable text of {max_length} characters at most",
                             field=field)
    return value


def _creat_time(value: str) -> dt.datetime:
    try:  # the standard writes yyyy-MM-ddTHH:mm:ss; xs:dateTime also allows a zone and fractions
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise CebFormatError("bad_format", f"CreatTime {value!r} is not yyyy-MM-ddTHH:mm:ss",
                             field="DxpMsg/TransInfo/CreatTime") from None


def _data(node: etree._Element | None) -> bytes:
    text = "".join((node.text or "").split()) if node is not None else ""
    if not text:
        raise CebFormatError("missing_field", "DxpMsg has no Data", field="DxpMsg/Data")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CebFormatError("bad_format", "Data is not base64", field="DxpMsg/Data") from None

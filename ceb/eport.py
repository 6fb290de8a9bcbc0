"""The e-port HTTP report channel: the JSON wrapper a declaration is posted in, and the text body
its receipts are pulled as. Pure: no I/O.

Declaring is `POST {server}/cebcmsg` with

    {"Message": {"MessageHead": {"MessageId": "", "MessageType": "CEB621Message.xml",
                                 "SenderID": "…", "ReceiverID": "…",
                                 "SendTime": "2022-02-08 14:06:25", "Version": "1.0"},
                 "MessageBody": {"data": "<base64 of the signed XML, without its XML declaration>"}}}

and the bare text `OK` is the acceptance. Receipts are pulled by `GET {server}/ceb312msg?dxpid=…&
qryid=yyyyMMddHHmmss` (CEB622: `/ceb622msg`) and come back as a Java map's `toString()`, not JSON:

    [{org_id=1, instm=1691397836000, re_order_guid=…, returnstatus=2, returntime2=20230807164356,
      trans_dxpid=DXPENT…, returninfo=新增申报成功[…], returntime=1691397830000, orderno=…}, {…}]

The layout is the one the public client `Weasley-J/chinaport-data-signature` speaks to the Hainan
e-port. `instm` is the record's insertion time in epoch milliseconds, `returntime` the receipt's
time in epoch milliseconds, `returntime2` the same to the second as `yyyyMMddHHmmss`. Only the 312
and 622 pulls are public; the same style for the other receipt types, with the guid under
`re_guid` and the type under `msgtype`, is this project's extension.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ceb.errors import CebFormatError
from ceb.types import CHINA_TIME, MessageType

QUERY_TIME_FORMAT = "%Y%m%d%H%M%S"  # qryid
SEND_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
REPORT_PATH = "/cebcmsg"
ACCEPTED = "OK"  # the whole answer body of an accepted (or repeated) declaration

# The guid key of each receipt type with a public pull; every other type writes `re_guid` and `msgtype`.
GUID_KEYS = {MessageType.ORDER_RECEIPT: "re_order_guid", MessageType.INVENTORY_LIST_RECEIPT: "re_elist_guid"}
_TYPE_OF_GUID_KEY = {key: message_type for message_type, key in GUID_KEYS.items()}
EXTENSION_GUID_KEY = "re_guid"
_RESERVED = frozenset({"org_id", "instm", "returnstatus", "returntime", "returntime2", "returninfo",
                       "trans_dxpid", "msgtype", EXTENSION_GUID_KEY, *GUID_KEYS.values()})
_KEY = re.compile(r"[a-z_][a-z0-9_]*")
_FIELD_SPLIT = re.compile(r", (?=[a-z_][a-z0-9_]*=)")
_AMBIGUOUS = re.compile(r", (?=[a-z_][a-z0-9_]*=|\{)")  # a value's ", " that would read as a separator
_RECORD_SPLIT = "}, {"
_XML_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>\s*")


@dataclass(frozen=True, slots=True)
class EportReport:
    """A declaration as posted to `/cebcmsg`: the head's fields and the XML it carries."""

    message_type: str  # as sent, e.g. "CEB621Message.xml"
    sender_id: str
    receiver_id: str
    xml: bytes
    message_id: str = ""
    send_time: str = ""

    @property
    def declared_type(self) -> MessageType | None:
        """The CEB message type the head names, or None when it names none."""
        try:
            return MessageType.from_root_tag(self.message_type.removesuffix(".xml"))
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class EportRecord:
    """One receipt record of a pull answer."""

    receipt_type: MessageType
    guid: str
    return_status: int
    return_time: str  # yyyyMMddHHmmssfff, China time
    return_info: str
    inserted_ms: int  # epoch ms the record was stored: what qryid is compared with
    dxp_id: str = ""  # trans_dxpid
    keys: tuple[tuple[str, str], ...] = ()  # the business keys (ebpcode, orderno, invtno ...)


def message_type_name(message_type: MessageType) -> str:
    """The head's `MessageType` of a declaration: `CEB621Message.xml`."""
    return f"{message_type.root_tag}.xml"


def wrap_report(xml: bytes, message_type: MessageType, sender_id: str, receiver_id: str,
                sent_at: dt.datetime, message_id: str = "") -> bytes:
    """The JSON body that declares `xml` (its XML declaration removed, as the channel wants)."""
    data = base64.b64encode(_XML_DECLARATION.sub(b"", xml, count=1)).decode("ascii")
    head = {"MessageId": message_id, "MessageType": message_type_name(message_type), "SenderID": sender_id,
            "ReceiverID": receiver_id, "SendTime": sent_at.strftime(SEND_TIME_FORMAT), "Version": "1.0"}
    return json.dumps({"Message": {"MessageHead": head, "MessageBody": {"data": data}}},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def unwrap_report(body: bytes) -> EportReport:
    """Read a posted declaration; CebFormatError naming the field at fault."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise CebFormatError("malformed_json", f"not a JSON document: {exc}") from None
    message = _object(document, "Message", "")
    head = _object(message, "MessageHead", "Message/")
    data = _string(_object(message, "MessageBody", "Message/"), "data", "Message/MessageBody/", 0)
    if not data:
        raise CebFormatError("missing_field", "data is required", field="Message/MessageBody/data")
    try:
        xml = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise CebFormatError("bad_format", "data is not base64", field="Message/MessageBody/data") from None
    where = "Message/MessageHead/"
    return EportReport(message_type=_string(head, "MessageType", where, 64),
                       sender_id=_string(head, "SenderID", where, 64),
                       receiver_id=_string(head, "ReceiverID", where, 64, required=False), xml=xml,
                       message_id=_string(head, "MessageId", where, 255, required=False),
                       send_time=_string(head, "SendTime", where, 64, required=False))


def _object(parent: Any, name: str, where: str) -> dict[str, Any]:
    value = parent.get(name) if isinstance(parent, dict) else None
    if not isinstance(value, dict):
        raise CebFormatError("missing_field", f"{where}{name} must be an object", field=f"{where}{name}")
    return value


def _string(parent: dict[str, Any], name: str, where: str, max_length: int, required: bool = True) -> str:
    value = parent.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise CebFormatError("missing_field", f"{name} must be a non-empty string", field=f"{where}{name}")
    if max_length and (len(value) > max_length or not value.isprintable()):
        raise CebFormatError("bad_format", f"{name} must be printable text of {max_length} characters at most",
                             field=f"{where}{name}")
    return value.strip()


# ----------------------------------------------------------------------------------- receipt pulls

def receipt_path(receipt_type: MessageType) -> str:
    """The pull path of a receipt type: `/ceb312msg`."""
    return f"/{receipt_type.value.lower()}msg"


def format_query_time(moment: dt.datetime) -> str:
    """`qryid` of an instant (China time; a naive datetime is taken as China time already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TIME)
    return moment.strftime(QUERY_TIME_FORMAT)


def parse_query_time(text: str) -> dt.datetime:
    """The instant a `qryid` names (China time); CebFormatError unless it is yyyyMMddHHmmss."""
    if len(text) != 14 or not text.isascii() or not text.isdigit():
        raise CebFormatError("bad_format", f"qryid {text[:40]!r} is not yyyyMMddHHmmss", field="qryid")
    try:
        return dt.datetime.strptime(text, QUERY_TIME_FORMAT).replace(tzinfo=CHINA_TIME)
    except ValueError:
        raise CebFormatError("bad_format", f"qryid {text!r} is not a date and time", field="qryid") from None


def render_records(records: Sequence[EportRecord]) -> str:
    """The text body of a pull answer (`[]` when empty).

    The format has no escaping: a value's `", "` before something that reads as `key=` or `{` is
    written `","`, so every record reads back as it was written."""
    return "[" + ", ".join("{" + ", ".join(f"{k}={_clean(v)}" for k, v in _fields(r)) + "}"
                           for r in records) + "]"


def _fields(record: EportRecord) -> list[tuple[str, str]]:
    guid_key = GUID_KEYS.get(record.receipt_type, EXTENSION_GUID_KEY)
    fields = [("org_id", "1"), ("instm", str(record.inserted_ms)), (guid_key, record.guid),
              ("returnstatus", str(record.return_status)), ("returntime2", record.return_time[:14])]
    if guid_key == EXTENSION_GUID_KEY:
        fields.append(("msgtype", record.receipt_type.value))
    if record.dxp_id:
        fields.append(("trans_dxpid", record.dxp_id))
    fields.append(("returninfo", record.return_info))
    millis = _return_ms(record.return_time)
    if millis is not None:
        fields.append(("returntime", str(millis)))
    for key, value in record.keys:
        name = key.lower()
        if _KEY.fullmatch(name) and name not in _RESERVED:
            fields.append((name, value))
    return fields


def _clean(value: str) -> str:
    return _AMBIGUOUS.sub(",", " ".join(value.splitlines()))


def _return_ms(return_time: str) -> int | None:
    try:
        moment = dt.datetime.strptime(return_time[:14], QUERY_TIME_FORMAT).replace(tzinfo=CHINA_TIME)
    except ValueError:
        return None
    fraction = return_time[14:17]
    return int(moment.timestamp()) * 1000 + (int(fraction) if fraction.isdigit() else 0)


def _return_time(millis: int) -> str:
    moment = dt.datetime.fromtimestamp(millis / 1000, CHINA_TIME)
    return moment.strftime(QUERY_TIME_FORMAT) + f"{millis % 1000:03d}"


def parse_records(text: str, max_records: int = 10_000, default_type: MessageType | None = None) -> list[EportRecord]:
    """Read a pull answer (untrusted): at most `max_records` records, or CebFormatError naming what
    is wrong. A record's type comes from its `msgtype`, else its guid key, else `default_type`."""
    text = text.strip()
    if not (text.startswith("[") and text.endswith("]")):
        raise CebFormatError("bad_format", f"a pull answer is a [...] list, not {text[:60]!r}")
    inner = text[1:-1].strip()
    if not inner:
        return []
    if not (inner.startswith("{") and inner.endswith("}")):
        raise CebFormatError("bad_format", "records must be {...} maps")
    chunks = inner[1:-1].split(_RECORD_SPLIT, max_records)
    if len(chunks) > max_records:
        raise CebFormatError("too_many_records", f"more than {max_records} records in one answer")
    return [_record(chunk, index, default_type) for index, chunk in enumerate(chunks, start=1)]


def _record(chunk: str, index: int, default_type: MessageType | None) -> EportRecord:
    where = f"record {index}"
    fields: dict[str, str] = {}
    for part in _FIELD_SPLIT.split(chunk):
        key, equals, value = part.partition("=")
        if not equals or not _KEY.fullmatch(key):
            raise CebFormatError("bad_format", f"{where}: {part[:60]!r} is not key=value", field=where)
        if key in fields:
            raise CebFormatError("bad_format", f"{where}: {key} appears twice", field=f"{where}/{key}")
        fields[key] = value
    receipt_type, guid = _type_and_guid(fields, where, default_type)
    millis = _integer(fields, "returntime", where, required=False)
    if millis is not None:
        return_time = _return_time(millis)
    else:
        second = fields.get("returntime2", "")
        if len(second) != 14 or not second.isdigit():
            raise CebFormatError("missing_field", f"{where}: neither returntime nor returntime2 is a time",
                                 field=f"{where}/returntime")
        return_time = second + "000"
    return EportRecord(receipt_type=receipt_type, guid=guid,
                       return_status=_integer(fields, "returnstatus", where),
                       return_time=return_time, return_info=fields.get("returninfo", ""),
                       inserted_ms=_integer(fields, "instm", where), dxp_id=fields.get("trans_dxpid", ""),
                       keys=tuple((k, v) for k, v in fields.items() if k not in _RESERVED))


def _type_and_guid(fields: dict[str, str], where: str,
                   default_type: MessageType | None) -> tuple[MessageType, str]:
    guid_keys = [key for key in (*GUID_KEYS.values(), EXTENSION_GUID_KEY) if fields.get(key)]
    if len(guid_keys) != 1:
        raise CebFormatError("missing_field", f"{where}: one of re_order_guid, re_elist_guid, re_guid is required",
                             field=f"{where}/re_guid")
    named = fields.get("msgtype")
    if named:
        try:
            receipt_type = MessageType(named)
        except ValueError:
            raise CebFormatError("bad_format", f"{where}: msgtype {named[:20]!r} is not a CEB message type",
                                 field=f"{where}/msgtype") from None
    else:
        receipt_type = _TYPE_OF_GUID_KEY.get(guid_keys[0], default_type)
    if receipt_type is None:
        raise CebFormatError("missing_field", f"{where}: no msgtype says what receipt it is", field=f"{where}/msgtype")
    return receipt_type, fields[guid_keys[0]]


def _integer(fields: dict[str, str], key: str, where: str, required: bool = True) -> int | None:
    raw = fields.get(key)
    if raw is None and not required:
        return None
    text = (raw or "").strip()
    digits = text.removeprefix("-")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise CebFormatError("bad_format" if raw else "missing_field", f"{where}: {key} {text[:20]!r} is not an integer",
                             field=f"{where}/{key}")
    return int(text)

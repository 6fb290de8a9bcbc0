"""Reading and writing CEB XML: declarations and receipts (envelopes: `ceb.dxp`).

Parsing is hostile-input safe (`ceb.safexml`): no DTD, no entity resolution, no network.
Both forms seen in the wild are read alike, the `ceb:`-prefixed one and the default-namespace one,
because lxml resolves both to the same qualified names. Mixed content (free text after an element,
as in real CEB816 tax bills) is ignored: only an element's own text is a value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cache

from lxml import etree

from ceb.documents import (
    ArrivalItem,
    ArrivalList,
    BaseTransfer,
    DeclarationHead,
    Document,
    InventoryCancel,
    InventoryItem,
    InventoryList,
    InventoryReturn,
    Message,
    Order,
    OrderItem,
    Payment,
    Receipt,
    ReturnItem,
    Waybill,
    WaybillStatus,
)
from ceb import dxp
from ceb.errors import CebFormatError
from ceb.export import (Collection, ConsolidatedWaybill, Departure, ExportCancel, ExportList, ExportListItem,
                        ExportOrder, ExportOrderItem, ExportWaybill, ParcelRef, PortArrival, SummaryApplication)
from ceb.safexml import parse_xml
from ceb.types import CEB_NAMESPACE, AppStatus, AppType, MessageType

_NS = "{%s}" % CEB_NAMESPACE


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentLayout:
    """Where a document type sits in its message: wrapper, head and repeated item elements."""

    document_class: type
    wrapper: str
    head: str | None  # None: the head's fields sit in the wrapper itself (CEB513, CEB623)
    item: str | None = None
    item_class: type | None = None


LAYOUTS: dict[MessageType, DocumentLayout] = {
    MessageType.ORDER: DocumentLayout(Order, "Order", "OrderHead", "OrderList", OrderItem),
    MessageType.PAYMENT: DocumentLayout(Payment, "Payment", "PaymentHead"),
    MessageType.WAYBILL: DocumentLayout(Waybill, "Logistics", "LogisticsHead"),
    MessageType.INVENTORY_LIST: DocumentLayout(
        InventoryList, "Inventory", "InventoryHead", "InventoryList", InventoryItem),
    MessageType.WAYBILL_STATUS: DocumentLayout(WaybillStatus, "LogisticsStatus", None),
    MessageType.ARRIVAL: DocumentLayout(ArrivalList, "Delivery", "DeliveryHead", "DeliveryList", ArrivalItem),
    MessageType.INVENTORY_CANCEL: DocumentLayout(InventoryCancel, "InvtCancel", None),
    MessageType.INVENTORY_RETURN: DocumentLayout(
        InventoryReturn, "InvtRefund", "InvtRefundHead", "InvtRefundList", ReturnItem),
    MessageType.EXPORT_ORDER: DocumentLayout(ExportOrder, "Order", "OrderHead", "OrderList", ExportOrderItem),
    MessageType.COLLECTION: DocumentLayout(Collection, "Receipts", None),
    MessageType.EXPORT_WAYBILL: DocumentLayout(ExportWaybill, "Logistics", None),
    MessageType.PORT_ARRIVAL: DocumentLayout(PortArrival, "Arrival", "ArrivalHead", "ArrivalList", ParcelRef),
    MessageType.DEPARTURE: DocumentLayout(Departure, "Departure", "DepartureHead", "DepartureList", ParcelRef),
    MessageType.EXPORT_LIST: DocumentLayout(ExportList, "Inventory", "InventoryHead", "InventoryList", ExportListItem),
    MessageType.EXPORT_CANCEL: DocumentLayout(ExportCancel, "InvtCancel", None),
    MessageType.CONSOLIDATED_WAYBILL: DocumentLayout(
        ConsolidatedWaybill, "WayBill", "WayBillHead", "WayBillList", ParcelRef),
    MessageType.SUMMARY_APPLICATION: DocumentLayout(
        SummaryApplication, "SummaryApply", "SummaryApplyHead", "SummaryApplyList", ParcelRef),
}
DECLARATION_TYPES = frozenset(LAYOUTS)


def camel(name: str) -> str:
    """The XML element name of a dataclass field: `order_no` -> `orderNo`."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    xml_name: str
    is_decimal: bool
    required: bool
    default: object


@cache
def _fields(cls: type) -> tuple[_Field, ...]:
    """The scalar fields of a document class, in element order (not `head`, not `items`)."""
    out = []
    for f in dataclasses.fields(cls):
        if f.name in ("head", "items"):
            continue
        required = f.default is dataclasses.MISSING
        out.append(_Field(f.name, camel(f.name), "Decimal" in str(f.type), required,
                          None if required else f.default))
    return tuple(out)


# ---------------------------------------------------------------------------------------- parsing

def open_envelope(body: bytes) -> tuple[bytes, etree._Element]:
    """The CEB message a body carries, bare or in a `DxpMsg` (or `DxpMsgSv`) envelope: its own bytes
    (what a signature covers) and its parsed root."""
    root = parse_xml(body)
    if not dxp.is_envelope(root):
        return body, root
    inner = dxp.unwrap_tree(root).data
    inner_root = parse_xml(inner)
    if dxp.is_envelope(inner_root):
        raise CebFormatError("unknown_root", "nested DxpMsg envelopes are not accepted")
    return inner, inner_root


def sender_of(root: etree._Element) -> str | None:
    """The `BaseTransfer/copCode` of a CEB root, when there is one (even in a message that is
    otherwise unreadable): where a format-error receipt goes."""
    code = root.findtext(_NS + "BaseTransfer/" + _NS + "copCode")
    code = (code or "").strip()
    return code if code and len(code) <= 50 and code.isprintable() else None


def message_type_of(root: etree._Element) -> MessageType:
    """The declaration type of a CEB root element; CebFormatError for anything else."""
    qname = etree.QName(root)
    try:
        message_type = MessageType.from_root_tag(qname.localname)
    except ValueError:
        message_type = None
    if qname.namespace != CEB_NAMESPACE or message_type is None:
        raise CebFormatError("unknown_root", f"unknown root element {root.tag}")
    if message_type not in DECLARATION_TYPES:
        raise CebFormatError("unsupported_message_type",
                             f"{message_type.value} is not a declaration this platform takes")
    return message_type


def parse_message(body: bytes) -> Message:
    """Parse a declaration message (or a `DxpMsg` envelope holding one)."""
    return message_from_tree(open_envelope(body)[1])


def message_from_tree(root: etree._Element) -> Message:
    """Build a `Message` from the root element of a CEB declaration."""
    message_type = message_type_of(root)
    guid = (root.get("guid") or "").strip()
    if not guid:
        raise CebFormatError("missing_field", "message has no guid attribute", field="@guid")
    if len(guid) > 36:
        raise CebFormatError("bad_format", "guid is longer than 36 characters", field="@guid")
    layout = LAYOUTS[message_type]
    documents = tuple(
        _read_document(layout, wrapper, f"{layout.wrapper}[{index}]")
        for index, wrapper in enumerate(root.iterchildren(_NS + layout.wrapper), start=1))
    if not documents:
        raise CebFormatError("missing_field", f"no {layout.wrapper} document in the message",
                             field=layout.wrapper)
    transfer = root.find(_NS + "BaseTransfer")
    if transfer is None:
        raise CebFormatError("missing_field", "no BaseTransfer", field="BaseTransfer")
    base_transfer = BaseTransfer(**_read_fields(BaseTransfer, transfer, "BaseTransfer"))
    return Message(message_type, guid, documents, base_transfer, root.get("version", "1.0"))


def _values(element: etree._Element) -> dict[str, str]:
    # Slicing the Clark-notation tag: an etree.QName per child cost most of the parse. Comments,
    # processing instructions and entity references are filtered out in lxml, not here.
    return {child.tag.rpartition("}")[2]: (child.text or "").strip()
            for child in element.iterchildren(etree.Element)}


def _read_fields(cls: type, element: etree._Element, path: str,
                 values: dict[str, str] | None = None) -> dict[str, object]:
    values = _values(element) if values is None else values
    out: dict[str, object] = {}
    for f in _fields(cls):
        raw = values.get(f.xml_name)
        if raw:
            out[f.name] = _decimal(raw, path, f.xml_name) if f.is_decimal else raw
        elif f.required:
            raise CebFormatError("missing_field", f"{f.xml_name} is required", field=f"{path}/{f.xml_name}")
        else:
            out[f.name] = f.default
    return out


def _decimal(raw: str, path: str, xml_name: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise CebFormatError("bad_format", f"{raw!r} is not a decimal amount", field=f"{path}/{xml_name}")
    return value


_APP_TYPES = frozenset(t.value for t in AppType)
_APP_STATUSES = frozenset(s.value for s in AppStatus)


def _read_head(values: dict[str, str], path: str) -> DeclarationHead:
    head = DeclarationHead(**{f.name: values.get(f.xml_name, "") for f in _fields(DeclarationHead)})
    checks = (("guid", bool(head.guid) and len(head.guid) <= 36),
              ("appType", head.app_type in _APP_TYPES),
              # Real senders emit Java's Date.toString() here too; only its presence is checked.
              ("appTime", bool(head.app_time)),
              ("appStatus", head.app_status in _APP_STATUSES))
    for xml_name, ok in checks:
        if not ok:
            raise CebFormatError("bad_format", f"{xml_name} {values.get(xml_name, '')!r} is not valid",
                                 field=f"{path}/{xml_name}")
    return head


def _read_document(layout: DocumentLayout, wrapper: etree._Element, path: str) -> Document:
    if layout.head is None:
        head_element, head_path = wrapper, path
    else:
        head_element = wrapper.find(_NS + layout.head)
        head_path = f"{path}/{layout.head}"
    if head_element is None:
        raise CebFormatError("missing_field", f"{layout.head} is required", field=head_path)
    values = _values(head_element)
    kwargs = _read_fields(layout.document_class, head_element, head_path, values)
    kwargs["head"] = _read_head(values, head_path)
    if layout.item is not None:
        items = tuple(
            layout.item_class(**_read_fields(layout.item_class, item, f"{path}/{layout.item}[{i}]"))
            for i, item in enumerate(wrapper.iterchildren(_NS + layout.item), start=1))
        if not items:
            raise CebFormatError("missing_field", f"at least one {layout.item} is required",
                                 field=f"{path}/{layout.item}")
        kwargs["items"] = items
    return layout.document_class(**kwargs)


def parse_receipts(body: bytes) -> list[Receipt]:
    """Every receipt node in a receipt message (CEB312/412/512/514/622/712/816/900 ...).

    A receipt node is any element with a `returnTime` child, at depth one or two (CEB816 nests
    `TaxHeadRd` in `Tax`). Tax bills carry `status` where other receipts carry `returnStatus`.
    """
    root = parse_xml(body)
    message_type = MessageType.from_root_tag(etree.QName(root).localname)
    receipts = []
    for node in root.iter():
        if node is root or not isinstance(node.tag, str) or node.find(_NS + "returnTime") is None:
            continue
        values = _values(node)
        status = values.pop("returnStatus", "") or values.pop("status", "") or "0"
        receipts.append(Receipt(
            message_type=message_type, guid=values.pop("guid", ""), return_status=int(status),
            return_time=values.pop("returnTime"), return_info=values.pop("returnInfo", ""),
            keys=tuple(sorted(values.items()))))
    return receipts


# --------------------------------------------------------------------------------------- rendering

def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _append_fields(parent: etree._Element, prefix: str, obj: object) -> None:
    for f in _fields(type(obj)):
        etree.SubElement(parent, prefix + f.xml_name).text = _text(getattr(obj, f.name))


def render_message(message: Message, *, prefixed: bool = True) -> bytes:
    """Serialise a declaration message, `ceb:`-prefixed (the common form) or default-namespace."""
    nsmap = {"ceb" if prefixed else None: CEB_NAMESPACE}
    root = etree.Element(_NS + message.message_type.root_tag, nsmap=nsmap,
                         guid=message.guid, version=message.version)
    layout = LAYOUTS[message.message_type]
    for document in message.documents:
        wrapper = etree.SubElement(root, _NS + layout.wrapper)
        head = wrapper if layout.head is None else etree.SubElement(wrapper, _NS + layout.head)
        _append_fields(head, _NS, document.head)
        _append_fields(head, _NS, document)
        for item in getattr(document, "items", ()) if layout.item else ():
            _append_fields(etree.SubElement(wrapper, _NS + layout.item), _NS, item)
    _append_fields(etree.SubElement(root, _NS + "BaseTransfer"), _NS, message.base_transfer)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def render_receipts(message_type: MessageType, node_name: str, guid: str,
                    receipts: Iterable[Receipt]) -> bytes:
    """Serialise receipts as one receipt message (default namespace, as platforms send them)."""
    root = etree.Element(_NS + message_type.root_tag, nsmap={None: CEB_NAMESPACE},
                         guid=guid, version="1.0")
    for receipt in receipts:
        node = etree.SubElement(root, _NS + node_name)
        etree.SubElement(node, _NS + "guid").text = receipt.guid
        for key, value in receipt.keys:
            etree.SubElement(node, _NS + key).text = value
        etree.SubElement(node, _NS + "returnStatus").text = str(receipt.return_status)
        etree.SubElement(node, _NS + "returnTime").text = receipt.return_time
        etree.SubElement(node, _NS + "returnInfo").text = receipt.return_info
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

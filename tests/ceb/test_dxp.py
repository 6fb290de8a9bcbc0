"""The DxpMsg envelope: writing, reading every form seen, refusing broken ones by field."""

import base64
import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from ceb import dxp
from ceb.codec import parse_message, parse_receipts, render_message
from ceb.errors import CebFormatError
from ceb.types import MessageType
from locustfiles.parcels import ParcelFactory

NOW = dt.datetime(2024, 6, 18, 20, 0, 5)
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "public-dxp" / \
    "zhaopei-DxpMsgSv-CEB312-downlink.xml"
CEB = b'<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="G-1" version="1.0"/>'


def message(**changes) -> dxp.DxpMessage:
    fields = dict(cop_msg_id="COP-1", sender_id="DXPENT0000500001", receiver_ids=(dxp.IMPORT_RECEIVER_ID,),
                  created=NOW, msg_type="CEB311Message", data=CEB)
    return dxp.DxpMessage(**(fields | changes))


def test_round_trip_keeps_every_field():
    original = message(receiver_ids=("DXPEDCCEB0000002", "DXPENT0000000009"))
    assert dxp.unwrap(dxp.wrap(original)) == original


def test_wrap_writes_the_standard_layout():
    root = etree.fromstring(dxp.wrap(message()))
    ns = {"d": "http://www.chinaport.gov.cn/dxp"}
    assert root.tag == "{http://www.chinaport.gov.cn/dxp}DxpMsg" and root.get("ver") == "1.0"
    assert root.findtext("d:TransInfo/d:CreatTime", namespaces=ns) == "2024-06-18T20:00:05"
    assert root.findtext("d:TransInfo/d:ReceiverIds/d:ReceiverId", namespaces=ns) == "DXPEDCCEB0000002"
    assert root.findtext("d:TransInfo/d:MsgType", namespaces=ns) == "CEB311Message"
    assert base64.b64decode(root.findtext("d:Data", namespaces=ns)) == CEB


@pytest.mark.parametrize("message_type,receiver", [
    (MessageType.ORDER, "DXPEDCCEB0000002"), (MessageType.INVENTORY_LIST, "DXPEDCCEB0000002"),
    (MessageType.EXPORT_ORDER, "DXPEDCCEB0000003"), (MessageType.SUMMARY_APPLICATION, "DXPEDCCEB0000003"),
    (MessageType.EXPORT_LIST_RECEIPT, "DXPEDCCEB0000003"), (MessageType.ORDER_RECEIPT, "DXPEDCCEB0000002"),
])
def test_receiver_follows_the_direction(message_type, receiver):
    assert dxp.receiver_for(message_type) == receiver


def _prefixed() -> bytes:
    """The same envelope with a `dxp:` prefix, an AddInfo and a signature, as other senders write it."""
    data = base64.b64encode(CEB).decode()
    return (f'<?xml version="1.0" encoding="UTF-8"?><dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp"'
            f' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ver="1.0" Id="x"><dxp:TransInfo>'
            f"<dxp:CopMsgId>COP-1</dxp:CopMsgId><dxp:SenderId>DXPENT0000500001</dxp:SenderId>"
            f"<dxp:ReceiverIds><dxp:ReceiverId>DXPEDCCEB0000002</dxp:ReceiverId></dxp:ReceiverIds>"
            f"<dxp:CreatTime>2024-06-18T20:00:05</dxp:CreatTime><dxp:MsgType>CEB311Message</dxp:MsgType>"
            f"</dxp:TransInfo><dxp:Data>\n{data[:10]}\n{data[10:]}</dxp:Data><dxp:AddInfo><dxp:FileName>f.xml"
            f"</dxp:FileName><dxp:BizKey><dxp:Key name='k'>v</dxp:Key></dxp:BizKey></dxp:AddInfo>"
            f"<ds:Signature><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></dxp:DxpMsg>").encode()


def test_any_prefix_addinfo_signature_and_wrapped_data_read_alike():
    assert dxp.unwrap(_prefixed()) == message()


def test_a_transport_node_wrapper_and_framing_byte_are_read_through():
    inner = dxp.wrap(message()).split(b"?>", 1)[1]
    wrapped = (b'\x00<DxpMsgSv xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"><SvNo Ver="1.0">'
               b"<MsgId>00000002201906281054520057087669</MsgId></SvNo>" + inner + b"</DxpMsgSv>")
    assert dxp.unwrap(wrapped) == message()


def test_the_real_downlink_sample_reads():
    if not SAMPLE.is_file():
        pytest.skip(f"the public DXP sample is not here ({SAMPLE} is absent)")
    envelope = dxp.unwrap(SAMPLE.read_bytes())
    assert envelope.sender_id == "DXPEDCCEB0000002"
    assert envelope.receiver_ids == ("DXPENT0000011951",)
    assert envelope.msg_type == "CEB312Message"
    assert envelope.created == dt.datetime(2017, 1, 2, 23, 19, 32)
    (receipt,) = parse_receipts(envelope.data)
    assert receipt.message_type is MessageType.ORDER_RECEIPT and receipt.return_status == 2
    assert receipt.guid == "ffb617c6-7349-4d92-a9c0-2c914c1678d8"


def _broken(path: str, value: str | None) -> bytes:
    root = etree.fromstring(dxp.wrap(message()))
    node = root.find("/".join("{http://www.chinaport.gov.cn/dxp}" + p for p in path.split("/")))
    if value is None:
        node.getparent().remove(node)
    else:
        node.text = value
    return etree.tostring(root)


@pytest.mark.parametrize("path,value,field", [
    ("TransInfo", None, "DxpMsg/TransInfo"),
    ("TransInfo/CopMsgId", None, "DxpMsg/TransInfo/CopMsgId"),
    ("TransInfo/CopMsgId", "x" * 256, "DxpMsg/TransInfo/CopMsgId"),
    ("TransInfo/SenderId", "  ", "DxpMsg/TransInfo/SenderId"),
    ("TransInfo/SenderId", "DXPENT00000000001", "DxpMsg/TransInfo/SenderId"),
    ("TransInfo/ReceiverIds", None, "DxpMsg/TransInfo/ReceiverIds"),
    ("TransInfo/CreatTime", "20240618200005", "DxpMsg/TransInfo/CreatTime"),
    ("TransInfo/MsgType", "C" * 31, "DxpMsg/TransInfo/MsgType"),
    ("Data", None, "DxpMsg/Data"),
    ("Data", "not base64!", "DxpMsg/Data"),
])
def test_a_broken_envelope_names_its_field(path, value, field):
    with pytest.raises(CebFormatError) as caught:
        dxp.unwrap(_broken(path, value))
    assert caught.value.field == field


def test_six_receivers_are_too_many():
    with pytest.raises(CebFormatError) as caught:
        dxp.unwrap(dxp.wrap(message(receiver_ids=("DXPENT0000000001",) * 6)))
    assert caught.value.field == "DxpMsg/TransInfo/ReceiverIds"


@pytest.mark.parametrize("body,code", [
    (b"<DxpMsg", "malformed_xml"),
    (b'<DxpMsg xmlns="urn:other"/>', "unknown_root"),
    (b'<DxpMsgSv xmlns="http://www.chinaport.gov.cn/dxp"/>', "missing_field"),
    (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><DxpMsg>&e;</DxpMsg>', "dtd_forbidden"),
])
def test_not_an_envelope_says_why(body, code):
    with pytest.raises(CebFormatError) as caught:
        dxp.unwrap(body)
    assert caught.value.code == code


def test_file_name_and_names_that_could_escape_the_folder():
    assert dxp.file_name(message()) == "CEB311Message_COP-1.xml"
    for cop in ("../up", "a/b", ".hidden", "a b", ""):
        with pytest.raises(CebFormatError):
            dxp.file_name(message(cop_msg_id=cop))


def test_codec_reads_a_declaration_through_either_envelope():
    factory = ParcelFactory(seed=5)
    order = factory.make(NOW).messages(factory.parties, factory.guid)[MessageType.ORDER]
    body = dxp.wrap(message(data=render_message(order)))
    assert parse_message(body) == order
    wrapped = b'<DxpMsgSv xmlns="http://www.chinaport.gov.cn/dxp">' + body.split(b"?>", 1)[1] + b"</DxpMsgSv>"
    assert parse_message(wrapped) == order
    with pytest.raises(CebFormatError, match="nested"):
        parse_message(dxp.wrap(message(data=body)))


def test_codec_ignores_a_signature_and_an_extend_message():
    factory = ParcelFactory(seed=6)
    order = factory.make(NOW).messages(factory.parties, factory.guid)[MessageType.ORDER]
    root = etree.fromstring(render_message(order))
    etree.SubElement(root, "{http://www.chinaport.gov.cn/ceb}ExtendMessage").text = "x"
    signature = etree.SubElement(root, "{http://www.w3.org/2000/09/xmldsig#}Signature")
    etree.SubElement(signature, "{http://www.w3.org/2000/09/xmldsig#}SignatureValue").text = "AAAA"
    assert parse_message(etree.tostring(root)) == order

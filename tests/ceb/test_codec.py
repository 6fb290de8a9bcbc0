import datetime as dt
from decimal import Decimal

import pytest

from ceb import dxp
from ceb.codec import parse_message, parse_receipts, render_message, render_receipts
from ceb.documents import Receipt
from ceb.errors import CebFormatError
from ceb.types import MessageType
from locustfiles.parcels import ParcelFactory

NOW = dt.datetime(2018, 11, 11, 0, 5, 0)


@pytest.fixture(scope="module")
def messages():
    factory = ParcelFactory(seed=3)
    return factory.make(NOW).messages(factory.parties, factory.guid)


@pytest.mark.parametrize("message_type", [MessageType.ORDER, MessageType.PAYMENT,
                                          MessageType.WAYBILL, MessageType.INVENTORY_LIST])
@pytest.mark.parametrize("prefixed", [True, False])
def test_round_trip_of_each_declaration(messages, message_type, prefixed):
    message = messages[message_type]
    body = render_message(message, prefixed=prefixed)
    assert (b"<ceb:" in body) is prefixed
    assert parse_message(body) == message


def test_several_documents_in_one_message(messages):
    order = messages[MessageType.ORDER]
    double = type(order)(order.message_type, order.guid, order.documents * 2, order.base_transfer)
    assert len(parse_message(render_message(double)).documents) == 2


def test_envelope_is_unwrapped(messages):
    inner = render_message(messages[MessageType.PAYMENT])
    body = dxp.wrap(dxp.DxpMessage("id-1", "DXPENT0000000001", (dxp.IMPORT_RECEIVER_ID,), NOW,
                                   "CEB411Message", inner))
    assert parse_message(body) == messages[MessageType.PAYMENT]


def test_amounts_are_decimals(messages):
    order = parse_message(render_message(messages[MessageType.ORDER])).documents[0]
    assert isinstance(order.actural_paid, Decimal)
    assert order.actural_paid == order.goods_value + order.freight + order.tax_total - order.discount


@pytest.mark.parametrize("body,code", [
    (b"<ceb:CEB311Message", "malformed_xml"),
    (b"", "malformed_xml"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
     "dtd_forbidden"),
    (b'<Foo xmlns="http://www.chinaport.gov.cn/ceb"/>', "unknown_root"),
    (b'<CEB311Message xmlns="urn:other" guid="A"/>', "unknown_root"),
    (b'<CEB816Message xmlns="http://www.chinaport.gov.cn/ceb" guid="A"/>', "unsupported_message_type"),
])
def test_unreadable_messages_say_why(body, code):
    with pytest.raises(CebFormatError) as caught:
        parse_message(body)
    assert caught.value.code == code


def test_missing_required_field_names_its_path(messages):
    body = render_message(messages[MessageType.ORDER]).replace(b"<ceb:orderNo>", b"<ceb:orderNoX>") \
        .replace(b"</ceb:orderNo>", b"</ceb:orderNoX>")
    with pytest.raises(CebFormatError) as caught:
        parse_message(body)
    assert caught.value.code == "missing_field"
    assert caught.value.field == "Order[1]/OrderHead/orderNo"


def test_bad_amount_names_its_path(messages):
    order = messages[MessageType.ORDER].documents[0]
    body = render_message(messages[MessageType.ORDER]).replace(
        f"<ceb:goodsValue>{order.goods_value}<".encode(), b"<ceb:goodsValue>12,5<")
    with pytest.raises(CebFormatError) as caught:
        parse_message(body)
    assert (caught.value.code, caught.value.field) == ("bad_format", "Order[1]/OrderHead/goodsValue")


def test_receipt_round_trip():
    receipt = Receipt(MessageType.INVENTORY_LIST_RECEIPT, "G-1", 800, "20181111000501123", "放行",
                      (("copNo", "C1"), ("invtNo", "80002018I000000001")))
    body = render_receipts(MessageType.INVENTORY_LIST_RECEIPT, "InventoryReturn", "M-1", [receipt])
    assert parse_receipts(body) == [receipt]


def test_every_public_sample_declaration_reads_and_round_trips(samples):
    declarations = [p for p in samples if "receipt" not in p.name and "CEB816" not in p.name]
    read = 0
    for path in declarations:
        try:
            message = parse_message(path.read_bytes())
        except CebFormatError as exc:
            assert exc.code == "unsupported_message_type", (path.name, exc.code, exc.field)
            continue
        assert parse_message(render_message(message)) == message, path.name
        read += 1
    assert read >= 25


def test_every_public_sample_receipt_reads(samples):
    for path in samples:
        if "receipt" in path.name or "CEB816" in path.name:
            receipts = parse_receipts(path.read_bytes())
            assert receipts and all(r.return_time for r in receipts), path.name

"""The e-port report channel: its JSON wrapper and the text body of its receipt pulls."""

import base64
import datetime as dt
import json

import pytest

from ceb import eport
from ceb.errors import CebFormatError
from ceb.types import CHINA_TIME, MessageType

XML = '<?xml version="1.0" encoding="UTF-8"?>\n<ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>'
SENT = dt.datetime(2022, 2, 8, 14, 6, 25)
# A 622 pull answer as the public client documents it (two of its three records).
REAL_622 = (
    "[{org_id=1, instm=1691397837000, agentcode=46016602EV, re_elist_guid_cus=9422f96b-ccbc-4a69-a899-6d9dd583d501,"
    " returnstatus=2, ebpcode=46016602EV, preno=B20230807570793612, returntime2=20230807164357, ebccode=46016602EV,"
    " createtime=20230807164351, trans_dxpid=DXPENT0000530815, returninfo=清单新增申报成功[3CQHDG-WEASLEY-20230807164348-"
    "7KYRQN][电商企业编码：46016602EV订单编号：JO_D8079556739228400022], returntime=1691397830000,"
    " re_elist_guid=3CQHDG-WEASLEY-20230807164348-7KYRQN, customscode=6409}, {org_id=1, instm=1691397847000,"
    " agentcode=46016602EV, returnstatus=800, returntime2=20230807164407, trans_dxpid=DXPENT0000530815,"
    " returninfo=[Code:2600;Desc:放行], returntime=1691397832000, re_elist_guid=4e7a2dab-064b-410b-9ce6-e322c590ae3d,"
    " customscode=6409, invtno=64092023I000722460}]")


def test_wrap_report_is_the_channels_json():
    body = json.loads(eport.wrap_report(XML.encode(), MessageType.INVENTORY_LIST, "SHOP", "PORT", SENT, "m-1"))
    head = body["Message"]["MessageHead"]
    assert head == {"MessageId": "m-1", "MessageType": "CEB621Message.xml", "SenderID": "SHOP",
                    "ReceiverID": "PORT", "SendTime": "2022-02-08 14:06:25", "Version": "1.0"}
    data = base64.b64decode(body["Message"]["MessageBody"]["data"])
    assert data == XML.split("\n", 1)[1].encode(), "the XML declaration is left out"


def test_unwrap_report_reads_what_wrap_wrote():
    report = eport.unwrap_report(eport.wrap_report(XML.encode(), MessageType.INVENTORY_LIST, "SHOP", "PORT", SENT))
    assert (report.message_type, report.sender_id, report.receiver_id) == ("CEB621Message.xml", "SHOP", "PORT")
    assert report.declared_type is MessageType.INVENTORY_LIST
    assert report.send_time == "2022-02-08 14:06:25"
    assert report.xml.startswith(b"<ceb:CEB621Message")


def _report(**head_changes) -> dict:
    body = json.loads(eport.wrap_report(XML.encode(), MessageType.INVENTORY_LIST, "SHOP", "PORT", SENT))
    body["Message"]["MessageHead"].update(head_changes)
    return body


@pytest.mark.parametrize("body,code,field", [
    (b"{not json", "malformed_json", None),
    (b"\xff\xfe\x00", "malformed_json", None),
    (b"[" * 100_000, "malformed_json", None),
    (b"[]", "missing_field", "Message"),
    (json.dumps({"Message": {"MessageBody": {"data": "AA=="}}}).encode(), "missing_field", "Message/MessageHead"),
    (json.dumps(_report(SenderID="")).encode(), "missing_field", "Message/MessageHead/SenderID"),
    (json.dumps(_report(SenderID=7)).encode(), "missing_field", "Message/MessageHead/SenderID"),
    (json.dumps(_report(MessageType="x" * 65)).encode(), "bad_format", "Message/MessageHead/MessageType"),
    (json.dumps({"Message": {"MessageHead": _report()["Message"]["MessageHead"],
                             "MessageBody": {"data": "%%%"}}}).encode(), "bad_format", "Message/MessageBody/data"),
    (json.dumps({"Message": {"MessageHead": _report()["Message"]["MessageHead"],
                             "MessageBody": {}}}).encode(), "missing_field", "Message/MessageBody/data"),
])
def test_a_malformed_report_names_what_is_wrong(body, code, field):
    with pytest.raises(CebFormatError) as caught:
        eport.unwrap_report(body)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_receipt_paths():
    assert eport.receipt_path(MessageType.ORDER_RECEIPT) == "/ceb312msg"
    assert eport.receipt_path(MessageType.INVENTORY_LIST_RECEIPT) == "/ceb622msg"
    assert eport.receipt_path(MessageType.FORMAT_ERROR_RECEIPT) == "/ceb900msg"


def test_the_documented_real_answer_parses():
    first, second = eport.parse_records(REAL_622)
    assert first.receipt_type is second.receipt_type is MessageType.INVENTORY_LIST_RECEIPT
    assert (first.guid, first.return_status, first.inserted_ms) == (
        "3CQHDG-WEASLEY-20230807164348-7KYRQN", 2, 1691397837000)
    assert first.return_time == "20230807164350000"  # returntime (epoch ms) in China time
    assert first.return_info.startswith("清单新增申报成功[3CQHDG")
    assert first.dxp_id == "DXPENT0000530815"
    assert ("re_elist_guid_cus", "9422f96b-ccbc-4a69-a899-6d9dd583d501") in first.keys
    assert (second.return_status, second.return_info) == (800, "[Code:2600;Desc:放行]")
    assert dict(second.keys)["invtno"] == "64092023I000722460"


RECORDS = [
    eport.EportRecord(MessageType.ORDER_RECEIPT, "G-1", 2, "20240618200005123", "新增申报成功[G-1]", 1718712005000,
                      "DXPENT0000500001", (("ebpcode", "E1"), ("orderno", "O-1"))),
    eport.EportRecord(MessageType.INVENTORY_LIST_RECEIPT, "G-2", 120, "20240618200006000",
                      "[Code:1800;Desc:逻辑校验通过]", 1718712006000, "DXPENT0000500001", (("invtno", "I-1"),)),
    eport.EportRecord(MessageType.PAYMENT_RECEIPT, "G-3", -301014, "20240618200007999",
                      "a, b=c, {d}, {e=f} and more", 1718712007000),
]


def test_render_then_parse_gives_the_records_back():
    assert eport.parse_records(eport.render_records(RECORDS)) == RECORDS[:2] + [
        eport.EportRecord(MessageType.PAYMENT_RECEIPT, "G-3", -301014, "20240618200007999",
                          "a,b=c,{d},{e=f} and more", 1718712007000)]


def test_render_uses_the_public_keys_and_marks_the_extension():
    text = eport.render_records(RECORDS)
    assert text.startswith("[{org_id=1, instm=1718712005000, re_order_guid=G-1, returnstatus=2,"
                           " returntime2=20240618200005")
    assert "re_elist_guid=G-2" in text and "re_guid=G-3, returnstatus=-301014" in text
    assert "msgtype=CEB412" in text and "msgtype=CEB312" not in text
    assert eport.render_records([]) == "[]" and eport.parse_records(" [] ") == []


def test_a_record_without_a_type_takes_the_default():
    text = "[{org_id=1, instm=1, re_guid=G, returnstatus=2, returntime2=20240618200005}]"
    (record,) = eport.parse_records(text, default_type=MessageType.WAYBILL_RECEIPT)
    assert record.receipt_type is MessageType.WAYBILL_RECEIPT and record.return_time == "20240618200005000"


@pytest.mark.parametrize("text,fragment", [
    ("{}", "[...] list"),
    ("[x]", "{...} maps"),
    ("[{org_id=1, instm=1, returnstatus=2, returntime=1}]", "re_order_guid"),
    ("[{instm=1, re_order_guid=G, returnstatus=two, returntime=1}]", "returnstatus 'two'"),
    ("[{re_order_guid=G, returnstatus=2, returntime=1}]", "instm"),
    ("[{instm=1, re_order_guid=G, returnstatus=2}]", "neither returntime"),
    ("[{instm=1, re_guid=G, returnstatus=2, returntime=1}]", "no msgtype"),
    ("[{instm=1, re_guid=G, msgtype=CEB999, returnstatus=2, returntime=1}]", "CEB999"),
    ("[{instm=1, instm=2, re_order_guid=G, returnstatus=2, returntime=1}]", "twice"),
    ("[{Bad Key=1}]", "not key=value"),
    ("[{instm=1, re_order_guid=G, returnstatus=2, returntime=99999999999999999999}]", "returntime"),
])
def test_a_malformed_answer_says_what_is_wrong(text, fragment):
    with pytest.raises(CebFormatError, match=fragment.replace("[", r"\[").replace("(", r"\(")):
        eport.parse_records(text)


def test_records_beyond_the_bound_are_refused_before_being_read():
    one = "{instm=1, re_order_guid=G, returnstatus=2, returntime=1}"
    assert len(eport.parse_records("[" + ", ".join([one] * 5) + "]", max_records=5)) == 5
    with pytest.raises(CebFormatError) as caught:
        eport.parse_records("[" + ", ".join([one] * 6) + "]", max_records=5)
    assert caught.value.code == "too_many_records"


def test_query_time_is_china_time():
    moment = dt.datetime(2024, 6, 18, 12, 0, 5, tzinfo=dt.timezone.utc)
    assert eport.format_query_time(moment) == "20240618200005"
    assert eport.parse_query_time("20240618200005") == moment.astimezone(CHINA_TIME)
    for bad in ("2024061820000", "2024061820000x", "20241318200005", "２０２４０６１８２００００５"):
        with pytest.raises(CebFormatError):
            eport.parse_query_time(bad)

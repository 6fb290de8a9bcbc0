"""Every intake status code of the contract, over real HTTP against a real mock platform."""

import base64
import datetime as dt

import pytest

from ceb import dxp
from ceb.codec import render_message
from ceb.types import MessageType
from tests.conftest import XML


@pytest.fixture
def order_message(factory):
    parcel = factory.make(dt.datetime(2018, 11, 11, 0, 1))
    return parcel.messages(factory.parties, factory.guid)[MessageType.ORDER]


def test_accepted_message_answers_202_with_its_identity(client, order_message):
    response = client.post("/ceb/messages", content=render_message(order_message), headers=XML)
    assert response.status_code == 202
    assert response.json() == {"guid": order_message.guid, "messageType": "CEB311", "documents": 1}


def test_identical_resubmission_is_200_duplicate(client, order_message):
    body = render_message(order_message)
    first = client.post("/ceb/messages", content=body, headers=XML)
    again = client.post("/ceb/messages", content=body, headers=XML)
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == {**first.json(), "duplicate": True}


def test_reused_guid_with_other_content_is_409(client, order_message):
    client.post("/ceb/messages", content=render_message(order_message), headers=XML)
    other = render_message(order_message, prefixed=False)
    response = client.post("/ceb/messages", content=other, headers=XML)
    assert response.status_code == 409
    assert response.json()["error"] == "guid_conflict"


def test_default_namespace_and_text_xml_are_accepted(client, order_message):
    response = client.post("/ceb/messages", content=render_message(order_message, prefixed=False),
                           headers={"Content-Type": "text/xml; charset=utf-8"})
    assert response.status_code == 202


def test_envelope_is_accepted(client, order_message):
    body = dxp.wrap(dxp.DxpMessage("cop-1", "DXPENT0000000001", (dxp.IMPORT_RECEIVER_ID,),
                                   dt.datetime(2018, 11, 11, 0, 1), "CEB311Message", render_message(order_message)))
    assert client.post("/ceb/messages", content=body, headers=XML).status_code == 202


@pytest.mark.parametrize("body,code", [
    (b"<not-closed", "malformed_xml"),
    (b'<Order xmlns="urn:x"/>', "unknown_root"),
    (b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
     b'<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="X">&b;</CEB311Message>',
     "dtd_forbidden"),
    (b'<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="X"><BaseTransfer/></CEB311Message>',
     "missing_field"),
    (b"\xff\xfe<bad utf8", "malformed_xml"),
])
def test_unreadable_bodies_are_400_with_an_error_object(client, body, code):
    response = client.post("/ceb/messages", content=body, headers=XML)
    assert response.status_code == 400
    assert response.json()["error"] == code
    assert response.json()["detail"]


def test_deep_nesting_is_refused(client):
    body = b'<CEB311Message xmlns="http://www.chinaport.gov.cn/ceb" guid="X">' + b"<a>" * 50_000 \
        + b"</a>" * 50_000 + b"</CEB311Message>"
    response = client.post("/ceb/messages", content=body, headers=XML)
    assert response.status_code == 400


def test_missing_field_names_the_field(client, order_message):
    body = render_message(order_message).replace(b"ceb:consignee>", b"ceb:receiver>")
    response = client.post("/ceb/messages", content=body, headers=XML)
    assert response.status_code == 400
    assert response.json()["field"] == "Order[1]/OrderHead/consignee"


def test_a_readable_sender_also_gets_a_ceb900_format_error_receipt(client, order_message):
    body = render_message(order_message).replace(b"ceb:consignee>", b"ceb:receiver>")
    assert client.post("/ceb/messages", content=body, headers=XML).status_code == 400
    sender = order_message.base_transfer.cop_code
    receipts = [r for r in client.get("/ceb/receipts", params={"receiver": sender, "limit": 1000}).json()["receipts"]
                if r["guid"] == order_message.guid]
    assert [(r["messageType"], r["returnStatus"]) for r in receipts] == [("CEB900", -1)]
    assert receipts[0]["keys"] == {"oriMessageType": "CEB311"}
    assert "[error:missing_field;field:Order[1]/OrderHead/consignee]" in receipts[0]["returnInfo"]
    assert "<MessageReturn>" in receipts[0]["xml"]


def test_oversized_body_is_413(client):
    body = b"<x>" + b"a" * (1024 * 1024 + 1) + b"</x>"
    response = client.post("/ceb/messages", content=body, headers=XML)
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
def test_wrong_content_type_is_415(client, order_message, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/ceb/messages", content=render_message(order_message), headers=headers)
    assert response.status_code == 415


def test_every_public_sample_declaration_is_accepted_or_conflicts(client, samples):
    """Real messages: 2xx, or 409 where a template reused a guid; never a 5xx."""
    declarations = [p for p in samples if "receipt" not in p.name and "CEB816" not in p.name]
    assert any("CEB513" in p.name for p in declarations) and any("CEB711" in p.name for p in declarations)
    statuses = {}
    for path in declarations:
        statuses[path.name] = client.post("/ceb/messages", content=path.read_bytes(),
                                          headers=XML).status_code
    assert set(statuses.values()) <= {200, 202, 409}, statuses
    assert list(statuses.values()).count(202) >= 20


def test_health_readiness_and_metrics(client, order_message):
    client.post("/ceb/messages", content=render_message(order_message), headers=XML)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json() == {"status": "ready"}
    metrics = client.get("/metrics").text
    assert 'ceb_platform_intake_messages_total{message_type="CEB311",outcome="accepted"}' in metrics
    assert "ceb_platform_intake_seconds_bucket" in metrics


def test_receipts_endpoint_checks_its_parameters(client):
    assert client.get("/ceb/receipts").status_code == 400
    assert client.get("/ceb/receipts", params={"receiver": "X", "after": "abc"}).status_code == 400
    assert client.get("/ceb/receipts", params={"receiver": "X", "after": "9" * 30}).status_code == 400
    assert client.get("/ceb/receipts", params={"receiver": "X", "limit": "٣"}).status_code == 400
    assert client.get("/ceb/receipts", params={"receiver": "X\x00"}).status_code == 400
    assert client.get("/ceb/inventories/C%00", params={"agentCode": "A"}).status_code == 400
    assert client.get("/ceb/receipts", params={"receiver": "nobody"}).json() == {"receipts": [], "next": "0"}


def test_envelope_with_bad_base64_is_400(client):
    body = (b'<dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp"><dxp:Data>'
            + base64.b64encode(b"x")[:-1] + b"!</dxp:Data></dxp:DxpMsg>")
    response = client.post("/ceb/messages", content=body, headers=XML)
    assert (response.status_code, response.json()["field"]) == (400, "DxpMsg/Data")

"""The e-port report channel of the mock platform, over real HTTP: declaring, answers, receipt pulls."""

import datetime as dt
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from ceb import dxp, eport
from ceb.codec import render_message
from ceb.types import MessageType
from locustfiles.parcels import ParcelFactory
from peakload.embedded_mock import start_mock
from tests.conftest import XML, make_database, now_china

JSON = {"Content-Type": "application/json"}
DXP_ID = "DXPENT0000501234"


@pytest.fixture(scope="module")
def eport_url(tmp_path_factory, backend) -> Iterator[str]:
    """A mock platform serving this project's contract and the e-port channel, on each backend."""
    folder = tmp_path_factory.mktemp(f"mock-eport-{backend}")
    mock = start_mock(make_database(backend, folder), folder / "mock.log",
                      ("--transport", "ceb-http,eport", "--matching-timeout", "5", "--seed", "3"))
    try:
        yield mock.url
    finally:
        mock.stop()


def report(message, message_type: MessageType, dxp_id: str = DXP_ID) -> bytes:
    return eport.wrap_report(render_message(message), message_type, dxp_id, dxp.receiver_for(message_type),
                             now_china(), message.guid)


def test_a_declaration_is_answered_ok_and_so_is_its_resend(eport_url, factory):
    order = factory.make(now_china()).messages(factory.parties, factory.guid)[MessageType.ORDER]
    with httpx.Client(base_url=eport_url) as client:
        first = client.post("/cebcmsg", content=report(order, MessageType.ORDER), headers=JSON)
        again = client.post("/cebcmsg", content=report(order, MessageType.ORDER), headers=JSON)
        same_xml = eport.unwrap_report(report(order, MessageType.ORDER)).xml  # as the channel carries it
        over_http = client.post("/ceb/messages", content=same_xml, headers=XML)
    assert (first.status_code, first.text) == (200, "OK")
    assert (again.status_code, again.text) == (200, "OK"), "a resend (a new SendTime) is a duplicate"
    assert over_http.status_code == 200 and over_http.json()["duplicate"], "one store behind both transports"


def test_refusals_are_short_texts_naming_the_reason(eport_url, factory):
    messages = factory.make(now_china()).messages(factory.parties, factory.guid)
    order = messages[MessageType.ORDER]
    with httpx.Client(base_url=eport_url) as client:
        def post(body: bytes, headers=JSON) -> httpx.Response:
            return client.post("/cebcmsg", content=body, headers=headers)

        assert post(report(order, MessageType.ORDER)).text == "OK"
        mismatch = post(report(messages[MessageType.PAYMENT], MessageType.ORDER))
        malformed = post(b'{"Message": ')
        no_sender = post(report(order, MessageType.ORDER).replace(DXP_ID.encode(), b""))
        not_json = post(report(order, MessageType.ORDER), headers=XML)
        bad_xml = post(eport.wrap_report(b"<CEB311Message", MessageType.ORDER, DXP_ID, "R", now_china()))
    assert (mismatch.status_code, mismatch.text.split(":")[0]) == (400, "message_type_mismatch")
    assert (malformed.status_code, malformed.text.split(":")[0]) == (400, "malformed_json")
    assert no_sender.status_code == 400 and "SenderID" in no_sender.text
    assert (not_json.status_code, not_json.text.split(":")[0]) == (415, "unsupported_media_type")
    assert (bad_xml.status_code, bad_xml.text.split(":")[0]) == (400, "malformed_xml")
    for answer in (mismatch, malformed, no_sender, not_json, bad_xml):
        assert answer.headers["content-type"].startswith("text/plain") and answer.text != "OK"


def test_a_guid_reused_for_other_content_is_a_conflict(eport_url, factory):
    first, second = (factory.make(now_china()).messages(factory.parties, factory.guid)[MessageType.ORDER]
                     for _ in range(2))
    reused = type(second)(second.message_type, first.guid, second.documents, second.base_transfer, second.version)
    with httpx.Client(base_url=eport_url) as client:
        assert client.post("/cebcmsg", content=report(first, MessageType.ORDER), headers=JSON).text == "OK"
        conflict = client.post("/cebcmsg", content=report(reused, MessageType.ORDER), headers=JSON)
    assert conflict.status_code == 409 and conflict.text.startswith("guid_conflict: ")


def _pull(client: httpx.Client, receipt_type: MessageType, qryid: str, dxp_id: str = DXP_ID,
          **extra: str) -> list[eport.EportRecord]:
    answer = client.get(eport.receipt_path(receipt_type), params={"dxpid": dxp_id, "qryid": qryid, **extra})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain"), answer.text
    return eport.parse_records(answer.text)


def test_receipts_are_pulled_by_dxp_id_and_time(eport_url, factory):
    since = eport.format_query_time(dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1))
    messages = factory.make(now_china()).messages(factory.parties, factory.guid)
    with httpx.Client(base_url=eport_url, timeout=10.0) as client:
        for message_type, message in messages.items():
            assert client.post("/cebcmsg", content=report(message, message_type), headers=JSON).text == "OK"
        listed = messages[MessageType.INVENTORY_LIST].documents[0].head.guid
        deadline, records = time.monotonic() + 30, []
        while time.monotonic() < deadline and not any(r.return_status == 800 for r in records):
            records = [r for r in _pull(client, MessageType.INVENTORY_LIST_RECEIPT, since) if r.guid == listed]
            time.sleep(0.1)
        orders = _pull(client, MessageType.ORDER_RECEIPT, since)
        elsewhere = _pull(client, MessageType.INVENTORY_LIST_RECEIPT, since, dxp_id="DXPENT0000599999")
        everything = _pull(client, MessageType.INVENTORY_LIST_RECEIPT, since)
        later = eport.format_query_time(dt.datetime.fromtimestamp(everything[-1].inserted_ms / 1000, dt.timezone.utc))
        from_last_second = _pull(client, MessageType.INVENTORY_LIST_RECEIPT, later)
        skipped = _pull(client, MessageType.INVENTORY_LIST_RECEIPT, since, offset="1")
        feed = client.get("/ceb/receipts", params={"receiver": factory.parties.agent.code}).json()["receipts"]
    assert [r.return_status for r in records] == [2, 120, 399, 800]
    assert all(r.receipt_type is MessageType.INVENTORY_LIST_RECEIPT and r.dxp_id == DXP_ID for r in records)
    order_guid = messages[MessageType.ORDER].documents[0].head.guid
    assert [r.return_status for r in orders if r.guid == order_guid] == [2, 120]
    assert elsewhere == [], "another DXP id's pull sees none of these"
    assert [r.inserted_ms for r in everything] == sorted(r.inserted_ms for r in everything), "oldest first"
    assert from_last_second and from_last_second[-1] == everything[-1], "the qryid second is included"
    assert all(r.inserted_ms >= eport.parse_query_time(later).timestamp() * 1000 for r in from_last_second)
    assert skipped == everything[1:]
    assert {r["returnStatus"] for r in feed if r["guid"] == listed} == {2, 120, 399, 800}, \
        "the ceb-http feed carries the same receipts"


@pytest.mark.parametrize("path,params,status", [
    ("/ceb622msg", {"qryid": "20240101000000"}, 400),
    ("/ceb622msg", {"dxpid": DXP_ID}, 400),
    ("/ceb622msg", {"dxpid": DXP_ID, "qryid": "2024-01-01"}, 400),
    ("/ceb622msg", {"dxpid": DXP_ID, "qryid": "20241301000000"}, 400),
    ("/ceb622msg", {"dxpid": DXP_ID, "qryid": "20240101000000", "offset": "-1"}, 400),
    ("/ceb622msg", {"dxpid": "D\x00", "qryid": "20240101000000"}, 400),
    ("/ceb999msg", {"dxpid": DXP_ID, "qryid": "20240101000000"}, 404),
    ("/ceb311msg", {"dxpid": DXP_ID, "qryid": "20240101000000"}, 404),
])
def test_pull_parameters_are_checked(eport_url, path, params, status):
    answer = httpx.get(eport_url + path, params=params)
    assert answer.status_code == status and answer.headers["content-type"].startswith("text/plain")


def test_only_the_transports_asked_for_are_served_and_a_full_intake_sheds(tmp_path, factory):
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log",
                      ("--transport", "eport", "--capacity", "0.5", "--queue-size", "1"))
    bodies = [report(m, mt) for mt, m in factory.make(now_china()).messages(factory.parties, factory.guid).items()]
    try:
        with httpx.Client(base_url=mock.url, timeout=10.0) as client:
            assert client.post("/ceb/messages", content=b"<x/>", headers=XML).status_code == 404
            assert client.post("/cebcmsg", content=bodies[0], headers=JSON).text == "OK"
            waiting = threading.Thread(target=client.post, args=("/cebcmsg",), kwargs={"content": bodies[1],
                                                                                        "headers": JSON})
            waiting.start()  # paced: admitted, it waits two seconds for its slot
            deadline, shed = time.monotonic() + 5, None
            while time.monotonic() < deadline and (shed is None or shed.status_code != 429):
                shed = client.post("/cebcmsg", content=bodies[2], headers=JSON)
            waiting.join()
    finally:
        mock.stop()
    assert shed.status_code == 429 and int(shed.headers["retry-after"]) >= 1
    assert shed.text.startswith("overloaded: ")

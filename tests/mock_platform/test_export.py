"""Export (出口) over real HTTP: the 9610 flow through arrival, departure and summary; local
declaration with release at another port; the rules of export lists; cancel; 总分单."""

import dataclasses
import random
import time
from typing import Iterator

import httpx
import pytest

from ceb.codec import render_message
from ceb.types import MessageType, TradeMode
from locustfiles.exports import consolidated, departure, export_cancel, export_parcel, port_arrival, summary
from locustfiles.followups import message_of
from locustfiles.parcels import GuidSource
from peakload.embedded_mock import embedded_mock
from scenarios.parties import Parties
from tests.conftest import XML, now_china

PARTIES = Parties()
AGENT, OPERATOR, CARRIER = PARTIES.agent.code, PARTIES.operator.code, PARTIES.logistics.code


@pytest.fixture(scope="module")
def http(tmp_path_factory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("mock-export")
    with embedded_mock(folder / "mock.db", folder / "mock.log", ("--matching-timeout", "5", "--seed", "4")) as url:
        with httpx.Client(base_url=url, timeout=10) as client:
            yield client


@pytest.fixture
def guid(request) -> GuidSource:
    return GuidSource(random.Random(request.node.nodeid))


def post(http, message_type, document, guid) -> str:
    response = http.post("/ceb/messages", content=render_message(message_of(message_type, document, PARTIES, guid())),
                         headers=XML)
    assert response.status_code == 202, response.text
    return document.head.guid


def receipts(http, receiver: str, guid: str, count: int, deadline_s: float = 10) -> list[dict]:
    end = time.monotonic() + deadline_s
    while True:
        got = [r for r in http.get("/ceb/receipts", params={"receiver": receiver, "limit": 1000}).json()["receipts"]
               if r["guid"] == guid]
        if len(got) >= count or time.monotonic() > end:
            return got
        time.sleep(0.05)


def statuses(http, receiver, guid, count) -> list[int]:
    return [r["returnStatus"] for r in receipts(http, receiver, guid, count)]


def declare(http, parcel, guid) -> None:
    for message_type, document in parcel.documents().items():
        post(http, message_type, document, guid)


def test_a_9610_export_flow_through_arrival_departure_and_summary(http, guid):
    seed = random.Random(1).randrange(10**6)
    parcels = [export_parcel(PARTIES, guid, seed + n, now_china()) for n in range(3)]
    elsewhere = export_parcel(PARTIES, guid, seed + 3, now_china(), port_code="5100")  # 本地报关、异地放行
    parcels.append(elsewhere)
    for parcel in parcels:
        declare(http, parcel, guid)
    lists = [p.export_list for p in parcels]
    for lst in lists:
        assert statuses(http, AGENT, lst.head.guid, 3) == [2, 120, 399]  # waits for its arrival
    early = departure(lists[:1], guid, now_china())
    assert statuses(http, CARRIER, post(http, MessageType.DEPARTURE, early, guid), 2) == [2, 100]
    assert post(http, MessageType.PORT_ARRIVAL, port_arrival(lists, PARTIES, guid, now_china()), guid)
    released = [receipts(http, AGENT, lst.head.guid, 4)[-1] for lst in lists]
    assert [r["returnStatus"] for r in released] == [800] * 4
    invt_nos = [r["keys"]["invtNo"] for r in released]
    assert all("E" in n[8:9] for n in invt_nos)
    assert released[-1]["keys"]["customsCode"] == PARTIES.customs_code != elsewhere.export_list.port_code
    master = consolidated(lists, PARTIES, guid, now_china(), invt_nos)
    assert statuses(http, AGENT, post(http, MessageType.CONSOLIDATED_WAYBILL, master, guid), 2) == [2, 120]
    assert statuses(http, CARRIER, post(http, MessageType.DEPARTURE, departure(lists, guid, now_china()), guid), 2) == [2, 120]
    assert [statuses(http, AGENT, lst.head.guid, 5)[-1] for lst in lists] == [899] * 4  # 结关
    application = summary(lists, invt_nos, PARTIES, guid, now_china())
    answered = receipts(http, AGENT, post(http, MessageType.SUMMARY_APPLICATION, application, guid), 4)
    assert [(r["messageType"], r["returnStatus"]) for r in answered] == [
        ("CEB702", 2), ("CEB702", 120), ("CEB702", 399), ("CEB792", 399)]
    result = answered[-1:]
    assert result[0]["keys"]["listCount"] == "4" and "<SummaryResult>" in result[0]["xml"]
    again = summary(lists[:1], invt_nos[:1], PARTIES, guid, now_china())
    refused = receipts(http, AGENT, post(http, MessageType.SUMMARY_APPLICATION, again, guid), 2)
    assert refused[-1]["returnStatus"] == 100 and "rule:summary_scope" in refused[-1]["returnInfo"]


@pytest.mark.parametrize("mode", [TradeMode.BONDED, TradeMode.B2B_DIRECT_EXPORT, TradeMode.EXPORT_OVERSEAS_WAREHOUSE])
def test_every_export_trade_mode_is_declared(http, guid, mode):
    parcel = export_parcel(PARTIES, guid, random.Random(str(mode)).randrange(10**6, 10**7), now_china(), trade_mode=mode)
    declare(http, parcel, guid)
    assert statuses(http, AGENT, parcel.export_list.head.guid, 3) == [2, 120, 399]


@pytest.mark.parametrize("change,rule,field", [
    (lambda p: dataclasses.replace(p, collection=dataclasses.replace(p.collection, charge=p.collection.charge + 1)),
     "collection_amount", "Receipts/charge"),
    (lambda p: dataclasses.replace(p, export_list=dataclasses.replace(p.export_list, trade_mode="0110")),
     "trade_mode_required_fields", "InventoryHead/tradeMode"),
    (lambda p: dataclasses.replace(p, export_list=dataclasses.replace(p.export_list, trade_mode="1210", ems_no="")),
     "trade_mode_required_fields", "InventoryHead/emsNo"),
])
def test_export_list_rules(http, guid, change, rule, field):
    parcel = change(export_parcel(PARTIES, guid, random.Random(rule + field).randrange(10**7, 10**8), now_china()))
    declare(http, parcel, guid)
    final = receipts(http, AGENT, parcel.export_list.head.guid, 2)[-1]
    assert final["returnStatus"] == 100 and f"rule:{rule};field:{field}" in final["returnInfo"]


def test_an_export_list_is_cancelled_before_release_only(http, guid):
    parcel = export_parcel(PARTIES, guid, random.Random("cancel").randrange(10**8, 10**9), now_china())
    declare(http, parcel, guid)
    assert statuses(http, AGENT, parcel.export_list.head.guid, 3) == [2, 120, 399]
    withdrawal = export_cancel(parcel.export_list, guid, now_china(), "order cancelled")
    assert statuses(http, AGENT, post(http, MessageType.EXPORT_CANCEL, withdrawal, guid), 3) == [2, 120, 399]
    again = export_cancel(parcel.export_list, guid, now_china(), "twice")
    assert statuses(http, AGENT, post(http, MessageType.EXPORT_CANCEL, again, guid), 2) == [2, 100]
    order = http.get(f"/ceb/inventories/{parcel.export_list.cop_no}", params={"agentCode": AGENT}).json()
    assert order["closed"] == "cancelled"

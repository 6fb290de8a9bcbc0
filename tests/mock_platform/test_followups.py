"""Follow-ups and amendments over real HTTP: CEB711 arrival gating direct mail, CEB623 cancel,
CEB625 return with the quota given back, appType 2/3, appStatus 1, CEB513 and the CEB816 tax bill."""

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Iterator

import httpx
import pytest

from ceb.codec import render_message
from ceb.tax import retail_import_tax
from ceb.types import AppStatus, AppType, MessageType, TradeMode
from locustfiles.followups import arrival_of, cancel_of, declaration_head, message_of, return_of, signed_for
from locustfiles.parcels import Parcel, ParcelFactory
from peakload.embedded_mock import embedded_mock
from tests.conftest import XML, now_china

RETURN_WINDOW_S = 30 * 86400 / 1e6  # the 30 days, compressed a million times: 2.6 s


@pytest.fixture(scope="module")
def http(tmp_path_factory) -> Iterator[httpx.Client]:
    """A mock whose customs acts at once, direct mail waits for its arrival, buyers may clear 6,000
    CNY a year, and the pet-food pilot of the positive list is on."""
    folder = tmp_path_factory.mktemp("mock-followups")
    args = ("--customs-profile", "instant", "--customs-compression", "1000000", "--arrival-required",
            "--annual-limit", "6000", "--matching-timeout", "5", "--seed", "11", "--pilot", "pet-food")
    with embedded_mock(folder / "mock.db", folder / "mock.log", args) as url:
        with httpx.Client(base_url=url, timeout=10) as client:
            yield client


def post(http, message) -> None:
    response = http.post("/ceb/messages", content=render_message(message), headers=XML)
    assert response.status_code == 202, response.text


def send(http, factory: ParcelFactory, parcel: Parcel, skip: tuple[MessageType, ...] = ()) -> dict[MessageType, str]:
    guids = {}
    for message_type, message in parcel.messages(factory.parties, factory.guid).items():
        if message_type not in skip:
            post(http, message)
        guids[message_type] = message.documents[0].head.guid
    return guids


def statuses(http, receiver: str, guid: str, until: set[int] | None = None, deadline_s: float = 10) -> list[int]:
    """The returnStatus sequence of a document's receipts (waiting for one of `until`, if given)."""
    end = time.monotonic() + deadline_s
    while True:
        got = [r["returnStatus"] for r in http.get("/ceb/receipts", params={"receiver": receiver}).json()["receipts"]
               if r["guid"] == guid]
        if until is None or set(got) & until or time.monotonic() > end:
            return got
        time.sleep(0.05)


def settle(http, receiver: str, guid: str, count: int, deadline_s: float = 10) -> list[int]:
    """A document's receipts once there are `count` of them."""
    end = time.monotonic() + deadline_s
    while True:
        got = statuses(http, receiver, guid)
        if len(got) >= count or time.monotonic() > end:
            return got
        time.sleep(0.05)


def follow_up(http, factory, message_type: MessageType, document) -> str:
    post(http, message_of(message_type, document, factory.parties, factory.guid()))
    return document.head.guid


def head(factory, app_type=AppType.NEW, app_status=AppStatus.DECLARED):
    return declaration_head(factory.guid(), now_china(), app_type, app_status)


def invt_no(http, factory, parcel) -> str:
    return http.get(f"/ceb/inventories/{parcel.inventory_list.cop_no}",
                    params={"agentCode": factory.parties.agent.code}).json()["invtNo"]


@pytest.fixture
def direct_mail(request) -> ParcelFactory:
    return ParcelFactory(seed=hash(request.node.nodeid) & 0xFFFF, trade_mode=TradeMode.DIRECT_MAIL,
                         namespace=f"D{abs(hash(request.node.nodeid)) % 10**6:06d}")


def test_direct_mail_waits_at_399_for_its_arrival_then_releases_with_a_tax_bill(http, direct_mail):
    factory = direct_mail
    parcel = factory.make(now_china())
    agent = factory.parties.agent.code
    list_guid = send(http, factory, parcel)[MessageType.INVENTORY_LIST]
    assert settle(http, agent, list_guid, 3) == [2, 120, 399]
    assert statuses(http, agent, list_guid, deadline_s=0.5) == [2, 120, 399]  # parked, not released
    arrival = arrival_of([parcel.inventory_list], head(factory), factory.parties, "RKD" + parcel.order.order_no[-8:])
    arrival_guid = follow_up(http, factory, MessageType.ARRIVAL, arrival)
    assert statuses(http, agent, list_guid, until={800})[-1] == 800
    assert settle(http, factory.parties.operator.code, arrival_guid, 2) == [2, 120]
    bills = [r for r in http.get("/ceb/receipts", params={"receiver": parcel.inventory_list.assure_code}).json()["receipts"]
             if r["messageType"] == "CEB816" and r["keys"]["orderNo"] == parcel.order.order_no]
    assert len(bills) == 1 and bills[0]["returnStatus"] == 1
    due = sum(retail_import_tax(item.total_price, Decimal(0)) for item in parcel.inventory_list.items)
    assert Decimal(bills[0]["keys"]["valueAddedTax"]) == due and "<TaxHeadRd>" in bills[0]["xml"]


def test_cancel_before_release_closes_the_list_and_is_refused_after(http, direct_mail, factory):
    agent = factory.parties.agent.code
    parked = direct_mail.make(now_china())
    guid = send(http, direct_mail, parked)[MessageType.INVENTORY_LIST]
    assert settle(http, agent, guid, 3) == [2, 120, 399]
    cancel = cancel_of(parked.inventory_list, head(direct_mail), invt_no(http, direct_mail, parked), "buyer changed mind")
    assert settle(http, agent, follow_up(http, direct_mail, MessageType.INVENTORY_CANCEL, cancel), 3) == [2, 120, 399]
    state = http.get(f"/ceb/inventories/{parked.inventory_list.cop_no}", params={"agentCode": agent}).json()
    assert state["closed"] == "cancelled" and state["returnStatus"] == 399
    arrival = arrival_of([parked.inventory_list], head(direct_mail), direct_mail.parties, "RKDX1")
    follow_up(http, direct_mail, MessageType.ARRIVAL, arrival)
    assert 800 not in statuses(http, agent, guid, until={800}, deadline_s=1)  # a cancelled list stays out

    released = factory.make(now_china())  # bonded: released at once
    guid = send(http, factory, released)[MessageType.INVENTORY_LIST]
    assert statuses(http, agent, guid, until={800})[-1] == 800
    late = cancel_of(released.inventory_list, head(factory), invt_no(http, factory, released), "too late")
    late_guid = follow_up(http, factory, MessageType.INVENTORY_CANCEL, late)
    assert settle(http, agent, late_guid, 2) == [2, 100]
    info = [r for r in http.get("/ceb/receipts", params={"receiver": agent}).json()["receipts"] if r["guid"] == late_guid]
    assert "rule:cancel_before_release;field:InvtCancel/copNo" in info[-1]["returnInfo"]


def costly(factory: ParcelFactory, buyer: str, goods: Decimal = Decimal("4000.00")) -> Parcel:
    """A parcel of `buyer` worth about 4,400 CNY (most of the fixture's 6,000 a year)."""
    parcel = factory.make(now_china())
    tax = retail_import_tax(goods, parcel.order.freight)
    paid = goods + parcel.order.freight + tax
    return dataclasses.replace(
        parcel, order=dataclasses.replace(parcel.order, buyer_id_number=buyer, goods_value=goods, tax_total=tax,
                                          actural_paid=paid, discount=Decimal("0.00")),
        payment=dataclasses.replace(parcel.payment, payer_id_number=buyer, amount_paid=paid),
        inventory_list=dataclasses.replace(parcel.inventory_list, buyer_id_number=buyer))


def test_a_return_within_the_window_gives_the_quota_back(http, factory):
    agent = factory.parties.agent.code
    buyer = factory.make(now_china()).order.buyer_id_number
    first = costly(factory, buyer)
    first_guid = send(http, factory, first)[MessageType.INVENTORY_LIST]
    assert statuses(http, agent, first_guid, until={800})[-1] == 800
    refused = send(http, factory, costly(factory, buyer))[MessageType.INVENTORY_LIST]
    assert statuses(http, agent, refused, until={100, 800})[-1] == 100  # over 6,000 this year
    back = return_of(first.inventory_list, head(factory), invt_no(http, factory, first), "damaged")
    assert settle(http, agent, follow_up(http, factory, MessageType.INVENTORY_RETURN, back), 3) == [2, 120, 399]
    state = http.get(f"/ceb/inventories/{first.inventory_list.cop_no}", params={"agentCode": agent}).json()
    assert state["closed"] == "returned"
    again = send(http, factory, costly(factory, buyer))[MessageType.INVENTORY_LIST]
    assert statuses(http, agent, again, until={100, 800})[-1] == 800  # the quota came back
    twice = return_of(first.inventory_list, head(factory), invt_no(http, factory, first), "again")
    assert settle(http, agent, follow_up(http, factory, MessageType.INVENTORY_RETURN, twice), 2) == [2, 100]


def test_a_return_after_the_window_is_refused(http, factory):
    agent = factory.parties.agent.code
    parcel = factory.make(now_china())
    guid = send(http, factory, parcel)[MessageType.INVENTORY_LIST]
    assert statuses(http, agent, guid, until={800})[-1] == 800
    time.sleep(RETURN_WINDOW_S + 0.5)  # the window itself is what is tested
    late = return_of(parcel.inventory_list, head(factory), invt_no(http, factory, parcel), "late")
    late_guid = follow_up(http, factory, MessageType.INVENTORY_RETURN, late)
    assert settle(http, agent, late_guid, 2) == [2, 100]
    receipt = [r for r in http.get("/ceb/receipts", params={"receiver": agent}).json()["receipts"]
               if r["guid"] == late_guid][-1]
    assert "rule:return_window;field:InvtRefundHead/copNo" in receipt["returnInfo"]


def test_a_list_is_amended_before_clearance_and_refused_after(http, factory, direct_mail):
    agent = factory.parties.agent.code
    parcel = factory.make(now_china())
    messages = parcel.messages(factory.parties, factory.guid)
    post(http, messages[MessageType.INVENTORY_LIST])  # alone: waits for its partners at 2
    original = messages[MessageType.INVENTORY_LIST].documents[0]
    assert settle(http, agent, original.head.guid, 1) == [2]
    amended = dataclasses.replace(original, head=head(factory, AppType.CHANGE), note="gross weight corrected",
                                  gross_weight=original.gross_weight + 1)
    follow_up(http, factory, MessageType.INVENTORY_LIST, amended)
    for message_type in (MessageType.ORDER, MessageType.PAYMENT, MessageType.WAYBILL):
        post(http, messages[message_type])
    assert statuses(http, agent, amended.head.guid, until={800}) == [2, 120, 399, 800]
    assert statuses(http, agent, original.head.guid) == [2]  # replaced, never matched

    parked = direct_mail.make(now_china())
    send(http, direct_mail, parked)
    assert settle(http, agent, parked.inventory_list.head.guid, 3) == [2, 120, 399]
    too_late = dataclasses.replace(parked.inventory_list, head=head(direct_mail, AppType.CHANGE))
    follow_up(http, direct_mail, MessageType.INVENTORY_LIST, too_late)
    assert settle(http, agent, too_late.head.guid, 2) == [2, 100]


def test_an_unmatched_order_can_be_deleted_once(http, factory):
    platform = factory.parties.platform.code
    parcel = factory.make(now_china())
    post(http, parcel.messages(factory.parties, factory.guid)[MessageType.ORDER])
    deletion = dataclasses.replace(parcel.order, head=head(factory, AppType.DELETE))
    assert settle(http, platform, follow_up(http, factory, MessageType.ORDER, deletion), 2) == [2, 120]
    again = dataclasses.replace(parcel.order, head=head(factory, AppType.DELETE))
    assert settle(http, platform, follow_up(http, factory, MessageType.ORDER, again), 2) == [2, 100]


def test_a_stored_only_list_gets_status_1_and_is_not_declared(http, factory):
    parcel = factory.make(now_china())
    stored = dataclasses.replace(parcel.inventory_list, head=head(factory, app_status=AppStatus.STORED))
    guid = follow_up(http, factory, MessageType.INVENTORY_LIST, stored)
    for message_type, message in parcel.messages(factory.parties, factory.guid).items():
        if message_type is not MessageType.INVENTORY_LIST:
            post(http, message)
    assert settle(http, factory.parties.agent.code, guid, 1) == [1]
    assert statuses(http, factory.parties.agent.code, guid, until={800}, deadline_s=1) == [1]


def test_only_a_signed_for_waybill_status_is_accepted(http, factory):
    carrier = factory.parties.logistics.code
    parcel = factory.make(now_china())
    signed = signed_for(parcel.waybill, head(factory), now_china())
    assert settle(http, carrier, follow_up(http, factory, MessageType.WAYBILL_STATUS, signed), 2) == [2, 120]
    other = dataclasses.replace(signed, head=head(factory), logistics_status="R")
    assert settle(http, carrier, follow_up(http, factory, MessageType.WAYBILL_STATUS, other), 2) == [2, 100]


def pet_food(parcel: Parcel) -> Parcel:
    item = dataclasses.replace(parcel.inventory_list.items[0], gcode="2309109000", gname="猫粮")
    return dataclasses.replace(parcel, inventory_list=dataclasses.replace(
        parcel.inventory_list, items=(item, *parcel.inventory_list.items[1:])))


def test_pet_food_clears_while_its_pilot_is_on(http, factory):
    guid = send(http, factory, pet_food(factory.make(now_china())))[MessageType.INVENTORY_LIST]
    assert statuses(http, factory.parties.agent.code, guid, until={100, 800})[-1] == 800


def test_pet_food_is_off_the_positive_list_by_default(client, factory):
    guid = send(client, factory, pet_food(factory.make(now_china())))[MessageType.INVENTORY_LIST]
    assert statuses(client, factory.parties.agent.code, guid, until={100, 800})[-1] == 100
    final = [r for r in client.get("/ceb/receipts", params={"receiver": factory.parties.agent.code}).json()["receipts"]
             if r["guid"] == guid]
    assert final[-1]["returnStatus"] == 100
    assert "rule:positive_list;field:InventoryList[1]/gcode" in final[-1]["returnInfo"]


def test_the_payment_tolerance_is_configurable(tmp_path, factory):
    parcel = factory.make(now_china())
    off_by_cent = dataclasses.replace(parcel, payment=dataclasses.replace(
        parcel.payment, amount_paid=parcel.payment.amount_paid - Decimal("0.01")))
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--amount-tolerance", "0.05")) as url, \
            httpx.Client(base_url=url, timeout=10) as tolerant:
        guid = send(tolerant, factory, off_by_cent)[MessageType.INVENTORY_LIST]
        assert statuses(tolerant, factory.parties.agent.code, guid, until={100, 800})[-1] == 800


def test_returns_sent_in_a_burst_each_find_their_released_list(tmp_path, factory):
    """Returns that arrive while the engine reads earlier returns' lists from the database wait for
    their own reading: none is refused for want of it (a cleanup returns a run's lists at once)."""
    agent = factory.parties.agent.code
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--seed", "3")) as url:
        with httpx.Client(base_url=url, timeout=10) as http:
            parcels = [factory.make(now_china()) for _ in range(40)]
            lists = [send(http, factory, parcel)[MessageType.INVENTORY_LIST] for parcel in parcels]
            assert [statuses(http, agent, guid, until={100, 800})[-1] for guid in lists] == [800] * len(lists)
            messages = [message_of(MessageType.INVENTORY_RETURN, return_of(
                parcel.inventory_list, head(factory), "0", "returned in a burst"), factory.parties, factory.guid())
                for parcel in parcels]

            def post_all(batch) -> None:  # eight senders at once, as a cleanup sends
                with httpx.Client(base_url=url, timeout=10) as sender:
                    for message in batch:
                        post(sender, message)

            with ThreadPoolExecutor(8) as pool:
                list(pool.map(post_all, [messages[i::8] for i in range(8)]))
            returns = [message.documents[0].head.guid for message in messages]
            assert [settle(http, agent, guid, 3)[-1] for guid in returns] == [399] * len(returns)

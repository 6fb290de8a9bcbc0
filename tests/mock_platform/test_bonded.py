"""The bonded warehouse (1210) end to end over HTTP: tally first, 100 orders released, an exit
batch, two returns, stock and quota restored; zone transfer; the offline channels."""

import dataclasses
import time
from collections import Counter
from decimal import Decimal

import httpx
import pytest

from ceb.codec import render_message
from ceb.tax import retail_import_tax
from ceb.types import MessageType
from locustfiles.followups import declaration_head, message_of, return_of
from locustfiles.parcels import CATALOGUE, Parcel, ParcelFactory
from peakload.embedded_mock import embedded_mock
from tests.conftest import XML, now_china

GCODE = {g.item_no: g.gcode for g in CATALOGUE}


def post_parcel(http: httpx.Client, factory: ParcelFactory, parcel: Parcel) -> str:
    for message in parcel.messages(factory.parties, factory.guid).values():
        assert http.post("/ceb/messages", content=render_message(message), headers=XML).status_code == 202
    return parcel.inventory_list.head.guid


def finals(http: httpx.Client, agent: str, guids: set[str], deadline_s: float = 30) -> dict[str, dict]:
    """The final receipt (100 or 800) of each list, once all have one."""
    end, cursor, done = time.monotonic() + deadline_s, None, {}
    while len(done) < len(guids) and time.monotonic() < end:
        page = http.get("/ceb/receipts", params={"receiver": agent, "limit": 1000,
                                                 **({"after": cursor} if cursor else {})}).json()
        for r in page["receipts"]:
            if r["guid"] in guids and r["returnStatus"] in (100, 800):
                done[r["guid"]] = r
        cursor = page["next"] or cursor
        if not page["receipts"]:
            time.sleep(0.05)
    return done


def stock(http, ems_no: str) -> dict[str, dict]:
    return http.get(f"/bonded/stock/{ems_no}").json()["items"]


def wanted(parcels) -> Counter:
    need = Counter()
    for parcel in parcels:
        for item in parcel.inventory_list.items:
            need[item.item_record_no] += item.qty
    return need


def test_tally_100_orders_exit_two_returns_and_everything_comes_back(tmp_path):
    factory = ParcelFactory(seed=1210, namespace="B1210")
    parcels = [factory.make(now_china()) for _ in range(100)]
    limit = max(p.order.actural_paid for p in parcels) + Decimal("1.00")
    ems, agent = factory.parties.ems_no, factory.parties.agent.code
    args = ("--tally-first", "--customs-profile", "instant", "--annual-limit", str(limit), "--seed", "3")
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log", args) as url, \
            httpx.Client(base_url=url, timeout=10) as http:
        early = factory.make(now_china())  # declared before any tally: refused, naming the line
        early_final = finals(http, agent, {post_parcel(http, factory, early)})
        assert "rule:bonded_stock;field:InventoryList[1]/itemRecordNo" in early_final[early.inventory_list.head.guid]["returnInfo"]

        need = wanted(parcels)
        tallied = http.post("/bonded/tally", json={"emsNo": ems, "areaCode": factory.parties.area_code, "items": [
            {"itemRecordNo": record, "gcode": GCODE[record], "qty": str(qty + 10)} for record, qty in need.items()]})
        assert tallied.status_code == 201
        released = finals(http, agent, {post_parcel(http, factory, p) for p in parcels})
        assert {r["returnStatus"] for r in released.values()} == {800} and len(released) == 100
        after_release = stock(http, ems)
        for record, qty in need.items():
            line = after_release[record]
            assert (Decimal(line["released"]), Decimal(line["reserved"]), Decimal(line["available"])) == (qty, 0, 10)

        invt_nos = [released[p.inventory_list.head.guid]["keys"]["invtNo"] for p in parcels]
        batch = http.post("/bonded/exit", json={"emsNo": ems, "invtNos": invt_nos})
        assert batch.status_code == 200 and batch.json()["lists"] == 100
        assert all(Decimal(stock(http, ems)[r]["exited"]) == q for r, q in need.items())
        again = http.post("/bonded/exit", json={"emsNo": ems, "invtNos": invt_nos[:1]})
        assert again.status_code == 422 and again.json()["field"] == "invtNos[0]"

        buyer_parcel = parcels[0]
        for parcel, invt_no in zip(parcels[:2], invt_nos[:2]):
            refund = return_of(parcel.inventory_list, declaration_head(factory.guid(), now_china()), invt_no, "退货")
            message = message_of(MessageType.INVENTORY_RETURN, refund, factory.parties, factory.guid())
            assert http.post("/ceb/messages", content=render_message(message), headers=XML).status_code == 202
        returned = wanted(parcels[:2])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            now = stock(http, ems)
            if all(Decimal(now[r]["available"]) == 10 + q for r, q in returned.items()):
                break
            time.sleep(0.05)
        for record, qty in need.items():
            assert Decimal(now[record]["exited"]) == qty - returned[record]
            assert Decimal(now[record]["available"]) == 10 + returned[record]

        # The quota came back too: the first buyer may spend nearly the whole limit again.
        goods = (limit - buyer_parcel.order.freight) / Decimal("1.091") - 1
        goods = goods.quantize(Decimal("0.01"))
        big = factory.make(now_china())
        tax = retail_import_tax(goods, big.order.freight)
        paid = goods + big.order.freight + tax
        buyer = buyer_parcel.order.buyer_id_number
        big = dataclasses.replace(
            big, order=dataclasses.replace(big.order, buyer_id_number=buyer, goods_value=goods, tax_total=tax,
                                           actural_paid=paid, discount=Decimal("0.00")),
            payment=dataclasses.replace(big.payment, payer_id_number=buyer, amount_paid=paid),
            inventory_list=dataclasses.replace(big.inventory_list, buyer_id_number=buyer))
        assert paid + buyer_parcel.order.actural_paid > limit >= paid
        http.post("/bonded/tally", json={"emsNo": ems, "areaCode": "x", "items": [
            {"itemRecordNo": i.item_record_no, "gcode": i.gcode, "qty": str(i.qty)} for i in big.inventory_list.items]})
        final = finals(http, agent, {post_parcel(http, factory, big)})
        assert final[big.inventory_list.head.guid]["returnStatus"] == 800


@pytest.fixture
def bonded(tmp_path):
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--customs-profile", "instant")) as url, \
            httpx.Client(base_url=url, timeout=10) as http:
        yield http


def test_zone_transfer_moves_only_available_stock(bonded, factory):
    record, gcode = CATALOGUE[0].item_no, CATALOGUE[0].gcode
    assert bonded.post("/bonded/tally", json={"emsNo": "T8000W000001", "areaCode": "A",
                                              "items": [{"itemRecordNo": record, "gcode": gcode, "qty": 8}]}).status_code == 201
    moved = bonded.post("/bonded/transfer", json={"fromEmsNo": "T8000W000001", "toEmsNo": "T8000W000002",
                                                  "items": [{"itemRecordNo": record, "qty": 5}]})
    assert moved.status_code == 200
    assert stock(bonded, "T8000W000001")[record]["available"] == "3"
    assert stock(bonded, "T8000W000002")[record]["available"] == "5"
    short = bonded.post("/bonded/transfer", json={"fromEmsNo": "T8000W000001", "toEmsNo": "T8000W000002",
                                                  "items": [{"itemRecordNo": record, "qty": 4}]})
    assert short.status_code == 422 and short.json()["error"] == "stock_short"
    assert stock(bonded, "T8000W000001")[record]["available"] == "3"  # all or none
    assert bonded.get("/bonded/stock/NOSUCHBOOK").status_code == 404
    assert bonded.post("/bonded/tally", json={"emsNo": "X", "items": []}).status_code == 400


def test_released_parcels_may_leave_by_an_offline_channel_and_only_once(bonded, factory):
    parcel = factory.make(now_china())
    guid = post_parcel(bonded, factory, parcel)
    invt_no = finals(bonded, factory.parties.agent.code, {guid})[guid]["keys"]["invtNo"]
    picked = bonded.post("/bonded/exit", json={"emsNo": factory.parties.ems_no, "invtNos": [invt_no],
                                               "mode": "on-site-pickup"})
    assert picked.status_code == 200 and picked.json()["exitNo"].startswith("ON-SITE-PICKUP-")
    gate = bonded.post("/bonded/exit", json={"emsNo": factory.parties.ems_no, "invtNos": [invt_no]})
    assert gate.status_code == 422 and "already left" in gate.json()["detail"]
    unknown = bonded.post("/bonded/exit", json={"emsNo": factory.parties.ems_no, "invtNos": ["80002099I999999999"]})
    assert unknown.status_code == 422 and "not a released list" in unknown.json()["detail"]

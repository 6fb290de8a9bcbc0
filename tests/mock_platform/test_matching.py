"""Three-document matching (三单对碰) and the status ladder, over real HTTP."""

import dataclasses
import time
from decimal import Decimal

import pytest

from ceb.codec import render_message
from ceb.resident_id import check_character
from ceb.tax import retail_import_tax
from locustfiles.parcels import Parcel
from scenarios.model import ParcelDefect
from tests.conftest import XML, now_china, send_parcel

FINAL = {100, 800}


def list_receipts(client, factory, list_guid: str, deadline_s: float = 15.0) -> list[dict]:
    """The list's receipts once it reaches a final status (polls with a deadline)."""
    agent = factory.parties.agent.code
    end = time.monotonic() + deadline_s
    while True:
        receipts = [r for r in client.get("/ceb/receipts", params={"receiver": agent}).json()["receipts"]
                    if r["guid"] == list_guid]
        if {r["returnStatus"] for r in receipts} & FINAL or time.monotonic() > end:
            return receipts
        time.sleep(0.05)


def test_clean_parcel_climbs_the_ladder_to_release(client, factory):
    parcel = factory.make(now_china())
    guids = send_parcel(client, factory, parcel)
    receipts = list_receipts(client, factory, guids["CEB621"])
    assert [r["returnStatus"] for r in receipts] == [2, 120, 399, 800]
    released = receipts[-1]
    assert released["keys"]["invtNo"].startswith("8000") and "I" in released["keys"]["invtNo"]
    assert released["keys"]["preNo"].startswith("B")
    assert "<InventoryReturn>" in released["xml"]
    order_receipts = client.get("/ceb/receipts",
                                params={"receiver": factory.parties.platform.code}).json()["receipts"]
    assert [r["returnStatus"] for r in order_receipts if r["guid"] == guids["CEB311"]] == [2, 120]
    state = client.get(f"/ceb/inventories/{parcel.inventory_list.cop_no}",
                       params={"agentCode": factory.parties.agent.code}).json()
    assert state["returnStatus"] == 800
    assert [h["returnStatus"] for h in state["history"]][-3:] == [120, 399, 800]


def test_documents_may_arrive_in_any_order(client, factory):
    parcel = factory.make(now_china())
    messages = parcel.messages(factory.parties, factory.guid)
    for message_type in reversed(list(messages)):
        assert client.post("/ceb/messages", content=render_message(messages[message_type]),
                           headers=XML).status_code == 202
    list_guid = messages[next(m for m in messages if m.value == "CEB621")].documents[0].head.guid
    assert list_receipts(client, factory, list_guid)[-1]["returnStatus"] == 800


@pytest.mark.parametrize("defect,rule,field", [
    (ParcelDefect.BAD_ID_CHECK_DIGIT, "buyer_id_number", "Order/buyerIdNumber"),
    (ParcelDefect.PAYMENT_AMOUNT_MISMATCH, "payment_amount_equality", "Payment/amountPaid"),
    (ParcelDefect.CONSIGNEE_MISMATCH, "consignee_equality", "Logistics/consignee"),
    (ParcelDefect.OVER_TRANSACTION_LIMIT, "per_transaction_limit", "Order/acturalPaid"),
    (ParcelDefect.MISSING_PAYMENT, "matching_timeout", "payment"),
    (ParcelDefect.ORDER_AMOUNT_MISMATCH, "order_amount_identity", "Order/acturalPaid"),
    (ParcelDefect.WRONG_TAX, "tax_rate", "Order/taxTotal"),
    (ParcelDefect.PAYER_NOT_BUYER, "payer_is_buyer", "Payment/payerIdNumber"),
    (ParcelDefect.LIST_BUYER_MISMATCH, "list_buyer_equality", "InventoryHead/buyerIdNumber"),
    (ParcelDefect.JOIN_KEY_MISMATCH, "join_key", "InventoryHead/ebcCode"),
    (ParcelDefect.BAD_ASSURE_CODE, "assure_code", "InventoryHead/assureCode"),
    (ParcelDefect.MISSING_TRADE_MODE_FIELD, "trade_mode_required_fields", "InventoryHead/emsNo"),
    (ParcelDefect.OFF_POSITIVE_LIST, "positive_list", "InventoryList[1]/gcode"),
])
def test_each_defect_is_rejected_naming_rule_and_field(client, factory, defect, rule, field):
    parcel = factory.make(now_china(), defect)
    guids = send_parcel(client, factory, parcel)
    final = list_receipts(client, factory, guids["CEB621"])[-1]
    assert final["returnStatus"] == 100
    assert f"rule:{rule};field:{field}" in final["returnInfo"]


def _with_order(parcel: Parcel, **changes) -> Parcel:
    return dataclasses.replace(parcel, order=dataclasses.replace(parcel.order, **changes))


def test_wrong_tax_is_rejected(client, factory):
    parcel = factory.make(now_china())
    order = parcel.order
    paid = order.goods_value + order.freight  # tax left out
    parcel = dataclasses.replace(
        _with_order(parcel, tax_total=Decimal("0.00"), actural_paid=paid),
        payment=dataclasses.replace(parcel.payment, amount_paid=paid))
    final = list_receipts(client, factory, send_parcel(client, factory, parcel)["CEB621"])[-1]
    assert "rule:tax_rate;field:Order/taxTotal" in final["returnInfo"]


def test_amount_identity_is_checked(client, factory):
    parcel = factory.make(now_china())
    parcel = _with_order(parcel, actural_paid=parcel.order.actural_paid + 1)
    final = list_receipts(client, factory, send_parcel(client, factory, parcel)["CEB621"])[-1]
    assert "rule:order_amount_identity" in final["returnInfo"]


def test_payer_must_be_the_buyer(client, factory):
    parcel = factory.make(now_china())
    other = factory.make(now_china()).order.buyer_id_number
    parcel = dataclasses.replace(parcel, payment=dataclasses.replace(parcel.payment, payer_id_number=other))
    final = list_receipts(client, factory, send_parcel(client, factory, parcel)["CEB621"])[-1]
    assert "rule:payer_is_buyer" in final["returnInfo"]


def test_annual_limit_counts_the_buyers_earlier_parcels(client, factory):
    first = factory.make(now_china())
    buyer = first.order.buyer_id_number
    finals = []
    for _ in range(7):
        parcel = factory.make(now_china())
        goods = Decimal("4000.00")
        tax = retail_import_tax(goods, parcel.order.freight)
        paid = goods + parcel.order.freight + tax
        parcel = dataclasses.replace(
            _with_order(parcel, buyer_id_number=buyer, goods_value=goods, tax_total=tax,
                        actural_paid=paid, discount=Decimal("0.00")),
            payment=dataclasses.replace(parcel.payment, payer_id_number=buyer, amount_paid=paid),
            inventory_list=dataclasses.replace(parcel.inventory_list, buyer_id_number=buyer))
        finals.append((parcel.order.actural_paid,
                       list_receipts(client, factory, send_parcel(client, factory, parcel)["CEB621"])[-1]))
    spent, rejected = Decimal(0), 0
    for paid, final in finals:
        if spent + paid <= Decimal(26000):
            assert final["returnStatus"] == 800
            spent += paid
        else:
            assert "rule:annual_limit" in final["returnInfo"]
            rejected += 1
    assert rejected >= 1


def test_tax_helper_matches_the_rule():
    assert retail_import_tax(Decimal("100.00"), Decimal("0.00")) == Decimal("9.10")


def test_over_annual_limit_parcels_are_rejected_once_their_buyer_is_over_the_year(client, factory):
    parcels = [factory.make(now_china(), ParcelDefect.OVER_ANNUAL_LIMIT) for _ in range(8)]
    assert len({p.order.buyer_id_number for p in parcels}) == 1
    assert [p.defect is None for p in parcels] == [True] * 5 + [False] * 3  # about 4,500 CNY each
    finals = []
    for parcel in parcels:  # one at a time, so the year fills in the order the factory counted
        finals.append(list_receipts(client, factory, send_parcel(client, factory, parcel)["CEB621"])[-1])
    for parcel, final in zip(parcels, finals):
        if parcel.defect is None:
            assert final["returnStatus"] == 800
        else:
            assert "rule:annual_limit;field:Order/buyerIdNumber" in final["returnInfo"]


def _rejection(client, factory, parcel: Parcel) -> str:
    final = list_receipts(client, factory, send_parcel(client, factory, parcel)["CEB621"])[-1]
    assert final["returnStatus"] == 100
    return final["returnInfo"]


def test_an_id_number_with_a_good_check_digit_but_an_impossible_birth_date_is_rejected(client, factory):
    parcel = factory.make(now_china())
    first17 = "11010519900230" + "001"  # 30 February
    buyer = first17 + check_character(first17)
    parcel = dataclasses.replace(
        _with_order(parcel, buyer_id_number=buyer),
        payment=dataclasses.replace(parcel.payment, payer_id_number=buyer),
        inventory_list=dataclasses.replace(parcel.inventory_list, buyer_id_number=buyer))
    assert "rule:buyer_id_number;field:Order/buyerIdNumber" in _rejection(client, factory, parcel)


def test_a_list_item_without_a_price_is_rejected(client, factory):
    parcel = factory.make(now_china())
    items = (dataclasses.replace(parcel.inventory_list.items[0], price=None),)
    parcel = dataclasses.replace(parcel, inventory_list=dataclasses.replace(parcel.inventory_list, items=items))
    assert "rule:item_price_required;field:InventoryList[1]/price" in _rejection(client, factory, parcel)


def test_a_bonded_list_from_outside_the_zone_is_rejected(client, factory):
    parcel = factory.make(now_china())
    parcel = dataclasses.replace(parcel, inventory_list=dataclasses.replace(parcel.inventory_list, country="502"))
    assert "rule:trade_mode_required_fields;field:InventoryHead/country" in _rejection(client, factory, parcel)

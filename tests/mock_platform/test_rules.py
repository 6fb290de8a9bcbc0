"""The rules as pure functions, for the cases HTTP tests do not reach."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from ceb.types import TradeMode
from locustfiles.parcels import ParcelFactory
from mock_platform.positive_list import PositiveListError, load_positive_list
from mock_platform.rules import Rule, check_inventory, check_order, three_document_match
from mock_platform.settings import Limits, Settings

NOW = dt.datetime(2018, 11, 11, 0, 1)

ALLOWED = Settings().allowed_hs_prefixes


def parcel(**kwargs):
    return ParcelFactory(seed=9, **kwargs).make(NOW)


def test_clean_parcel_passes_every_rule():
    p = parcel()
    assert check_order(p.order, Limits()) is None
    assert check_inventory(p.inventory_list, ALLOWED) is None
    assert three_document_match(p.order, p.payment, p.waybill, p.inventory_list, Limits()) is None


def test_assure_code_must_be_a_party_of_the_list():
    p = parcel()
    violation = check_inventory(dataclasses.replace(p.inventory_list, assure_code="9999999999"), ALLOWED)
    assert (violation.rule, violation.field) == (Rule.ASSURE_CODE, "InventoryHead/assureCode")


def test_bonded_list_needs_its_account_book_and_country_142():
    p = parcel()
    assert check_inventory(dataclasses.replace(p.inventory_list, ems_no=""), ALLOWED).field == "InventoryHead/emsNo"
    assert check_inventory(dataclasses.replace(p.inventory_list, country="502"), ALLOWED).field == "InventoryHead/country"


def test_direct_mail_list_needs_its_transport():
    p = parcel(trade_mode=TradeMode.DIRECT_MAIL)
    assert check_inventory(p.inventory_list, ALLOWED) is None
    violation = check_inventory(dataclasses.replace(p.inventory_list, voyage_no=""), ALLOWED)
    assert (violation.rule, violation.field) == (Rule.TRADE_MODE_FIELDS, "InventoryHead/voyageNo")


def test_amount_tolerance_is_configurable():
    p = parcel()
    off_by_a_cent = dataclasses.replace(p.payment, amount_paid=p.payment.amount_paid - Decimal("0.01"))
    strict = three_document_match(p.order, off_by_a_cent, p.waybill, p.inventory_list, Limits())
    assert strict.rule is Rule.PAYMENT_AMOUNT
    lenient = Limits(amount_tolerance_cny=Decimal("0.05"))
    assert three_document_match(p.order, off_by_a_cent, p.waybill, p.inventory_list, lenient) is None


def _with_goods(p, gcode: str):
    items = (dataclasses.replace(p.inventory_list.items[0], gcode=gcode, gname="猫粮"),)
    return dataclasses.replace(p.inventory_list, items=items)


def test_the_positive_list_admits_pet_food_only_while_its_pilot_is_on():
    p = parcel()
    off = check_inventory(_with_goods(p, "2309109000"), ALLOWED)
    assert off.rule is Rule.POSITIVE_LIST and off.field == "InventoryList[1]/gcode"
    pilot = Settings(pilots=frozenset({"pet-food"})).allowed_hs_prefixes
    assert check_inventory(_with_goods(p, "2309109000"), pilot) is None
    assert check_inventory(_with_goods(p, "9301000000"), pilot).rule is Rule.POSITIVE_LIST  # arms: never


def test_a_broken_positive_list_file_names_file_key_and_value(tmp_path):
    bad = tmp_path / "list.yaml"
    bad.write_text("categories:\n  - {hs: '33A4', name: cosmetics}\n", encoding="utf-8")
    with pytest.raises(PositiveListError, match=r"list.yaml: categories.0.hs: .*'33A4'"):
        load_positive_list(bad)

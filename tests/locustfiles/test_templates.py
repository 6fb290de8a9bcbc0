import datetime as dt

from ceb.codec import parse_message
from ceb.resident_id import problem
from ceb.types import MessageType
from locustfiles.parcels import ParcelFactory
from locustfiles.templates import ParcelTemplates
from mock_platform.rules import check_inventory, check_order, three_document_match
from mock_platform.settings import Limits, Settings

NOW = dt.datetime(2018, 11, 11, 0, 5)

ALLOWED = Settings().allowed_hs_prefixes


def test_templated_parcels_are_valid_consistent_and_unique():
    templates = ParcelTemplates(ParcelFactory(seed=2, namespace="TT"), NOW, pool_size=2)
    seen_orders, seen_guids = set(), set()
    for _ in range(5):  # wraps around the pool of two
        parcel = templates.make()
        docs = {mt: parse_message(body).documents[0] for mt, body in parcel.bodies.items()}
        order, payment = docs[MessageType.ORDER], docs[MessageType.PAYMENT]
        waybill, inventory = docs[MessageType.WAYBILL], docs[MessageType.INVENTORY_LIST]
        assert {mt: d.head.guid for mt, d in docs.items()} == parcel.document_guids
        assert order.order_no == payment.order_no == waybill.order_no == inventory.order_no
        assert waybill.logistics_no == inventory.logistics_no
        assert problem(order.buyer_id_number) is None
        assert order.buyer_id_number == payment.payer_id_number == inventory.buyer_id_number
        assert check_order(order, Limits()) is None and check_inventory(inventory, ALLOWED) is None
        assert three_document_match(order, payment, waybill, inventory, Limits()) is None
        assert order.order_no not in seen_orders
        assert not set(parcel.document_guids.values()) & seen_guids
        seen_orders.add(order.order_no)
        seen_guids |= set(parcel.document_guids.values())

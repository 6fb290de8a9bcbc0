"""Statistics and the order query after a scripted flow, against the counts the test keeps."""

import datetime as dt
import time

import httpx

from ceb.codec import render_message
from ceb.types import MessageType, TradeMode
from locustfiles.followups import arrival_of, cancel_of, declaration_head, message_of, return_of
from locustfiles.parcels import ParcelFactory
from peakload.embedded_mock import embedded_mock
from scenarios.model import ParcelDefect
from tests.conftest import XML, now_china


def test_daily_statistics_equal_the_scripted_counts(tmp_path):
    bonded = ParcelFactory(seed=81, namespace="S1210")
    direct = ParcelFactory(seed=82, namespace="S9610", trade_mode=TradeMode.DIRECT_MAIL)
    parties = bonded.parties
    args = ("--customs-profile", "instant", "--arrival-required", "--seed", "2")
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log", args) as url, \
            httpx.Client(base_url=url, timeout=10) as http:
        def post(message):
            assert http.post("/ceb/messages", content=render_message(message), headers=XML).status_code == 202

        def send(factory, parcel):
            for message in parcel.messages(factory.parties, factory.guid).values():
                post(message)
            return parcel

        def final(guid, until):
            end = time.monotonic() + 15
            while time.monotonic() < end:
                got = [r for r in http.get("/ceb/receipts", params={"receiver": parties.agent.code,
                                                                     "limit": 1000}).json()["receipts"]
                       if r["guid"] == guid]
                if got and got[-1]["returnStatus"] in until:
                    return got[-1]
                time.sleep(0.05)
            raise AssertionError(f"{guid} never reached {until}")

        clean = [send(bonded, bonded.make(now_china())) for _ in range(5)]
        defects = [send(bonded, bonded.make(now_china(), d)) for d in (
            ParcelDefect.PAYMENT_AMOUNT_MISMATCH, ParcelDefect.PAYMENT_AMOUNT_MISMATCH, ParcelDefect.CONSIGNEE_MISMATCH)]
        arriving, parked = send(direct, direct.make(now_china())), send(direct, direct.make(now_china()))
        for parcel in (arriving, parked):
            final(parcel.inventory_list.head.guid, {399})
        post(message_of(MessageType.ARRIVAL, arrival_of([arriving.inventory_list], declaration_head(direct.guid(), now_china()),
                                                        parties, "RKD1"), parties, direct.guid()))
        post(message_of(MessageType.INVENTORY_CANCEL, cancel_of(parked.inventory_list, declaration_head(direct.guid(), now_china()),
                                                                "-", "out of stock"), parties, direct.guid()))
        released = {p.inventory_list.head.guid: final(p.inventory_list.head.guid, {800}) for p in [*clean, arriving]}
        for parcel in defects:
            final(parcel.inventory_list.head.guid, {100})
        first = clean[0].inventory_list
        post(message_of(MessageType.INVENTORY_RETURN, return_of(first, declaration_head(bonded.guid(), now_china()),
                                                                released[first.head.guid]["keys"]["invtNo"], "退货"),
                        parties, bonded.guid()))
        end = time.monotonic() + 10
        while time.monotonic() < end:
            stats = http.get("/stats/daily").json()
            if stats["lists"]["returned"] == 1 and stats["lists"]["cancelled"] == 1:
                break
            time.sleep(0.05)

        assert stats["documentsByMessageType"] == {"CEB311": 10, "CEB411": 10, "CEB511": 10, "CEB621": 10,
                                                   "CEB623": 1, "CEB625": 1, "CEB711": 1}
        assert stats["documentsByEnterprise"] == {parties.platform.code: 10, parties.payment.code: 10,
                                                  parties.logistics.code: 10, parties.agent.code: 12,
                                                  parties.operator.code: 1}
        assert stats["listsByTradeMode"] == {"1210": 8, "9610": 2}
        assert stats["lists"] == {"declared": 10, "released": 6, "rejected": 3, "cancelled": 1, "returned": 1,
                                  "pending": 0}
        assert stats["rejectedByRule"] == {"consignee_equality": 1, "payment_amount_equality": 2}
        assert stats["clearanceSeconds"]["count"] == 6 and stats["clearanceSeconds"]["p99"] >= stats["clearanceSeconds"]["p50"] >= 0
        assert stats["parcels"] == 10 and stats["expressWaybills"] == 10

        yesterday = (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) - dt.timedelta(days=1)).strftime("%Y%m%d")
        assert http.get("/stats/daily", params={"date": yesterday}).json()["lists"]["declared"] == 0
        bad = http.get("/stats/daily", params={"date": "2026-11-11"})
        assert bad.status_code == 400 and bad.json()["field"] == "date"

        order = http.get(f"/ceb/orders/{parties.platform.code}/{arriving.order.order_no}").json()
        assert order["matched"] and order["inventoryList"]["returnStatus"] == 800
        assert order["payment"]["guid"] == arriving.payment.head.guid and order["waybill"] is not None
        waiting = send_order_only(http, bonded, post)
        lonely = http.get(f"/ceb/orders/{parties.platform.code}/{waiting}").json()
        assert lonely["payment"] is None and lonely["inventoryList"] is None and not lonely["matched"]
        assert http.get(f"/ceb/orders/{parties.platform.code}/NOPE").status_code == 404


def send_order_only(http, factory, post) -> str:
    parcel = factory.make(now_china())
    post(parcel.messages(factory.parties, factory.guid)[MessageType.ORDER])
    return parcel.order.order_no

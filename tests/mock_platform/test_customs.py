"""Customs' branches (300 manual review, 500 inspection, 5xx detention, 700 return abroad), the
profiles, and receipts delivered twice or out of order; pure maths and over real HTTP."""

import random
import time
from typing import Iterator

import httpx
import pytest

from ceb.types import MessageType, ReturnStatus
from locustfiles.receipt_tracker import ReceiptTracker
from mock_platform.customs import DETAINED, Branches, CustomsProfile, CustomsTiming, next_step
from peakload.embedded_mock import embedded_mock
from tests.conftest import XML, now_china

S = ReturnStatus


def walk(timing: CustomsTiming, rng: random.Random) -> list[int]:
    status, path = S.ACCEPTED, [S.ACCEPTED]
    while (step := next_step(status, timing, rng)) is not None:
        status = step[0]
        path.append(status)
    return path


def test_the_straight_path_without_branches():
    assert walk(CustomsTiming(), random.Random(1)) == [120, 399, 800]


def test_every_branch_when_its_ratio_is_one():
    always = CustomsTiming(branches=Branches(manual_review=1, inspection=1, detention=1, return_abroad=1))
    path = walk(always, random.Random(1))
    assert path[:4] == [120, 300, 399, 500] and path[4] in DETAINED and path[5:] == [700]
    released = always.model_copy(update={"branches": Branches(inspection=1, detention=1, return_abroad=0)})
    assert walk(released, random.Random(1))[-1] == 800


def test_ratios_hold_over_many_lists():
    timing = CustomsTiming(branches=Branches(manual_review=0.2, inspection=0.1))
    rng = random.Random(5)
    paths = [walk(timing, rng) for _ in range(5000)]
    assert 0.18 < sum(300 in p for p in paths) / 5000 < 0.22
    assert 0.08 < sum(500 in p for p in paths) / 5000 < 0.12


def test_profiles_and_compression():
    rng = random.Random(3)
    instant = CustomsTiming.profile(CustomsProfile.INSTANT)
    assert all(next_step(s, instant, rng)[1] == 0 for s in (S.ACCEPTED, S.CLEARED))
    realistic = CustomsTiming.profile(CustomsProfile.REALISTIC)
    assert 60 <= realistic.wait(realistic.release, rng) <= 1800  # a minute to half an hour
    assert realistic.branches.inspection > 0
    compressed = CustomsTiming.profile(CustomsProfile.REALISTIC, compression=600)
    assert 0.1 <= compressed.wait(compressed.release, rng) <= 3  # the same, 600 times faster


@pytest.fixture(scope="module")
def branching(tmp_path_factory) -> Iterator[httpx.Client]:
    """Customs at the default pace; every list reviewed, inspected and detained; half returned
    abroad; receipts duplicated and
    resent late a third of the time each."""
    folder = tmp_path_factory.mktemp("mock-customs")
    args = ("--manual-review", "1", "--inspection", "1", "--detention", "1",
            "--return-abroad", "0.5", "--duplicate-receipts", "0.33", "--reorder-receipts", "0.33", "--seed", "5")
    with embedded_mock(folder / "mock.db", folder / "mock.log", args) as url:
        with httpx.Client(base_url=url, timeout=10) as client:
            yield client


def test_lists_take_every_branch_and_receipts_repeat_and_reorder(branching, factory):
    from ceb.codec import render_message
    agent = factory.parties.agent.code
    tracker, lists = ReceiptTracker(), []
    for _ in range(12):
        parcel = factory.make(now_china())
        for message_type, message in parcel.messages(factory.parties, factory.guid).items():
            assert branching.post("/ceb/messages", content=render_message(message), headers=XML).status_code == 202
            if message_type is MessageType.INVENTORY_LIST:
                lists.append(message.documents[0].head.guid)
                tracker.list_sent(lists[-1], len(lists), False, 0.0)
    deadline = time.monotonic() + 15
    while True:
        receipts = branching.get("/ceb/receipts", params={"receiver": agent, "limit": 1000}).json()["receipts"]
        finals = {r["guid"] for r in receipts if r["returnStatus"] in (700, 800) and r["guid"] in lists}
        if len(finals) == len(lists) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    by_list = {guid: [r for r in receipts if r["guid"] == guid] for guid in lists}
    for guid, mine in by_list.items():
        seen = sorted({(r["returnTime"], r["returnStatus"]) for r in mine})
        path = [status for _, status in seen]
        assert path[:5] == [2, 120, 300, 399, 500] and path[5] in (501, 502, 503, 599), path
        assert path[6] in (700, 800)
    finals = [sorted({(r["returnTime"], r["returnStatus"]) for r in mine})[-1][1] for mine in by_list.values()]
    assert {700, 800} <= set(finals)  # both outcomes of a detention
    delivered = [r for mine in by_list.values() for r in mine]
    keys = [(r["guid"], r["returnStatus"], r["returnTime"]) for r in delivered]
    assert len(keys) > len(set(keys))  # some receipts came twice
    late = sum(1 for mine in by_list.values() for a, b in zip(mine, mine[1:]) if b["returnTime"] < a["returnTime"])
    assert late > 0  # and some older receipts after newer ones
    for r in delivered:  # the harness's consumer ends at the newest status of every list
        tracker.observe(r["guid"], r["returnStatus"], r["returnTime"], 1.0)
    assert tracker.duplicates > 0
    assert [tracker.status(guid) for guid in lists] == finals

"""Every document of a plan carries the run's tag where a platform can route on it: the note of its
head and of its BaseTransfer, and the start of its copNo, orderNo and logisticsNo; a store-only
plan declares nothing (appStatus 1)."""

from pathlib import Path

import pytest

from ceb.codec import message_from_tree, open_envelope
from locustfiles.parcels import Declaring, run_note
from locustfiles.schedule import send_plan
from scenarios.loader import load

DATA = Path(__file__).resolve().parents[1] / "data"
NUMBERS = ("cop_no", "order_no", "logistics_no")


@pytest.mark.parametrize("name", ["flows", "export", "mix"])
def test_every_document_of_a_plan_carries_the_tag(name):
    scenario = load(str(DATA / f"{name}.yaml")).with_id_tag("T7")
    checked = 0
    for worker in (0, 1):
        for job in send_plan(scenario, worker, 2):
            message = message_from_tree(open_envelope(job.body)[1])
            assert run_note("T7") == "PEAKLOAD-TEST T7" and message.base_transfer.note.startswith(run_note("T7"))
            for document in message.documents:
                assert document.note.startswith("PEAKLOAD-TEST T7"), (job.message_type, document.note)
                numbers = [getattr(document, field) for field in NUMBERS if getattr(document, field, "")]
                assert all(number.startswith("T7") for number in numbers), (job.message_type, numbers)
                assert document.head.app_status == "2"
            assert job.keys is not None and all(job.keys[k].startswith("T7") for k in ("copNo", "orderNo", "logisticsNo"))
            checked += 1
    assert checked > 100


def test_a_store_only_plan_declares_nothing():
    scenario = load(str(DATA / "flows.yaml")).with_id_tag("S1")
    heads = [message_from_tree(open_envelope(job.body)[1]).documents[0].head
             for job in send_plan(scenario, declaring=Declaring(store_only=True))]
    assert heads and {head.app_status for head in heads} == {"1"}

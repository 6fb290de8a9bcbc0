import tracemalloc
from collections import Counter

from ceb.codec import parse_message
from ceb.types import MessageType
from locustfiles.receipt_tracker import ReceiptTracker
from locustfiles.schedule import send_plan
from scenarios.loader import load
from tests.peakload.test_run import TINY


def test_plan_is_in_time_order_with_every_document_of_every_parcel():
    jobs = list(send_plan(load(str(TINY))))
    assert [j.intended_s for j in jobs] == sorted(j.intended_s for j in jobs)
    per_parcel = Counter(j.parcel for j in jobs)
    assert set(per_parcel.values()) <= {3, 4}  # a parcel missing its payment sends three
    orders = [j for j in jobs if j.message_type is MessageType.ORDER]
    assert len(orders) == 80
    first_list = next(j for j in jobs if j.message_type is MessageType.INVENTORY_LIST)
    assert parse_message(first_list.body).documents[0].head.guid == first_list.document_guid


def test_plan_is_reproducible_and_workers_split_it_without_collisions():
    scenario = load(str(TINY))
    assert [j.body for j in send_plan(scenario)][:20] == [j.body for j in send_plan(scenario)][:20]
    halves = [list(send_plan(scenario, i, 2)) for i in (0, 1)]
    orders = [[j for j in half if j.message_type is MessageType.ORDER] for half in halves]
    assert len(orders[0]) + len(orders[1]) == 80
    order_numbers = [parse_message(j.body).documents[0].order_no for half in orders for j in half]
    assert len(set(order_numbers)) == len(order_numbers)


def test_receipt_tracker_drops_duplicates_and_stale_receipts():
    tracker = ReceiptTracker()
    tracker.order_sent("O1", 1, 0.0)
    tracker.list_sent("L1", 1, False, 0.5)
    tracker.observe("L1", 120, "20181111000001000", 1.0)
    tracker.observe("L1", 800, "20181111000003000", 3.0)
    tracker.observe("L1", 800, "20181111000003000", 3.5)  # duplicate
    tracker.observe("L1", 399, "20181111000002000", 4.0)  # late, older than 800
    assert tracker.status("L1") == 800
    assert (tracker.duplicates, tracker.stale) == (1, 1)
    assert tracker.outstanding == 0 and tracker.clean_released == 1
    assert tracker.clearance.get_max_value() >= 2_500_000
    tracker.observe("SOMEONE-ELSES", 800, "20181111000003000", 5.0)  # another process's list
    assert tracker.by_status[800] == 1


FLOWS = TINY.with_name("flows.yaml")


def test_followups_come_after_their_list_in_their_fractions():
    jobs = list(send_plan(load(str(FLOWS))))
    by_type = Counter(j.message_type for j in jobs)
    assert by_type[MessageType.WAYBILL_STATUS] == by_type[MessageType.ARRIVAL] == 80
    side = by_type[MessageType.INVENTORY_CANCEL] + by_type[MessageType.INVENTORY_RETURN]
    amended = by_type[MessageType.INVENTORY_LIST] - 80
    assert 8 <= side + amended <= 40  # 30% of 80 parcels take one side path
    lists = {j.parcel: j for j in jobs if j.message_type is MessageType.INVENTORY_LIST and j.document_guid
             and parse_message(j.body).documents[0].head.app_type == "1"}
    for job in jobs:
        if job.message_type in (MessageType.ARRIVAL, MessageType.INVENTORY_CANCEL, MessageType.INVENTORY_RETURN):
            assert job.intended_s >= lists[job.parcel].intended_s
    cancelled = {j.parcel for j in jobs if j.message_type is MessageType.INVENTORY_CANCEL}
    assert all(lists[p].withdrawn for p in cancelled)
    for job in jobs:  # every follow-up names its own parcel's list
        if job.message_type in (MessageType.INVENTORY_CANCEL, MessageType.INVENTORY_RETURN):
            named = parse_message(job.body).documents[0]
            listed = parse_message(lists[job.parcel].body).documents[0]
            assert (named.agent_code, named.cop_no, named.order_no) == (listed.agent_code, listed.cop_no, listed.order_no)


def test_a_mix_splits_parcels_between_platforms_and_trade_modes_by_weight():
    scenario = load(str(TINY.with_name("mix.yaml")))
    lists = [parse_message(j.body).documents[0] for j in send_plan(scenario)
             if j.message_type is MessageType.INVENTORY_LIST]
    by_mode = Counter((lst.trade_mode, lst.ebp_code, lst.agent_code) for lst in lists)
    assert set(by_mode) == {("1210", "5001960001", "5001960004"), ("9610", "5001970001", "5001970004")}
    assert 0.6 < by_mode[("1210", "5001960001", "5001960004")] / len(lists) < 0.9
    assert {"5001960001", "5001970001", "5001970004"} <= set(scenario.receivers)
    assert len({lst.cop_no for lst in lists}) == len(lists)


def test_an_export_channel_plans_its_four_declarations_and_the_port_reports():
    jobs = list(send_plan(load(str(TINY.with_name("export.yaml")))))
    by_type = Counter(j.message_type for j in jobs)
    exports = by_type[MessageType.EXPORT_LIST]
    assert 20 < exports < 60 and by_type[MessageType.INVENTORY_LIST] == 80 - exports
    for message_type in (MessageType.EXPORT_ORDER, MessageType.COLLECTION, MessageType.EXPORT_WAYBILL,
                         MessageType.PORT_ARRIVAL, MessageType.DEPARTURE):
        assert by_type[message_type] == exports
    assert by_type[MessageType.ARRIVAL] == 0  # no CEB711 for bonded imports
    numbers = [parse_message(j.body).documents[0].order_no for j in jobs if j.message_type is MessageType.EXPORT_LIST]
    assert len(set(numbers)) == len(numbers)


def export_variant(tmp_path, old: str, new: str) -> list:
    """The plan of tests/data/export.yaml with one line changed."""
    path = tmp_path / "export-variant.yaml"
    path.write_text(TINY.with_name("export.yaml").read_text().replace(old, new), encoding="utf-8")
    return list(send_plan(load(str(path))))


def test_export_defects_fall_on_export_parcels_only(tmp_path):
    jobs = export_variant(tmp_path, "export: {summary_every: 1s}",
                          "export: {summary_every: 1s}\ndefects: {collection_amount_mismatch: 0.5}")
    collections = [parse_message(j.body).documents[0] for j in jobs if j.message_type is MessageType.COLLECTION]
    orders = {d.order_no: d for d in (parse_message(j.body).documents[0] for j in jobs
                                      if j.message_type is MessageType.EXPORT_ORDER)}
    off = [c for c in collections if c.charge != orders[c.order_no].goods_value + orders[c.order_no].freight]
    assert 0.2 < len(off) / len(collections) < 0.8
    flagged = [j for j in jobs if j.defect is not None]
    assert flagged and all(j.message_type is MessageType.EXPORT_LIST for j in flagged)


def test_export_messages_travel_in_the_envelope_too(tmp_path):
    jobs = export_variant(tmp_path, "generator: {concurrency: 16,", "generator: {envelope: true, concurrency: 16,")
    assert all(j.body.lstrip().startswith(b"<?xml") and b"DxpMsg" in j.body[:200] for j in jobs)
    exported = [j for j in jobs if j.message_type is MessageType.EXPORT_LIST]
    assert exported and parse_message(exported[0].body).documents[0].head.guid == exported[0].document_guid


def _replay_parcels(tracker: ReceiptTracker, first: int, count: int) -> None:
    """Parcels whose four documents get their receipts (each new strings, as read from JSON) and
    whose list is released, with one duplicate each."""
    for parcel in range(first, first + count):
        guids = [f"{kind}-{parcel:08d}-0000-0000-000000000000" for kind in ("ORD", "PAY", "WAY", "LST")]
        tracker.order_sent(guids[0], parcel, 0.0)
        tracker.document_sent(guids[1])
        tracker.document_sent(guids[2])
        tracker.list_sent(guids[3], parcel, False, 0.0)
        for guid in guids[:3]:
            for status in (2, 120):
                tracker.observe("".join(guid), status, f"2018111100{parcel % 10_000:04d}000", 1.0)
        for status in (2, 120, 399, 800, 800):
            tracker.observe("".join(guids[3]), status, f"2018111100{parcel % 10_000:04d}{status:03d}", 2.0)


def test_receipt_tracker_memory_stays_in_proportion_to_what_is_in_flight():
    tracker = ReceiptTracker(recent_window=20_000)
    _replay_parcels(tracker, 0, 20_000)  # the windows fill up
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    _replay_parcels(tracker, 20_000, 40_000)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert tracker.clean_released == tracker.clean_lists_sent == 60_000 and tracker.outstanding == 0
    assert tracker.duplicates == 60_000 and tracker.by_status[800] == 60_000
    # Every document's hash stays (about 500 bytes a parcel with the set's slack); receipts, lists and
    # order times do not: keeping them all took 3,300 bytes a parcel.
    assert grown / 40_000 < 1_000, f"{grown / 40_000:.0f} bytes a parcel"


def _identifiers(scenario, worker_index: int = 0, worker_count: int = 1) -> set[str]:
    """Every guid and business number the plan's documents carry."""
    found = set()
    for job in send_plan(scenario, worker_index, worker_count):
        message = parse_message(job.body)
        found.add(message.guid)
        for document in message.documents:
            found.add(document.head.guid)
            found.update(getattr(document, name) for name in ("order_no", "logistics_no", "cop_no")
                         if getattr(document, name, ""))
    return found


def test_workers_of_a_run_and_differently_tagged_runs_share_no_identifier():
    scenario = load(str(FLOWS))
    first, second = _identifiers(scenario, 0, 2), _identifiers(scenario, 1, 2)
    assert first and second and not first & second  # copNo included: it collided across workers
    tagged = scenario.model_copy(update={"generator": scenario.generator.model_copy(update={"id_tag": "P01"})})
    assert not _identifiers(scenario) & _identifiers(tagged)
    assert _identifiers(scenario) == _identifiers(scenario)  # the same tag: the same run
    assert all(len(lst.cop_no) <= 20 for j in send_plan(tagged) if j.message_type is MessageType.INVENTORY_LIST
               for lst in parse_message(j.body).documents)

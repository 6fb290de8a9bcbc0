"""Time and scale at run time: windows, compression and rate scaling of library scenarios, checked
against the curve they come from and against the arrivals the generator plans."""

import datetime as dt
import itertools
import random

import pytest
import yaml

from ceb.types import MessageType
from locustfiles.schedule import send_plan
from scenarios.curves import arrival_times, orders_between, rate_at
from scenarios.figures import figures, lead_in_documents
from scenarios.loader import library_names, load
from scenarios.model import Scenario
from scenarios.replay import Replay, ReplayError, cut, parse_window, replayed
from scenarios.writer import to_yaml


def per_ten_seconds(times, duration_s):
    counts = [0] * int(duration_s // 10)
    for t in times:
        if int(t // 10) < len(counts):
            counts[int(t // 10)] += 1
    return counts


def offset(scenario, moment):
    return (moment - scenario.clock.start).total_seconds()


@pytest.mark.parametrize("name, window", [("double11-midnight-hour", "00:00..00:10"),
                                          ("double11-2018", "00:00..00:10"),
                                          ("618-peak-hour", "00:05..00:15")])
def test_a_window_at_compression_1_plans_what_the_curve_says_every_10_s(name, window):
    festival = load(name)
    stretch = replayed(festival, Replay(window=window, compression=1))
    start = offset(festival, stretch.clock.start)
    times = list(arrival_times(stretch.compiled_curve(), stretch.clock.compression))
    counts = per_ten_seconds(times, stretch.clock.duration_s)
    assert len(counts) == 60
    for i, count in enumerate(counts):  # the festival's own curve, over the same 10 s of its clock
        intended = orders_between(festival.compiled_curve(), start + 10 * i, start + 10 * (i + 1))
        assert count == pytest.approx(intended, rel=0.01) and abs(count - intended) <= 1, (i, count, intended)
    assert len(times) == pytest.approx(figures(stretch).orders_sent, abs=1)


def test_the_generator_plans_the_window_s_orders_at_the_curve_s_times():
    stretch = replayed(load("double11-midnight-hour"), Replay(window="00:02..00:03"))
    orders = [job.intended_s for job in itertools.takewhile(
        lambda job: job.intended_s < 60, send_plan(stretch)) if job.message_type is MessageType.ORDER]
    assert per_ten_seconds(orders, 60) == pytest.approx([1500] * 6, abs=1)  # the plateau, 150/s


def test_rate_scale_2_doubles_every_window_s_count():
    festival = load("double11-2018")
    single = replayed(festival, Replay(window="23:58..00:08", compression=1))
    double = replayed(festival, Replay(window="23:58..00:08", compression=1, rate_scale=2))
    ones = per_ten_seconds(arrival_times(single.compiled_curve(), 1), 600)
    twos = per_ten_seconds(arrival_times(double.compiled_curve(), 1), 600)
    assert all(abs(two - 2 * one) <= 2 for one, two in zip(ones, twos)) and sum(ones) > 50_000
    assert figures(double).orders_sent == pytest.approx(2 * figures(single).orders_sent)
    assert double.baseline_orders_per_day == 2 * festival.baseline_orders_per_day


def test_forecast_peak_scales_the_festival_to_it_whatever_the_window():
    festival = load("618-2022")
    assert figures(replayed(festival, Replay(forecast_peak=135))).peak_orders_per_s == pytest.approx(135)
    scale = replayed(festival, Replay(forecast_peak=135, window="2022-06-01T00:00..2022-06-02T00:00"))
    plain = replayed(festival, Replay(window="2022-06-01T00:00..2022-06-02T00:00"))
    assert figures(scale).orders_real == pytest.approx(1.5 * figures(plain).orders_real)


def test_compression_changes_time_not_rates():
    festival = load("double11-2018")
    real_time = replayed(festival, Replay(compression=1))
    f, g = figures(festival), figures(real_time)
    assert g.run_duration_s == 7 * 3600 and g.peak_orders_per_s == f.peak_orders_per_s
    assert g.orders_sent == pytest.approx(f.orders_real) and g.near_peak_wall_s == pytest.approx(
        120 * f.near_peak_wall_s)


@pytest.mark.parametrize("name", library_names())
def test_a_cut_draws_the_same_curve_as_the_whole(name):
    festival = load(name)
    whole = festival.compiled_curve()
    rng = random.Random(name)
    for _ in range(5):
        a, b = sorted(rng.uniform(0, festival.clock.duration_s) for _ in range(2))
        pieces = Scenario.model_validate({**festival.model_dump(by_alias=True), "curve": [
            s.model_dump(by_alias=True) for s in cut(whole, a, b)], "clock": {
                **festival.clock.model_dump(by_alias=True), "duration": b - a}}).compiled_curve()
        for t in (rng.uniform(0, b - a) for _ in range(50)):
            assert rate_at(pieces, t) == pytest.approx(rate_at(whole, a + t), rel=1e-9, abs=1e-9)
        assert orders_between(pieces, 0, b - a) == pytest.approx(orders_between(whole, a, b), rel=1e-9)


def test_a_window_keeps_a_lead_in_whose_documents_fall_in_it():
    festival = load("double11-midnight-hour")
    stretch = replayed(festival, Replay(window="00:20..00:30"))
    assert stretch.clock.lead_in_s == pytest.approx(20 * 60)  # the waves' reach: lists up to 20 min
    assert stretch.clock.window and (stretch.clock.start.hour, stretch.clock.start.minute) == (0, 20)
    lead_in = stretch.lead_in_curve()
    assert orders_between(lead_in, 0, 1200) == pytest.approx(
        orders_between(festival.compiled_curve(), offset(festival, stretch.clock.start) - 1200,
                       offset(festival, stretch.clock.start)))
    # The plateau's waybills and lists fall due in 00:20-00:30: more documents than its own orders.
    assert lead_in_documents(stretch) > 2 * figures(stretch).orders_sent
    assert replayed(festival, Replay(window="00:05..00:10")).clock.lead_in_s == pytest.approx(600)
    assert replayed(festival, Replay(window="23:55..00:05")).clock.lead_in_s == 0


def test_a_replayed_scenario_written_out_loads_as_the_same_scenario():
    stretch = replayed(load("double11-2018"), Replay(window="23:50..01:00", compression=1, rate_scale=1.3))
    assert Scenario.model_validate(yaml.safe_load(to_yaml(stretch))) == stretch
    assert "Replayed with --window 23:50..01:00 --compression 1 --rate-scale 1.3" in stretch.description


def test_window_times_of_day_cross_midnight_and_dates_take_the_clock_s_zone():
    clock = load("double11-2018").clock  # 22:00 Nov 10 to 05:00 Nov 11, +08:00
    assert parse_window("23:50..01:00", clock) == (6600, 10800)
    assert parse_window("00:00..00:10", clock) == (7200, 7800)
    assert parse_window("2018-11-11T00:00..2018-11-11T00:10:30", clock) == (7200, 7830)
    assert parse_window("2018-11-10T16:00:00+00:00..00:10", clock) == (7200, 7800)  # 00:00 at +08:00
    assert clock.start == dt.datetime(2018, 11, 10, 22, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.mark.parametrize("options, words", [
    ({"window": "06:00..07:00"}, "is not inside the scenario, which covers 2018-11-10 22:00:00"),
    ({"window": "23:00"}, "give START..END"),
    ({"window": "25:00..01:00"}, "is not a time of day"),
    ({"window": "noon..01:00"}, "neither a time of day"),
    ({"compression": 0.5}, "cannot be below 1"),
    ({"rate_scale": 0}, "must be above 0"),
    ({"rate_scale": 2, "forecast_peak": 100}, "not both"),
])
def test_options_that_do_not_fit_are_refused_with_the_reason(options, words):
    with pytest.raises(ReplayError, match=words):
        replayed(load("double11-2018"), Replay(**options))


def test_a_lead_in_must_end_on_a_segment_boundary():
    raw = load("spike").model_dump(by_alias=True)
    raw["clock"] = {**raw["clock"], "lead_in": 20, "duration": 70}
    with pytest.raises(ValueError, match="must end where a curve segment ends"):
        Scenario.model_validate(raw)
    raw["clock"] = {**raw["clock"], "lead_in": 30, "duration": 60}
    shifted = Scenario.model_validate(raw)
    assert rate_at(shifted.compiled_curve(), 1) == 200 and figures(shifted).orders_sent == 6300


def test_a_window_replay_sends_its_inherited_documents_and_nothing_after_its_end():
    festival = load("double11-midnight-hour")
    stretch = replayed(festival, Replay(window="00:20..00:21", compression=1))
    jobs = list(send_plan(stretch))
    assert jobs and all(0 <= job.intended_s < stretch.clock.run_duration_s for job in jobs)
    orders = [job for job in jobs if job.message_type is MessageType.ORDER]
    assert all(job.parcel > 0 for job in orders), "an order from before the window was sent"
    inherited = [job for job in jobs if job.parcel < 0]
    # Documents of orders placed in the lead-in fall due inside the window and are sent ...
    assert {job.message_type for job in inherited} >= {MessageType.PAYMENT, MessageType.WAYBILL,
                                                       MessageType.INVENTORY_LIST}
    assert len(inherited) == pytest.approx(lead_in_documents(stretch), rel=0.05)
    # ... but their lists are not expected to release: the platform never had their orders.
    assert all(job.withdrawn for job in inherited if job.message_type is MessageType.INVENTORY_LIST)

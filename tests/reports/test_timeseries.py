"""The time series the report draws: buckets, ratios by the gates' own maths, gates at their
thresholds, the festival clock and a drill's moments."""

import datetime as dt

import pytest

from reports.timeseries import FestivalClock, Scale, bucket_seconds, series_spec
from scenarios.model import Clock
from tests.reports.runs import BEHIND, FAULT, THROTTLED, drill_summary, festival_summary


@pytest.mark.parametrize("sent,width", [
    ([100] * 300, 1),  # plenty per second: every second is a point
    ([5] * 3600, 6),  # an hour: at most 600 points
    ([2] * 100, 10),  # slow: enough requests in each point for a ratio
    ([], 1), ([0] * 50, 1)])
def test_points_are_few_enough_to_hover_and_full_enough_to_judge(sent, width):
    assert bucket_seconds(sent) == width


def _chart(spec, chart_id):
    return next(c for c in spec["charts"] if c["id"] == chart_id)


def test_ratios_show_the_fault_the_throttling_and_the_stretch_behind():
    spec = series_spec(festival_summary())
    ratios = _chart(spec, "ratios")
    assert ratios["scale"] == Scale.ASINH
    errors, throttled, behind = (s["values"] for s in ratios["series"])
    before, during = ratios["x"].index(FAULT[0] - 10), ratios["x"].index(FAULT[0] + 10)
    assert errors[before] == 0 and 29 <= errors[during] <= 31
    assert 9 <= throttled[ratios["x"].index(THROTTLED[0] + 5)] <= 11 and throttled[during] == 0
    assert 45 <= behind[ratios["x"].index(BEHIND[0] + 5)] <= 55 and behind[during] == 0
    assert 0.9 < errors[ratios["x"].index(40)] < 1.1  # one failure among ~100 messages: visible, not rounded away
    drawn = {t["gate"]: t["value"] for t in ratios["thresholds"]}
    assert drawn == {"error_ratio < 0.001": pytest.approx(0.1), "error_ratio < 0.05 over 10 s": pytest.approx(5),
                     "throttled_ratio < 0.2": pytest.approx(20)}
    assert spec["gate_charts"]["error_ratio < 0.001"] == ["ratios"]


def test_gates_go_on_their_charts_but_not_one_message_types_over_all():
    spec = series_spec(festival_summary())
    latency = _chart(spec, "latency")
    assert [t["label"] for t in latency["thresholds"]] == ["gate latency_p99_ms < 250 (250 ms)"]
    assert latency["scale"] == Scale.LOG
    assert "latency_p99_ms[CEB621] < 1000" not in spec["gate_charts"]
    arrival = _chart(spec, "arrival")
    due, floor = arrival["series"][0]["values"], arrival["series"][2]["values"]
    assert floor == [pytest.approx(d * 0.95) for d in due] and arrival["series"][2]["gate"] == "achieved_ratio >= 0.95"


def test_the_festival_clock_reads_in_its_own_zone():
    china = FestivalClock.of(festival_summary().clock)
    assert china.zone == "UTC+08:00" and china.compression == 10
    assert china.start_wall_ms == dt.datetime(2018, 11, 11, tzinfo=dt.timezone.utc).timestamp() * 1000
    naive = FestivalClock.of(Clock(start=dt.datetime(2024, 6, 18), duration=60))
    assert naive.zone == "local time"


def test_a_drill_marks_its_steps_on_the_run_s_time_axis():
    spec = series_spec(drill_summary())
    markers = {m["label"]: m["t"] for m in spec["markers"]}
    assert markers["fault on"] == FAULT[0] and markers["page received"] == pytest.approx(FAULT[0] + 19.8)



def test_a_broken_windowed_gate_is_marked_where_it_first_broke():
    (marker,) = series_spec(festival_summary())["markers"]
    assert marker["label"] == "broke: error_ratio < 0.05 over 10 s" and marker["kind"] == "breach"
    assert FAULT[0] < marker["t"] <= FAULT[0] + 10  # the first 10 s window holding enough of the fault

"""Numbers as the report prints them, and receipt statuses by name."""

import pytest

from ceb.types import ReturnStatus
from reports.formatting import count, metric, percent, seconds, sig
from reports.statuses import Outcome, status_name
from scenarios.gates import GateMetric


@pytest.mark.parametrize("value,text", [
    (3.108863, "3.11"), (31.08863, "31.1"), (3108.863, "3,109"), (0.0012345, "0.00123"), (10.0, "10"),
    (0.0, "0"), (None, "—"), (-2.5, "-2.5")])
def test_measurements_keep_three_significant_figures(value, text):
    assert sig(value) == text


@pytest.mark.parametrize("value,text", [
    (0.84, "0.84 s"), (59.4, "59.4 s"), (59.96, "1 min"), (60, "1 min"), (250.4, "4 min 10 s"), (3599.6, "1 h"),
    (7530, "2 h 06 min"), (None, "—")])
def test_durations_take_the_largest_sensible_unit(value, text):
    assert seconds(value) == text


def test_gate_figures_are_in_their_metric_unit():
    assert metric(0.001, GateMetric.ERROR_RATIO) == "0.1 %"
    assert metric(0.9667, GateMetric.ACHIEVED_RATIO) == "96.7 %"
    assert metric(312.5, GateMetric.LATENCY_P99_MS) == "312 ms"  # three significant figures
    assert metric(6.85, GateMetric.CLEARANCE_P95_S) == "6.85 s"
    assert metric(412.0, GateMetric.DROPPED_ARRIVALS) == "412"
    assert metric(None, GateMetric.ERROR_RATIO) == "—"
    assert count(9000) == "9,000" and percent(1.0) == "100 %"


def test_every_receipt_status_has_a_name():
    for status in ReturnStatus:
        chinese, english, _ = status_name(str(status.value))
        assert chinese and english, status
    assert status_name("800")[:2] == ("放行", "released") and status_name("100")[2] is Outcome.BAD
    assert status_name("399")[:2] == ("审结", "cleared") and status_name("2")[:2] == ("申报", "declaring")
    assert status_name("-1")[1] == "processing error" and status_name("42")[1] == "not a standard status"

import pytest
from pydantic import ValidationError

from scenarios.gates import Gate, GateMetric
from scenarios.windows import LatencyStep, PerSecond, first_breach, window_value, worst_window


def counts(failed: list[int], sent: int = 50) -> PerSecond:
    n = len(failed)
    return PerSecond([sent] * n, [sent] * n, failed, [0] * n)


def gate(**kw) -> Gate:
    return Gate.model_validate({"metric": "error_ratio", "op": "<", "threshold": 0.05, **kw})


def test_window_value_and_its_minimum_sample():
    c = counts([0, 5, 10, 0])
    assert window_value(GateMetric.ERROR_RATIO, c, 1, 3) == pytest.approx(15 / 100)
    assert window_value(GateMetric.ERROR_RATIO, PerSecond([5], [5], [5], [0]), 0, 1) is None
    assert window_value(GateMetric.ACHIEVED_RATIO, PerSecond([50, 50], [50, 40], [0, 0], [0, 0]), 0, 2) == 0.9


def test_first_breach_finds_the_earliest_failing_window():
    c = counts([0, 0, 0, 9, 9, 0, 0])
    breach = first_breach(gate(window="2s"), c)
    assert breach.end_s == 4 and breach.value == pytest.approx(9 / 100)
    assert first_breach(gate(window="2s"), c, until_s=3) is None
    assert worst_window(gate(window="2s"), c) == pytest.approx(18 / 100)
    assert worst_window(gate(metric="achieved_ratio", op=">=", threshold=0.9, window="2s"),
                        PerSecond([50, 50, 50], [50, 30, 50], [0] * 3, [0] * 3)) == pytest.approx(0.8)


@pytest.mark.parametrize("bad,message", [
    ({"stop_loss": True}, "stop_loss needs a window"),
    ({"metric": "dropped_arrivals", "window": "10s"}, "a window applies to"),
    ({"window": "10s", "message_type": "CEB311"}, "covers every message type"),
])
def test_windowed_gate_validation(bad, message):
    with pytest.raises(ValidationError, match=message):
        gate(**bad)


def test_a_latency_window_is_judged_by_its_worst_step():
    steps = [LatencyStep(0, 3, 5, 8), LatencyStep(1, 3, 6, 9), LatencyStep(2, 40, 300, 900), LatencyStep(3, 3, 5, 8)]
    c = PerSecond([50] * 4, [50] * 4, [0] * 4, [0] * 4, steps)
    latency_gate = Gate.model_validate({"metric": "latency_p99_ms", "op": "<", "threshold": 500, "window": "2s"})
    assert window_value(GateMetric.LATENCY_P99_MS, c, 0, 2) == 9
    assert first_breach(latency_gate, c) == first_breach(latency_gate, c, until_s=3)
    assert first_breach(latency_gate, c).end_s == 3 and worst_window(latency_gate, c) == 900

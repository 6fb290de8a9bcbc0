import pytest

from reports.gates import evaluate_gates, judge
from reports.summary import Latency, MessageTypeSummary, RunSummary, Verdict
from scenarios.loader import load
from scenarios.gates import Gate
from tests.peakload.test_run import TINY


def latency(p99: float, count: int = 100) -> Latency:
    return Latency(p50=p99 / 4, p95=p99 / 2, p99=p99, max=p99 * 2, count=count)


def summary(**changes) -> RunSummary:
    base = dict(
        scenario="t", target="mock", started_at=0.0, duration_s=10.0, intended_rate=10.0,
        achieved_rate=10.0, orders_intended=100, orders_sent=100, requests=400, failures=0,
        throttled=0, connection_errors=0, dropped_arrivals=0, late_arrivals=0,
        scheduler_lag_p99_ms=1.0, generator_cpu_percent=10.0, latency_ms=latency(50),
        raw_latency_ms=latency(40),
        message_types={"CEB621": MessageTypeSummary(requests=100, failures=3, throttled=2,
                                                    statuses={"202": 95}, latency_ms=latency(900),
                                                    raw_latency_ms=latency(800))},
        receipts_by_status={"800": 100}, clean_lists_sent=100, clean_lists_released=97,
        defect_lists_sent=0, defect_lists_rejected=0, clearance_s=latency(3.0), order_to_release_s=None,
        declared_to_cleared_s=None,
        error_samples=[], workers=1)
    return RunSummary(**{**base, **changes})


def gate(metric, op, threshold, message_type=None):
    return Gate(metric=metric, op=op, threshold=threshold, message_type=message_type)


@pytest.mark.parametrize("g,value,passed", [
    (gate("latency_p99_ms", "<", 100), 50, True),
    (gate("latency_p99_ms", "<", 100, "CEB621"), 900, False),
    (gate("error_ratio", "<", 0.01, "CEB621"), 0.03, False),
    (gate("error_ratio", "<=", 0.0), 0.0, True),
    (gate("throttled_ratio", "<", 0.05, "CEB621"), 0.02, True),
    (gate("released_ratio", ">=", 0.99), 0.97, False),
    (gate("achieved_ratio", ">=", 0.95), 1.0, True),
    (gate("clearance_p95_s", "<", 2), 1.5, True),
    (gate("dropped_arrivals", "<=", 0), 0, True),
])
def test_gate_reads_its_metric_and_compares(g, value, passed):
    (result,) = evaluate_gates(summary(), [g])
    assert result.value == pytest.approx(value)
    assert result.passed is passed


def test_gate_on_a_message_type_never_sent_fails_with_no_value():
    (result,) = evaluate_gates(summary(), [gate("latency_p99_ms", "<", 100, "CEB411")])
    assert result.value is None and not result.passed


def test_verdicts():
    scenario = load(str(TINY))
    assert judge(summary(clean_lists_released=100), scenario).verdict is Verdict.PASS
    failed = judge(summary(), scenario)
    assert failed.verdict is Verdict.FAIL and "released_ratio" in failed.reasons[0]
    unreachable = judge(summary(connection_errors=300), scenario)
    assert unreachable.verdict is Verdict.INVALID and "unreachable" in unreachable.reasons[0]
    saturated = judge(summary(scheduler_lag_p99_ms=900.0, generator_cpu_percent=98.0), scenario)
    assert saturated.verdict is Verdict.INVALID and "saturated" in saturated.reasons[0]
    stalled = judge(summary(scheduler_lag_p99_ms=900.0, generator_cpu_percent=5.0), scenario)
    assert stalled.verdict is Verdict.INVALID and "stalled" in stalled.reasons[0]
    busy = judge(summary(clean_lists_released=100, generator_cpu_percent=97.0, late_arrivals=40), scenario)
    assert busy.verdict is Verdict.INVALID and "CPU 97%" in busy.reasons[0]
    slow_target = judge(summary(clean_lists_released=100, generator_cpu_percent=30.0, late_arrivals=40),
                        scenario)
    assert slow_target.verdict is Verdict.PASS  # a backlog with an idle generator is the target's
    repeated = summary(clean_lists_released=100, message_types={"CEB311": MessageTypeSummary(
        requests=400, failures=0, throttled=0, statuses={"200": 390, "202": 10}, latency_ms=latency(5),
        raw_latency_ms=latency(4))})
    assert judge(repeated, scenario).verdict is Verdict.INVALID
    assert "already had 390 of 400 messages" in judge(repeated, scenario).reasons[0]
    aborted = judge(summary(clean_lists_released=100), scenario, aborted=["deadline"])
    assert aborted.verdict is Verdict.INVALID

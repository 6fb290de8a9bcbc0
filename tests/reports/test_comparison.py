"""Baseline verdicts on synthetic summaries: pass, regressed, inconclusive."""

from reports.comparison import BaselineVerdict, bootstrap_ratio, compare, overall, wilson
from reports.summary import Timeline
from tests.reports.test_gates import summary


def run(p50: list[float], p99: list[float], failures: int = 0, requests: int = 10_000):
    return summary(timeline=Timeline(latency_p50_ms=p50, latency_p99_ms=p99), failures=failures,
                   requests=requests)


STEADY = run([3.0, 3.2, 2.9, 3.1, 3.0, 3.3, 2.8, 3.1, 3.0, 3.2] * 3, [8, 9, 7, 10, 8, 9, 8, 7, 9, 8] * 3)


def test_a_run_like_its_baseline_passes():
    candidate = run([3.1, 3.0, 3.2, 2.9, 3.0, 3.1, 3.0, 2.9, 3.2, 3.1] * 3, [9, 8, 8, 9, 7, 8, 10, 8, 9, 8] * 3)
    figures = compare([STEADY], candidate)
    assert overall(figures) is BaselineVerdict.PASS, figures


def test_a_clearly_slower_run_regresses():
    slow = run([p + 200 for p in STEADY.timeline.latency_p50_ms], [p + 200 for p in STEADY.timeline.latency_p99_ms])
    assert overall(compare([STEADY], slow)) is BaselineVerdict.REGRESSED


def test_more_errors_regress():
    erring = run(STEADY.timeline.latency_p50_ms, STEADY.timeline.latency_p99_ms, failures=500)
    figures = {f.name: f for f in compare([STEADY], erring)}
    assert figures["error_ratio"].outcome is BaselineVerdict.REGRESSED


def test_too_few_or_too_noisy_samples_are_inconclusive():
    assert overall(compare([STEADY], run([3.0, 3.1], [8, 9]))) is BaselineVerdict.INCONCLUSIVE
    noisy = run([1, 9, 2, 8, 1, 9, 2, 8, 1, 9], [3, 30, 4, 28, 3, 31, 5, 29, 3, 30])
    borderline = run([2, 9, 3, 7, 2, 9, 3, 8, 2, 9], [4, 25, 6, 33, 4, 29, 5, 35, 4, 31])
    assert overall(compare([noisy], borderline)) is BaselineVerdict.INCONCLUSIVE


def test_statistics_kernels():
    low, high = bootstrap_ratio([10.0] * 20, [20.0] * 20)
    assert low == high == 2.0
    lo, hi = wilson(0, 100)
    assert lo == 0.0 and 0.02 < hi < 0.05

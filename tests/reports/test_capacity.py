import pytest

from reports.capacity import CapacitySearch, CapacityStep, knee, summarise


def search_with_capacity(true_capacity: float, **kw) -> CapacitySearch:
    search = CapacitySearch(**kw)
    while (rate := search.next_rate()) is not None:
        search.record(rate, rate <= true_capacity)
    return search


def test_search_doubles_then_bisects_to_the_precision():
    search = search_with_capacity(130, start=20, ceiling=10_000, precision=0.1, max_steps=20)
    best, worst = max(search.passed), min(search.failed)
    assert best <= 130 < worst and (worst - best) / best <= 0.1
    assert search.passed[:3] == [20, 40, 80]


def test_search_respects_its_budget_and_ceiling():
    assert len(search_with_capacity(10**9, start=10, ceiling=100, max_steps=20).passed) == 5  # 10..100
    limited = search_with_capacity(130, start=20, ceiling=10_000, max_steps=4)
    assert len(limited.passed) + len(limited.failed) == 4


def test_search_goes_lower_when_the_start_fails():
    search = search_with_capacity(6, start=20, ceiling=1000, max_steps=10)
    assert max(search.passed) <= 6 < min(search.failed)


def test_knee_of_a_hockey_stick():
    points = [(10, 5), (20, 5.5), (40, 6), (80, 8), (100, 40), (120, 300)]
    assert knee(points) == 100 or knee(points) == 80
    assert knee([(10, 5), (20, 10), (30, 15)]) is None  # a straight line has no knee


def step(rate, passed, p99=5.0):
    return CapacityStep(orders_per_s=rate, passed=passed, verdict="pass" if passed else "fail",
                        p99_ms=p99, achieved_ratio=1.0, error_ratio=0.0, reasons=[])


def test_summary_brackets_the_capacity_and_computes_headroom():
    result = summarise("s", "mock", 100.0, [step(50, True), step(100, True), step(200, False), step(150, False)])
    assert (result.capacity_orders_per_s, result.lowest_failing_orders_per_s) == (100, 150)
    assert result.headroom == pytest.approx(1.0)

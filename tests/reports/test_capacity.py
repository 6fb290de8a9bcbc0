import pytest

from reports.capacity import CapacitySearch, CapacityStep, Outcome, knee, summarise


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


@pytest.mark.parametrize("true_capacity", [3, 17, 55, 99, 101, 130, 900, 10**9])
@pytest.mark.parametrize("start", [10, 25, 60, 200])
def test_search_always_settles_the_forecast_peak_by_probing_it(true_capacity, start):
    search = search_with_capacity(true_capacity, start=start, ceiling=1600, max_steps=8, forecast_peak=100)
    probed = search.passed + search.failed
    settled_by_others = any(r > 100 for r in search.passed) or any(r < 100 for r in search.failed)
    assert 100 in probed or settled_by_others
    if start <= 100 <= true_capacity:  # climbing from below, it never steps over the peak
        assert 100 in probed


def test_the_last_probe_of_a_short_budget_goes_to_the_open_peak():
    search = search_with_capacity(10**9, start=1, ceiling=1600, max_steps=3, forecast_peak=100)
    assert search.passed == [1, 2, 100]


def test_a_ceiling_below_the_forecast_peak_is_refused():
    with pytest.raises(ValueError, match="below the forecast peak"):
        CapacitySearch(start=10, ceiling=50, forecast_peak=100)


def step(rate, passed, p99=5.0, verdict=None):
    return CapacityStep(orders_per_s=rate, passed=passed, verdict=verdict or ("pass" if passed else "fail"),
                        p99_ms=p99, achieved_ratio=1.0, error_ratio=0.0, reasons=["generator stalled"]
                        if verdict == "invalid" else [])


def test_summary_brackets_the_capacity_and_computes_headroom():
    result = summarise("s", "mock", 100.0, 1600.0,
                       [step(50, True), step(100, True), step(200, False), step(150, False)])
    assert (result.capacity_orders_per_s, result.lowest_failing_orders_per_s) == (100, 150)
    assert result.outcome is Outcome.BRACKETED and result.bracket_width == pytest.approx(0.5)
    assert result.headroom == pytest.approx(1.0) and result.forecast_peak_passed is True
    assert "between 100.0 and 150.0" in result.statement


def test_a_search_with_no_failure_is_a_lower_bound():
    result = summarise("s", "mock", 40.0, 640.0, [step(10, True), step(20, True), step(40, True), step(80, True)])
    assert result.outcome is Outcome.LOWER_BOUND and result.lowest_failing_orders_per_s is None
    assert result.statement.startswith("capacity ≥ 80.0 orders/s (lower bound)")


def test_a_search_that_reached_its_ceiling_says_so():
    result = summarise("s", "mock", 5.0, 80.0, [step(r, True) for r in (10, 20, 40, 80)])
    assert result.outcome is Outcome.CEILING
    assert "(lower bound)" in result.statement and "ceiling of 80.0" in result.statement


def test_an_invalid_probe_bounds_nothing():
    result = summarise("s", "mock", 40.0, 640.0, [step(40, True), step(80, False, verdict="invalid")])
    assert result.outcome is Outcome.LOWER_BOUND and result.lowest_failing_orders_per_s is None
    assert "80.0 orders/s was invalid (generator stalled)" in result.statement
    mixed = summarise("s", "mock", 40.0, 640.0,
                      [step(40, True), step(60, False, verdict="invalid"), step(80, False)])
    assert mixed.outcome is Outcome.BRACKETED and mixed.lowest_failing_orders_per_s == 80


def test_no_pass_is_an_upper_bound():
    result = summarise("s", "mock", 40.0, 640.0, [step(10, False), step(5, False)])
    assert result.outcome is Outcome.UPPER_BOUND and result.headroom is None
    assert result.statement.startswith("capacity < 5.0 orders/s (upper bound)")
    invalid = summarise("s", "mock", 40.0, 640.0, [step(10, False, verdict="invalid")])
    assert invalid.outcome is Outcome.UNKNOWN and "every probe was invalid (generator stalled)" in invalid.statement

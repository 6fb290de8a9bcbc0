"""Capacity search maths, pure: where to probe next, the knee of the latency curve, headroom.

The search climbs by doubling from a starting rate until a step fails its gates, then bisects
between the highest rate that passed and the lowest that failed until they are within the wanted
precision. The true capacity lies in that bracket: it is the result's confidence interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict


class CapacityStep(BaseModel):
    """One probe: a flat rate held for a while, and how the run went."""

    model_config = ConfigDict(frozen=True)

    orders_per_s: float
    passed: bool
    verdict: str
    p99_ms: float
    achieved_ratio: float
    error_ratio: float
    reasons: list[str]


class CapacityResult(BaseModel):
    """The capacity found, its bracket, the latency knee and the headroom over the forecast."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    target: str
    capacity_orders_per_s: float | None  # the highest rate that passed
    lowest_failing_orders_per_s: float | None  # the true capacity is below this
    knee_orders_per_s: float | None
    forecast_peak_orders_per_s: float
    headroom: float | None  # capacity / forecast peak
    steps: list[CapacityStep]
    interrupted: str | None = None  # why the search ended before its bracket was narrow enough


@dataclass
class CapacitySearch:
    """Doubling, then bisection, between `start` and `ceiling` orders/s."""

    start: float
    ceiling: float
    precision: float = 0.1  # stop when (lowest fail - highest pass) / highest pass is below this
    max_steps: int = 8
    passed: list[float] = field(default_factory=list)
    failed: list[float] = field(default_factory=list)

    def record(self, rate: float, passed: bool) -> None:
        """The outcome of probing `rate`."""
        (self.passed if passed else self.failed).append(rate)

    def next_rate(self) -> float | None:
        """The next rate to probe, or None when the search is done."""
        if len(self.passed) + len(self.failed) >= self.max_steps:
            return None
        best = max(self.passed, default=None)
        worst = min(self.failed, default=None)
        if best is None and worst is None:
            return self.start
        if best is None:  # even the start failed: look lower
            rate = worst / 2
            return rate if rate >= self.start / 16 else None
        if worst is None:  # nothing failed yet: climb
            rate = min(best * 2, self.ceiling)
            return rate if rate > best else None
        if (worst - best) / best <= self.precision:
            return None
        return (best + worst) / 2


def knee(points: Sequence[tuple[float, float]]) -> float | None:
    """The rate at the knee of a rising latency curve: the point furthest above the chord from
    the first to the last point, on axes scaled to [0, 1] (the Kneedle idea)."""
    ordered = sorted(points)
    if len(ordered) < 3:
        return None
    (x0, y0), (x1, y1) = ordered[0], ordered[-1]
    if x1 == x0 or y1 == y0:
        return None
    def scaled(x: float, y: float) -> tuple[float, float]:
        return (x - x0) / (x1 - x0), (y - y0) / (y1 - y0)
    # Distance below the chord y = x for a convex rising curve: the knee has the largest gap.
    gaps = [(sx - sy, x) for x, y in ordered[1:-1] for sx, sy in [scaled(x, y)]]
    gap, rate = max(gaps)
    return rate if gap > 0 else None


def summarise(scenario: str, target: str, forecast_peak: float,
              steps: Sequence[CapacityStep]) -> CapacityResult:
    """The result of a search from its steps."""
    passed = [s.orders_per_s for s in steps if s.passed]
    failed = [s.orders_per_s for s in steps if not s.passed]
    capacity = max(passed, default=None)
    above = [r for r in failed if capacity is None or r > capacity]
    return CapacityResult(
        scenario=scenario, target=target, capacity_orders_per_s=capacity,
        lowest_failing_orders_per_s=min(above, default=None),
        knee_orders_per_s=knee([(s.orders_per_s, s.p99_ms) for s in steps]),
        forecast_peak_orders_per_s=forecast_peak,
        headroom=None if capacity is None else round(capacity / forecast_peak, 3),
        steps=sorted(steps, key=lambda s: s.orders_per_s))

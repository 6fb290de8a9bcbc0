"""Capacity search maths, pure: where to probe next, the knee of the latency curve, headroom.

The search climbs by doubling from a starting rate until a step fails its gates, then bisects
between the highest rate that passed and the lowest that failed until they are within the wanted
precision. The true capacity lies in that bracket: it is the result's confidence interval. The
forecast peak is probed itself whenever no other probe settles it, so whether the target carries
the forecast is measured, not inferred. A search with no failed probe has found a lower bound only,
and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from pydantic import BaseModel, ConfigDict

CEILING_OVER_PEAK = 16  # the default ceiling, as a multiple of the forecast peak


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


class Outcome(str, Enum):
    """How much a search found out about the capacity."""

    BRACKETED = "bracketed"  # between the highest rate that passed and the lowest that failed
    LOWER_BOUND = "lower bound"  # no probe above the highest pass failed: the capacity is at least it
    CEILING = "ceiling"  # every probe passed up to the ceiling: the capacity is at least the ceiling
    UPPER_BOUND = "upper bound"  # no probe passed: the capacity is below the lowest that failed
    UNKNOWN = "unknown"  # no probe passed or failed: each was invalid, or none finished


class CapacityResult(BaseModel):
    """The capacity found, its bracket, the latency knee and the headroom over the forecast."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    target: str
    outcome: Outcome
    capacity_orders_per_s: float | None  # the highest rate that passed
    lowest_failing_orders_per_s: float | None  # the lowest rate above it that failed its gates
    ceiling_orders_per_s: float
    knee_orders_per_s: float | None
    forecast_peak_orders_per_s: float
    forecast_peak_passed: bool | None  # the probe at the forecast peak (None: not probed)
    headroom: float | None  # capacity / forecast peak (a lower bound unless the outcome is bracketed)
    bracket_width: float | None  # (lowest failing - capacity) / capacity, when bracketed
    unconfirmed: str | None = None  # why a probe above the capacity proves nothing (it was invalid)
    steps: list[CapacityStep]
    interrupted: str | None = None  # why the search ended before its bracket was narrow enough

    @property
    def statement(self) -> str:
        """The capacity in one line, saying what kind of figure it is."""
        best, worst = self.capacity_orders_per_s, self.lowest_failing_orders_per_s
        match self.outcome:
            case Outcome.BRACKETED:
                return (f"capacity between {best:,.1f} and {worst:,.1f} orders/s (passed at {best:,.1f}, "
                        f"failed at {worst:,.1f}: bracket {self.bracket_width:.0%} wide)")
            case Outcome.CEILING:
                return (f"capacity ≥ {best:,.1f} orders/s (lower bound): every probe passed up to the "
                        f"ceiling of {self.ceiling_orders_per_s:,.1f} orders/s; raise --ceiling to find it")
            case Outcome.LOWER_BOUND:
                why = self.unconfirmed or "no probe failed"
                return f"capacity ≥ {best:,.1f} orders/s (lower bound): {why}"
            case Outcome.UPPER_BOUND:
                return f"capacity < {worst:,.1f} orders/s (upper bound): no probe passed"
            case Outcome.UNKNOWN:
                if not self.steps:
                    return "capacity unknown: no probe finished"
                return f"capacity unknown: every probe was invalid ({'; '.join(self.steps[0].reasons)})"
        raise ValueError(self.outcome)


@dataclass
class CapacitySearch:
    """Doubling, then bisection, between `start` and `ceiling` orders/s, through `forecast_peak`."""

    start: float
    ceiling: float
    precision: float = 0.1  # stop when (lowest fail - highest pass) / highest pass is below this
    max_steps: int = 8
    forecast_peak: float | None = None  # probed unless another probe settles it
    passed: list[float] = field(default_factory=list)
    failed: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.forecast_peak is not None and self.forecast_peak > self.ceiling:
            raise ValueError(f"the ceiling ({self.ceiling:g} orders/s) is below the forecast peak "
                             f"({self.forecast_peak:g}): the search could not tell whether the target carries it")

    def record(self, rate: float, passed: bool) -> None:
        """The outcome of probing `rate`."""
        (self.passed if passed else self.failed).append(rate)

    def next_rate(self) -> float | None:
        """The next rate to probe, or None when the search is done."""
        left = self.max_steps - len(self.passed) - len(self.failed)
        if left <= 0:
            return None
        rate = self._bracketing_rate()
        peak = self.forecast_peak
        if peak is None or not self._peak_open():
            return rate
        if rate is None or left == 1 or self._passes_over(rate):
            return peak
        return rate

    def _bracketing_rate(self) -> float | None:
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

    def _peak_open(self) -> bool:
        """Whether no probe so far settles the forecast peak (a pass at or above it, a fail at or
        below it)."""
        peak = self.forecast_peak
        return not (any(r >= peak for r in self.passed) or any(r <= peak for r in self.failed))

    def _passes_over(self, rate: float) -> bool:
        """Whether probing `rate` would step over the open forecast peak instead of probing it."""
        peak = self.forecast_peak
        best, worst = max(self.passed, default=None), min(self.failed, default=None)
        if best is not None and worst is not None:
            return True  # the peak lies in the bracket: it splits it as well as the midpoint
        return rate > peak if worst is None else rate < peak


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


def summarise(scenario: str, target: str, forecast_peak: float, ceiling: float,
              steps: Sequence[CapacityStep]) -> CapacityResult:
    """The result of a search from its steps. Only a probe that failed its gates bounds the capacity
    from above: an invalid one (the generator fell behind, the run was cut short) says nothing of
    the target, so a search whose probes above its best pass were all invalid found a lower bound."""
    capacity = max((s.orders_per_s for s in steps if s.passed), default=None)
    above = sorted((s for s in steps if not s.passed and (capacity is None or s.orders_per_s > capacity)),
                   key=lambda s: s.orders_per_s)
    failing = [s for s in above if s.verdict == "fail"]
    lowest_failing = failing[0].orders_per_s if failing else None
    unconfirmed = None
    if capacity is None:
        outcome = Outcome.UPPER_BOUND if failing else Outcome.UNKNOWN
    elif lowest_failing is not None:
        outcome = Outcome.BRACKETED
    elif above:
        outcome = Outcome.LOWER_BOUND
        unconfirmed = (f"no probe above it failed; the probe at {above[0].orders_per_s:,.1f} orders/s was "
                       f"{above[0].verdict} ({'; '.join(above[0].reasons) or 'no reason given'})")
    else:
        outcome = Outcome.CEILING if capacity >= ceiling else Outcome.LOWER_BOUND
    peak_steps = [s for s in steps if s.orders_per_s == forecast_peak]
    return CapacityResult(
        scenario=scenario, target=target, outcome=outcome, capacity_orders_per_s=capacity,
        lowest_failing_orders_per_s=lowest_failing, ceiling_orders_per_s=ceiling,
        knee_orders_per_s=knee([(s.orders_per_s, s.p99_ms) for s in steps]),
        forecast_peak_orders_per_s=forecast_peak,
        forecast_peak_passed=peak_steps[-1].passed if peak_steps else None,
        headroom=None if capacity is None else round(capacity / forecast_peak, 3),
        bracket_width=round((lowest_failing - capacity) / capacity, 4) if outcome is Outcome.BRACKETED else None,
        unconfirmed=unconfirmed, steps=sorted(steps, key=lambda s: s.orders_per_s))

"""Noise-aware comparison of a run against a baseline, as pure functions.

One number against one number flakes on a noisy machine. Instead each run contributes samples:
its per-window latency percentiles (the timeline), pooled over every baseline run saved. A seeded
bootstrap gives a 95% confidence interval for the ratio candidate / baseline of the median window
value; the error ratios' difference gets Newcombe's interval (from Wilson intervals). Then:

- **regressed** when the whole interval lies above the tolerance (worse, and surely so);
- **pass** when the whole interval lies below it (no worse than tolerated, surely so);
- **inconclusive** when the interval straddles it (too few or too noisy samples to say).
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from reports.summary import RunSummary

BOOTSTRAP_ROUNDS = 2000
MIN_WINDOWS = 3


class BaselineVerdict(str, Enum):
    """The outcome of comparing one figure, or a whole run, with its baseline."""

    PASS = "pass"
    REGRESSED = "regressed"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True, slots=True)
class Tolerances:
    """How much worse than the baseline a run may be before it counts as a regression."""

    latency_p50: float = 0.5  # +50% on the median window's p50
    latency_p99: float = 1.0  # +100% on the median window's p99 (tails are noisy)
    error_ratio: float = 0.01  # +1 percentage point of failed requests


@dataclass(frozen=True, slots=True)
class FigureComparison:
    """One figure: baseline and candidate values, the interval, and its outcome."""

    name: str
    baseline: float
    candidate: float
    low: float  # 95% interval of the change (a ratio for latency, a difference for error ratios)
    high: float
    limit: float
    outcome: BaselineVerdict


def bootstrap_ratio(baseline: Sequence[float], candidate: Sequence[float],
                    rounds: int = BOOTSTRAP_ROUNDS, seed: int = 0) -> tuple[float, float]:
    """95% interval of median(candidate) / median(baseline) by resampling both."""
    rng = random.Random(seed)
    ratios = []
    for _ in range(rounds):
        b = statistics.median(rng.choices(baseline, k=len(baseline)))
        c = statistics.median(rng.choices(candidate, k=len(candidate)))
        ratios.append(c / b if b > 0 else math.inf)
    ratios.sort()
    return ratios[int(0.025 * rounds)], ratios[int(0.975 * rounds) - 1]


def wilson(failures: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion."""
    if total == 0:
        return 0.0, 1.0
    p = failures / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - spread), min(1.0, centre + spread)


def _outcome(low: float, high: float, limit: float) -> BaselineVerdict:
    if low > limit:
        return BaselineVerdict.REGRESSED
    if high <= limit:
        return BaselineVerdict.PASS
    return BaselineVerdict.INCONCLUSIVE


def _latency(name: str, attribute: str, baselines: Sequence[RunSummary], candidate: RunSummary,
             tolerance: float) -> FigureComparison:
    base = [v for s in baselines for v in getattr(s.timeline, attribute) if v > 0]
    cand = [v for v in getattr(candidate.timeline, attribute) if v > 0]
    if len(base) < MIN_WINDOWS or len(cand) < MIN_WINDOWS:
        return FigureComparison(name, math.nan, math.nan, math.nan, math.nan, 1 + tolerance,
                                BaselineVerdict.INCONCLUSIVE)
    low, high = bootstrap_ratio(base, cand)
    return FigureComparison(name, statistics.median(base), statistics.median(cand), low, high,
                            1 + tolerance, _outcome(low, high, 1 + tolerance))


def _errors(baselines: Sequence[RunSummary], candidate: RunSummary, tolerance: float) -> FigureComparison:
    base_failed = sum(s.failures for s in baselines)
    base_total = sum(s.requests for s in baselines)
    if not base_total or not candidate.requests:
        return FigureComparison("error_ratio", math.nan, math.nan, math.nan, math.nan, tolerance,
                                BaselineVerdict.INCONCLUSIVE)
    p_b, p_c = base_failed / base_total, candidate.failures / candidate.requests
    b_low, b_high = wilson(base_failed, base_total)
    c_low, c_high = wilson(candidate.failures, candidate.requests)
    # Newcombe's interval for a difference of proportions, from the two Wilson intervals.
    change = p_c - p_b
    low = change - math.hypot(p_c - c_low, b_high - p_b)
    high = change + math.hypot(c_high - p_c, p_b - b_low)
    return FigureComparison("error_ratio", p_b, p_c, low, high, tolerance, _outcome(low, high, tolerance))


def compare(baselines: Sequence[RunSummary], candidate: RunSummary,
            tolerances: Tolerances = Tolerances()) -> list[FigureComparison]:
    """Every compared figure of `candidate` against the pooled `baselines`."""
    return [
        _latency("latency_p50_ms (median window)", "latency_p50_ms", baselines, candidate,
                 tolerances.latency_p50),
        _latency("latency_p99_ms (median window)", "latency_p99_ms", baselines, candidate,
                 tolerances.latency_p99),
        _errors(baselines, candidate, tolerances.error_ratio),
    ]


def overall(figures: Sequence[FigureComparison]) -> BaselineVerdict:
    """Regressed if any figure regressed; otherwise inconclusive if any is; otherwise pass."""
    outcomes = {f.outcome for f in figures}
    if BaselineVerdict.REGRESSED in outcomes:
        return BaselineVerdict.REGRESSED
    if BaselineVerdict.INCONCLUSIVE in outcomes:
        return BaselineVerdict.INCONCLUSIVE
    return BaselineVerdict.PASS

"""Windowed gate maths, shared by the generator (stop-loss, live) and the reports (after the run).

A run's per-second counts (messages due, sent, failed, throttled) give each gate metric over any
window; a window with fewer than `MIN_REQUESTS` requests has no value (too few to judge).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scenarios.gates import Gate, GateMetric

MIN_REQUESTS = 20


@dataclass(frozen=True, slots=True)
class LatencyStep:
    """Corrected latency percentiles (ms) of the requests sent in one step of the timeline."""

    start_s: int
    p50: float
    p95: float
    p99: float


_PERCENTILE = {GateMetric.LATENCY_P50_MS: "p50", GateMetric.LATENCY_P95_MS: "p95",
               GateMetric.LATENCY_P99_MS: "p99"}


@dataclass(frozen=True, slots=True)
class PerSecond:
    """Counts per second of the run (index = second), and the timeline's latency steps."""

    intended: Sequence[int]
    sent: Sequence[int]
    failed: Sequence[int]
    throttled: Sequence[int]
    latency: Sequence[LatencyStep] = ()


def _total(series: Sequence[int], start: int, end: int) -> int:
    return sum(series[max(0, start):max(0, min(end, len(series)))])


def window_value(metric: GateMetric, counts: PerSecond, start: int, end: int) -> float | None:
    """The metric over seconds [start, end), or None when the window has too few requests.
    A latency percentile is the worst of the timeline steps that start inside the window."""
    if metric in _PERCENTILE:
        values = [getattr(step, _PERCENTILE[metric]) for step in counts.latency
                  if start <= step.start_s < end]
        return max(values) if values else None
    sent = _total(counts.sent, start, end)
    if metric is GateMetric.ACHIEVED_RATIO:
        due = _total(counts.intended, start, end)
        return sent / due if due >= MIN_REQUESTS else None
    if sent < MIN_REQUESTS:
        return None
    if metric is GateMetric.ERROR_RATIO:
        return _total(counts.failed, start, end) / sent
    if metric is GateMetric.THROTTLED_RATIO:
        return _total(counts.throttled, start, end) / sent
    raise ValueError(f"{metric.value} has no windowed form")


@dataclass(frozen=True, slots=True)
class Breach:
    """The first window that broke a gate."""

    end_s: int
    value: float


def first_breach(gate: Gate, counts: PerSecond, until_s: int | None = None) -> Breach | None:
    """The first sliding window (1 s steps) ending by `until_s` in which `gate` does not hold."""
    width = max(1, round(gate.window_s or 0))
    last = len(counts.sent) if until_s is None else until_s
    for end in range(width, last + 1):
        value = window_value(gate.metric, counts, end - width, end)
        if value is not None and not gate.holds(value):
            return Breach(end, value)
    return None


def worst_window(gate: Gate, counts: PerSecond) -> float | None:
    """The value of the window that came nearest to (or furthest past) breaking the gate."""
    width = max(1, round(gate.window_s or 0))
    values = [v for end in range(width, len(counts.sent) + 1)
              if (v := window_value(gate.metric, counts, end - width, end)) is not None]
    if not values:
        return None
    lower_is_better = gate.op.value.startswith("<")
    return max(values) if lower_is_better else min(values)

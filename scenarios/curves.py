"""Arrival-rate curves as pure functions: segments in, orders per second (real time) out.

A curve is a list of segments laid end to end; each starts from the rate the previous one ended
at (0 for the first), so a `ramp` or `exp_decay` needs only where it goes (or says `from`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol


class Segment(Protocol):
    """What a curve needs of a segment: its length and its rate given the rate it starts at."""

    duration_s: float

    def rate(self, start_rate: float, t: float) -> float:
        """Orders per second `t` seconds into the segment."""
        ...

    def orders(self, start_rate: float, t: float) -> float:
        """Orders in the first `t` seconds of the segment."""
        ...

    def turning_times(self) -> tuple[float, ...]:
        """Instants (seconds into the segment) between which the rate is monotonic, ends included."""
        ...


@dataclass(frozen=True, slots=True)
class CompiledSegment:
    """A segment placed on the timeline, with the rate it starts from."""

    start_s: float
    end_s: float
    start_rate: float
    segment: Segment

    def rate(self, t: float) -> float:
        """The rate at absolute time `t` (inside the segment)."""
        return max(0.0, self.segment.rate(self.start_rate, t - self.start_s))

    def orders_until(self, t: float) -> float:
        """Orders from the segment's start to absolute time `t` (clamped to the segment)."""
        return self.segment.orders(self.start_rate, min(max(t, self.start_s), self.end_s) - self.start_s)


def compile_curve(segments: Sequence[Segment]) -> list[CompiledSegment]:
    """Lay segments end to end, each starting from its predecessor's final rate."""
    placed, start, rate = [], 0.0, 0.0
    for segment in segments:
        compiled = CompiledSegment(start, start + segment.duration_s, rate, segment)
        placed.append(compiled)
        rate = compiled.rate(compiled.end_s)
        start = compiled.end_s
    return placed


def rate_at(curve: Sequence[CompiledSegment], t: float) -> float:
    """Orders per second at real time `t` seconds after the curve starts (0 outside it)."""
    for segment in curve:
        if segment.start_s <= t < segment.end_s:
            return segment.rate(t)
    return 0.0


def total_duration(curve: Sequence[CompiledSegment]) -> float:
    """The curve's length in real seconds."""
    return curve[-1].end_s if curve else 0.0


def orders_between(curve: Sequence[CompiledSegment], start_s: float, end_s: float) -> float:
    """Expected orders from `start_s` to `end_s` real seconds after the curve starts (exact)."""
    return sum(s.orders_until(end_s) - s.orders_until(start_s) for s in curve
               if s.end_s > start_s and s.start_s < end_s)


def integrate(curve: Sequence[CompiledSegment]) -> float:
    """Expected orders over the whole curve (exact)."""
    return orders_between(curve, 0.0, total_duration(curve))


def peak_rate(curve: Sequence[CompiledSegment]) -> float:
    """The highest rate the curve reaches: at one of its segments' turning times, so exact."""
    return max((s.rate(s.start_s + t) for s in curve for t in s.segment.turning_times()), default=0.0)


def seconds_at_or_above(curve: Sequence[CompiledSegment], level: float) -> float:
    """Real seconds the curve spends at or above `level` (exact to a millisecond: between turning
    times the rate is monotonic, so each stretch crosses the level at most once)."""
    total = 0.0
    for segment in curve:
        times = [segment.start_s + t for t in segment.segment.turning_times()]
        for a, b in zip(times, times[1:]):
            high_a, high_b = segment.rate(a) >= level, segment.rate(b) >= level
            if high_a and high_b:
                total += b - a
            elif high_a != high_b:
                crossing = _crossing(segment, a, b, level, rising=high_b)
                total += b - crossing if high_b else crossing - a
    return total


def _crossing(segment: CompiledSegment, a: float, b: float, level: float, rising: bool) -> float:
    while b - a > 1e-3:
        middle = (a + b) / 2
        if (segment.rate(middle) >= level) == rising:
            b = middle
        else:
            a = middle
    return (a + b) / 2


def arrival_times(curve: Sequence[CompiledSegment], compression: float, *, poisson: bool = False,
                  rng: random.Random | None = None, step_s: float = 0.001) -> Iterator[float]:
    """Intended send times of orders, in compressed seconds from the start of the run.

    Compression shortens time and keeps rates: at compressed time tau the rate is the curve's rate
    at real time tau x compression. Uniform pacing places the k-th arrival where the cumulative rate
    reaches k; Poisson pacing draws exponential gaps by thinning against the local rate.
    """
    duration = total_duration(curve) / compression
    if poisson:
        yield from _poisson_times(curve, compression, duration, rng or random.Random(0))
        return
    cumulative, next_arrival, tau = 0.0, 1.0, 0.0
    while tau < duration:
        width = min(step_s, duration - tau)
        increment = rate_at(curve, (tau + width / 2) * compression) * width
        while increment > 0 and cumulative + increment >= next_arrival:
            yield tau + width * (next_arrival - cumulative) / increment
            next_arrival += 1.0
        cumulative += increment
        tau += width


def _poisson_times(curve: Sequence[CompiledSegment], compression: float, duration: float,
                   rng: random.Random) -> Iterator[float]:
    bound = peak_rate(curve) * 1.01
    if bound <= 0:
        return
    tau = 0.0
    while True:
        tau += rng.expovariate(bound)
        if tau >= duration:
            return
        if rng.random() * bound <= rate_at(curve, tau * compression):
            yield tau

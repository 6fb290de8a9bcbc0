"""Arrival-rate curves as pure functions: segments in, orders per second (real time) out.

A curve is a list of segments laid end to end; each starts from the rate the previous one ended
at (0 for the first), so a `ramp` or `exp_decay` needs only where it goes.
"""

from __future__ import annotations

import math
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


def integrate(curve: Sequence[CompiledSegment], step_s: float = 1.0) -> float:
    """Expected orders over the whole curve (midpoint rule, `step_s` in real seconds)."""
    end = total_duration(curve)
    steps = max(1, math.ceil(end / step_s))
    width = end / steps
    return sum(rate_at(curve, (i + 0.5) * width) for i in range(steps)) * width


def peak_rate(curve: Sequence[CompiledSegment], step_s: float = 1.0) -> float:
    """The highest rate the curve reaches, sampled every `step_s` real seconds and at each edge."""
    end = total_duration(curve)
    samples = [i * step_s for i in range(int(end / step_s) + 1)]
    samples += [s.start_s for s in curve] + [max(s.start_s, s.end_s - 1e-9) for s in curve]
    return max((rate_at(curve, t) for t in samples), default=0.0)


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

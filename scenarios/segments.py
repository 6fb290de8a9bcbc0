"""The segments an arrival curve is made of, as scenario-file models, and each one's rate.

Each segment starts from the rate the previous one ended at (0 for the first), unless it says
otherwise (`hold` with a `rate`, `ramp` and `exp_decay` with a `from`).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import Field

from scenarios.fields import Model, PositiveSeconds, Seconds


class Hold(Model):
    """Constant rate: `rate`, or the rate the previous segment ended at."""

    kind: Literal["hold"]
    duration_s: PositiveSeconds = Field(alias="duration")
    rate: float | None = Field(None, ge=0)


class Step(Model):
    """An instant change to `rate`, held for the segment."""

    kind: Literal["step"]
    duration_s: PositiveSeconds = Field(alias="duration")
    to: float = Field(ge=0)


class Ramp(Model):
    """A linear change to `to`, from `from` or else the rate the previous segment ended at."""

    kind: Literal["ramp"]
    duration_s: PositiveSeconds = Field(alias="duration")
    to: float = Field(ge=0)
    from_rate: float | None = Field(None, alias="from", ge=0)


class Spike(Model):
    """A jump to `peak` (over `rise`), then exponential decay towards `floor` with `half_life`."""

    kind: Literal["spike"]
    duration_s: PositiveSeconds = Field(alias="duration")
    peak: float = Field(gt=0)
    floor: float = Field(0.0, ge=0)
    rise_s: Seconds = Field(0.0, alias="rise")
    half_life_s: PositiveSeconds = Field(alias="half_life")


class ExpDecay(Model):
    """Exponential decay towards `to` with `half_life`, from `from` or else the rate the previous
    segment ended at."""

    kind: Literal["exp_decay"]
    duration_s: PositiveSeconds = Field(alias="duration")
    to: float = Field(0.0, ge=0)
    half_life_s: PositiveSeconds = Field(alias="half_life")
    from_rate: float | None = Field(None, alias="from", ge=0)


def segment_rate(segment: CurveSegment, start_rate: float, t: float) -> float:
    """Orders per second `t` seconds into `segment`, which started at `start_rate`."""
    match segment:
        case Hold():
            return start_rate if segment.rate is None else segment.rate
        case Step():
            return segment.to
        case Ramp():
            start_rate = start_rate if segment.from_rate is None else segment.from_rate
            return start_rate + (segment.to - start_rate) * t / segment.duration_s
        case Spike():
            if t < segment.rise_s:
                return start_rate + (segment.peak - start_rate) * t / segment.rise_s
            decay = 0.5 ** ((t - segment.rise_s) / segment.half_life_s)
            return segment.floor + (segment.peak - segment.floor) * decay
        case ExpDecay():
            start_rate = start_rate if segment.from_rate is None else segment.from_rate
            return segment.to + (start_rate - segment.to) * 0.5 ** (t / segment.half_life_s)
    raise TypeError(segment)


def segment_orders(segment: CurveSegment, start_rate: float, t: float) -> float:
    """Orders in the first `t` seconds of `segment` (the integral of its rate, in closed form)."""
    match segment:
        case Hold():
            return (start_rate if segment.rate is None else segment.rate) * t
        case Step():
            return segment.to * t
        case Ramp():
            start_rate = start_rate if segment.from_rate is None else segment.from_rate
            return start_rate * t + (segment.to - start_rate) * t * t / (2 * segment.duration_s)
        case Spike():
            rise = segment.rise_s
            if rise > 0 and t <= rise:
                return start_rate * t + (segment.peak - start_rate) * t * t / (2 * rise)
            return (rise * (start_rate + segment.peak) / 2 + segment.floor * (t - rise)
                    + (segment.peak - segment.floor) * _decayed(t - rise, segment.half_life_s))
        case ExpDecay():
            start_rate = start_rate if segment.from_rate is None else segment.from_rate
            return segment.to * t + (start_rate - segment.to) * _decayed(t, segment.half_life_s)
    raise TypeError(segment)


def _decayed(t: float, half_life: float) -> float:
    """The integral of 0.5 ** (u / half_life) over u from 0 to t."""
    return half_life / math.log(2) * (1 - 0.5 ** (t / half_life))


def turning_times(segment: CurveSegment) -> tuple[float, ...]:
    """The instants (seconds into the segment) between which its rate only rises or only falls:
    its highest rate is at one of them."""
    if isinstance(segment, Spike) and 0 < segment.rise_s < segment.duration_s:
        return 0.0, segment.rise_s, segment.duration_s
    return 0.0, segment.duration_s


CurveSegment = Annotated[Union[Hold, Step, Ramp, Spike, ExpDecay], Field(discriminator="kind")]


class PlacedSegment:
    """Adapts a model segment to the `curves.Segment` protocol."""

    __slots__ = ("model", "duration_s")

    def __init__(self, model: CurveSegment) -> None:
        self.model = model
        self.duration_s = model.duration_s

    def rate(self, start_rate: float, t: float) -> float:
        return segment_rate(self.model, start_rate, t)

    def orders(self, start_rate: float, t: float) -> float:
        return segment_orders(self.model, start_rate, t)

    def turning_times(self) -> tuple[float, ...]:
        return turning_times(self.model)

"""Time and scale at run time: a scenario replayed at another compression, over one stretch of its
festival clock, or scaled to this year's volume.

Pure: a scenario in, an ordinary scenario out, which the generator, the figures and the reports read
as they read any. Rates are scaled first, on the whole festival, so a forecast peak is the
festival's own whatever the window; then the window is cut; then the compression is set.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from scenarios.curves import CompiledSegment, compile_curve, peak_rate
from scenarios.model import Clock, Scenario
from scenarios.segments import CurveSegment, ExpDecay, Hold, PlacedSegment, Ramp, Spike, Step

_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_EPSILON_S = 1e-9


class ReplayError(ValueError):
    """A time or scale option that does not fit the scenario; the message says why."""


@dataclass(frozen=True, slots=True)
class Replay:
    """How to replay a scenario other than as its file says (None: as the file says)."""

    compression: float | None = None  # 1 = real time
    window: str | None = None  # START..END on the festival clock: 23:50..01:00, or ISO date-times
    rate_scale: float | None = None  # every rate times this (this year's growth)
    forecast_peak: float | None = None  # orders/s: scale so the festival's peak is this

    def __post_init__(self) -> None:
        if self.compression is not None and self.compression < 1:
            raise ReplayError(f"--compression {self.compression:g}: 1 is real time, more is faster; "
                              "it cannot be below 1")
        for option, value in (("--rate-scale", self.rate_scale), ("--forecast-peak", self.forecast_peak)):
            if value is not None and not value > 0:
                raise ReplayError(f"{option} {value:g}: must be above 0")
        if self.rate_scale is not None and self.forecast_peak is not None:
            raise ReplayError("give --rate-scale or --forecast-peak, not both: each sets the scale")

    @property
    def summary(self) -> str:
        """The options given, as a user would write them."""
        given = (("--window", self.window), ("--compression", self.compression),
                 ("--rate-scale", self.rate_scale), ("--forecast-peak", self.forecast_peak))
        return " ".join(f"{option} {value:g}" if isinstance(value, float) else f"{option} {value}"
                        for option, value in given if value is not None)

    @property
    def changes_nothing(self) -> bool:
        """Whether the scenario replays exactly as its file says."""
        return self == Replay()


def replayed(scenario: Scenario, replay: Replay) -> Scenario:
    """The scenario as `replay` asks; ReplayError when an option does not fit it."""
    if replay.forecast_peak is not None:
        peak = peak_rate(scenario.compiled_curve())
        if peak <= 0:
            raise ReplayError("--forecast-peak: the curve never rises above 0 orders/s, so it has no peak to scale")
        scenario = scaled(scenario, replay.forecast_peak / peak)
    elif replay.rate_scale is not None:
        scenario = scaled(scenario, replay.rate_scale)
    if replay.window is not None:
        start_s, end_s = parse_window(replay.window, scenario.clock)
        scenario = windowed(scenario, start_s, end_s)
    if replay.compression is not None:
        clock = scenario.clock.model_copy(update={"compression": float(replay.compression)})
        scenario = scenario.model_copy(update={"clock": clock})
    if replay.changes_nothing:
        return scenario
    raw = scenario.model_dump(by_alias=True)
    raw["description"] = f"{scenario.description} Replayed with {replay.summary}.".strip()
    try:  # the copies above skip validation: the result must load as any scenario file does
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ReplayError(f"the replayed scenario is not valid: {exc}") from None


def scaled(scenario: Scenario, factor: float) -> Scenario:
    """Every rate of the curve, and the baseline, times `factor`."""
    return scenario.model_copy(update={
        "curve": [_scaled(segment, factor) for segment in scenario.curve],
        "baseline_orders_per_day": scenario.baseline_orders_per_day * factor})


_RATE_FIELDS = {Hold: ("rate",), Step: ("to",), Ramp: ("to", "from_rate"), Spike: ("peak", "floor"),
                ExpDecay: ("to", "from_rate")}


def _scaled(segment: CurveSegment, factor: float) -> CurveSegment:
    # Nine significant figures: exact enough for any count, and no float noise in a written file.
    return segment.model_copy(update={name: float(f"{getattr(segment, name) * factor:.9g}")
                                      for name in _RATE_FIELDS[type(segment)] if getattr(segment, name) is not None})


def parse_window(text: str, clock: Clock) -> tuple[float, float]:
    """START..END as (start, end) real seconds after `clock.start`. A time of day is its first
    occurrence at or after the clock's start (END: after START); a date-time without a zone is in
    the clock's."""
    parts = text.split("..")
    if len(parts) != 2 or not all(part.strip() for part in parts):
        raise ReplayError(f"--window {text!r}: give START..END, e.g. 23:50..01:00 or "
                          "2018-11-11T00:00..2018-11-11T00:10")
    zone = clock.start.tzinfo
    start = _moment(parts[0].strip(), clock.start, zone, strictly_after=False)
    end = _moment(parts[1].strip(), start, zone, strictly_after=True)
    start_s, end_s = (start - clock.start).total_seconds(), (end - clock.start).total_seconds()
    if end_s <= start_s:
        raise ReplayError(f"--window {text!r}: ends before it starts")
    if start_s < 0 or end_s > clock.duration_s + _EPSILON_S:
        raise ReplayError(f"--window {text!r} ({start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S}) is not "
                          f"inside the scenario, which covers {clock.start:%Y-%m-%d %H:%M:%S} to "
                          f"{clock.end:%Y-%m-%d %H:%M:%S}")
    return start_s, end_s


def _moment(text: str, after: dt.datetime, zone: dt.tzinfo | None, strictly_after: bool) -> dt.datetime:
    if match := _TIME_OF_DAY.match(text):
        hour, minute, second = (int(g or 0) for g in match.groups())
        if hour > 23 or minute > 59 or second > 59:
            raise ReplayError(f"--window: {text!r} is not a time of day")
        after = after.astimezone(zone) if zone is not None else after  # a time of day on the festival's clock
        moment = dt.datetime.combine(after.date(), dt.time(hour, minute, second), tzinfo=zone)
        if moment < after or (strictly_after and moment == after):
            moment += dt.timedelta(days=1)
        return moment
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ReplayError(f"--window: {text!r} is neither a time of day (23:50) nor a date-time "
                          "(2018-11-11T00:10)") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    if zone is None:
        raise ReplayError(f"--window: {text!r} has a time zone, the scenario's clock has none")
    return moment


def windowed(scenario: Scenario, start_s: float, end_s: float) -> Scenario:
    """The stretch from `start_s` to `end_s` (real seconds after `clock.start`) as a scenario of its
    own: the curve outside it left out but for a lead-in as long as the waves' reach, whose orders'
    documents still fall due in the stretch."""
    clock = scenario.clock
    whole = compile_curve([PlacedSegment(segment) for segment in scenario.curve])
    start, end = clock.lead_in_s + start_s, clock.lead_in_s + end_s
    lead_in = cut(whole, start - min(scenario.longest_wave_s * clock.compression, start), start)
    return scenario.model_copy(update={
        "clock": Clock(start=clock.start + dt.timedelta(seconds=start_s), duration=end_s - start_s,
                       compression=clock.compression, lead_in=sum(s.duration_s for s in lead_in), window=True),
        "curve": lead_in + cut(whole, start, end)})


def cut(curve: Sequence[CompiledSegment], start_s: float, end_s: float) -> list[CurveSegment]:
    """The segments that draw `curve` from `start_s` to `end_s` exactly: those inside kept, those
    cut rewritten to start where the cut leaves them (`from`) and end where it does."""
    pieces: list[CurveSegment] = []
    for segment in curve:
        lo, hi = max(start_s, segment.start_s), min(end_s, segment.end_s)
        if hi - lo > _EPSILON_S:
            pieces += _piece(segment, lo - segment.start_s, hi - segment.start_s, first=not pieces)
    return pieces


def _piece(placed: CompiledSegment, t0: float, t1: float, first: bool) -> list[CurveSegment]:
    """Seconds `t0` to `t1` of one segment; the first piece of a cut names the rate it starts at."""
    model: CurveSegment = placed.segment.model
    if not first and t0 == 0 and abs(t1 - model.duration_s) <= _EPSILON_S:
        return [model]

    def rate(t: float) -> float:
        return placed.rate(placed.start_s + t)

    match model:
        case Hold():
            return [Hold(kind="hold", duration=t1 - t0, rate=rate(t0))]
        case Step():
            return [Step(kind="step", duration=t1 - t0, to=model.to)]
        case Ramp():
            return [Ramp(kind="ramp", duration=t1 - t0, from_rate=rate(t0), to=rate(t1))]
        case ExpDecay():
            return [ExpDecay(kind="exp_decay", duration=t1 - t0, from_rate=rate(t0), to=model.to,
                             half_life=model.half_life_s)]
        case Spike():
            rise = model.rise_s
            pieces: list[CurveSegment] = []
            if t0 < rise:
                top = min(t1, rise)
                pieces.append(Ramp(kind="ramp", duration=top - t0, from_rate=rate(t0), to=rate(top)))
            if t1 - max(t0, rise) > _EPSILON_S:
                decay_from = max(t0, rise)
                pieces.append(Spike(kind="spike", duration=t1 - decay_from, peak=model.peak, floor=model.floor,
                                    half_life=model.half_life_s) if decay_from == rise else
                              ExpDecay(kind="exp_decay", duration=t1 - decay_from, from_rate=rate(decay_from),
                                       to=model.floor, half_life=model.half_life_s))
            return pieces
    raise TypeError(model)

"""Figures of a scenario computed without running it: what the replay really is (the stretch of
real time it covers, how long it takes, the orders it sends, how long it holds its peak), and the
curve sampled for drawing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from scenarios.curves import (CompiledSegment, integrate, orders_between, peak_rate, rate_at,
                              seconds_at_or_above, total_duration)
from scenarios.model import Scenario

MESSAGES_PER_ORDER = 4  # order, payment, waybill, inventory list
NEAR_PEAK = 0.9  # "holds its peak": the rate is at least this share of it


@dataclass(frozen=True, slots=True)
class ScenarioFigures:
    """What a scenario asks of the target."""

    start: dt.datetime  # the festival clock at the start of the replayed stretch
    end: dt.datetime
    compression: float
    real_duration_s: float
    run_duration_s: float
    peak_orders_per_s: float
    peak_over_baseline: float
    orders_real: float  # over the real stretch of time the scenario covers
    orders_sent: float  # what the compressed replay sends
    peak_messages_per_s: float
    near_peak_wall_s: float  # wall seconds the curve stays at or above NEAR_PEAK of its peak
    lead_in_documents: float  # payments, waybills and lists of orders placed before the stretch, due in it


def figures(scenario: Scenario) -> ScenarioFigures:
    """The scenario's figures (exact: integrals and peaks in closed form)."""
    curve = scenario.compiled_curve()
    clock = scenario.clock
    peak = peak_rate(curve)
    orders = integrate(curve)
    return ScenarioFigures(
        start=clock.start, end=clock.end, compression=clock.compression,
        real_duration_s=clock.duration_s, run_duration_s=clock.run_duration_s,
        peak_orders_per_s=peak, peak_over_baseline=peak / scenario.baseline_rate,
        orders_real=orders, orders_sent=orders / clock.compression,
        peak_messages_per_s=peak * MESSAGES_PER_ORDER,
        near_peak_wall_s=seconds_at_or_above(curve, NEAR_PEAK * peak) / clock.compression if peak else 0.0,
        lead_in_documents=lead_in_documents(scenario))


def orders_per_minute(scenario: Scenario) -> list[float]:
    """Orders the curve intends in each minute of the festival clock, from `clock.start`."""
    curve = scenario.compiled_curve()
    end = total_duration(curve)
    return [orders_between(curve, m * 60.0, min(end, (m + 1) * 60.0)) for m in range(int(-(-end // 60)))]


def lead_in_documents(scenario: Scenario, step_s: float = 10.0) -> float:
    """Expected payments, waybills and lists of the lead-in's orders that fall due inside the
    replayed stretch (orders placed before it, whose documents arrive during it)."""
    lead_in = scenario.clock.lead_in_s
    if not lead_in:
        return 0.0
    curve = scenario.lead_in_curve()
    delays = [scenario.waves.payment, scenario.waves.waybill, scenario.waves.inventory_list]
    steps = max(1, round(lead_in / step_s))
    width, total = lead_in / steps, 0.0
    for i in range(steps):
        placed = (i + 0.5) * width  # on the lead-in's timeline: the stretch starts at lead_in
        due_after, due_before = lead_in - placed, lead_in + scenario.clock.duration_s - placed
        inside = sum(d.survival(due_after) - (d.survival(due_before) if scenario.clock.window else 0.0)
                     for d in delays)
        total += orders_between(curve, i * width, (i + 1) * width) * inside
    return total


def sampled_curve(scenario: Scenario, points: int = 2000,
                  span: tuple[float, float] | None = None) -> list[tuple[dt.datetime, float]]:
    """(real time, orders/s) at `points` evenly spaced instants and at every segment boundary and
    turning time, so the drawn peak is the stated one; `span` limits it to (start, end) seconds."""
    curve = scenario.compiled_curve()
    start, end = span or (0.0, total_duration(curve))
    instants = {start + (end - start) * i / (points - 1) for i in range(points)}
    instants |= {t for t in _turning_instants(curve) if start <= t <= end}
    origin = scenario.clock.start
    return [(origin + dt.timedelta(seconds=t), _rate_at_or_before(curve, t)) for t in sorted(instants)]


def _turning_instants(curve: Sequence[CompiledSegment]) -> set[float]:
    """Each turning time, and a hair before each segment's start (where a step jumps)."""
    instants = set()
    for segment in curve:
        instants |= {segment.start_s + t for t in segment.segment.turning_times()}
        instants.add(max(0.0, segment.start_s - 1e-6))
    return instants


def _rate_at_or_before(curve: Sequence[CompiledSegment], t: float) -> float:
    """The rate at `t`, or just before the curve's end at its end (where `rate_at` reads 0)."""
    end = total_duration(curve)
    if t < end:
        return rate_at(curve, t)
    return curve[-1].rate(end) if curve else 0.0


def busiest_hour(scenario: Scenario) -> tuple[float, float]:
    """(start, end) seconds of the hour with the most orders, on minute steps."""
    curve = scenario.compiled_curve()
    end = total_duration(curve)
    if end <= 3600:
        return 0.0, end
    starts = [m * 60.0 for m in range(int((end - 3600) // 60) + 1)]
    best = max(starts, key=lambda s: orders_between(curve, s, s + 3600))
    return best, best + 3600

"""Figures of a scenario computed without running it: duration, peak, expected volumes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scenarios.curves import integrate, peak_rate, rate_at, total_duration
from scenarios.model import Scenario

MESSAGES_PER_ORDER = 4  # order, payment, waybill, inventory list


@dataclass(frozen=True, slots=True)
class ScenarioFigures:
    """What a scenario asks of the target."""

    real_duration_s: float
    run_duration_s: float
    peak_orders_per_s: float
    peak_over_baseline: float
    orders_real: float  # over the real stretch of time the scenario covers
    orders_sent: float  # what the compressed replay sends
    peak_messages_per_s: float


def figures(scenario: Scenario) -> ScenarioFigures:
    """The scenario's figures (integrated at one-second resolution of real time)."""
    curve = scenario.compiled_curve()
    step = max(1.0, total_duration(curve) / 200_000)
    peak = peak_rate(curve, step)
    orders = integrate(curve, step)
    return ScenarioFigures(
        real_duration_s=scenario.clock.duration_s, run_duration_s=scenario.clock.run_duration_s,
        peak_orders_per_s=peak, peak_over_baseline=peak / scenario.baseline_rate,
        orders_real=orders, orders_sent=orders / scenario.clock.compression,
        peak_messages_per_s=peak * MESSAGES_PER_ORDER)


def sampled_curve(scenario: Scenario, points: int = 2000) -> list[tuple[dt.datetime, float]]:
    """(real time, orders/s) at `points` evenly spaced instants, for plotting."""
    curve = scenario.compiled_curve()
    end = total_duration(curve)
    start = scenario.clock.start
    return [(start + dt.timedelta(seconds=end * i / (points - 1)),
             rate_at(curve, min(end * i / (points - 1), end - 1e-9))) for i in range(points)]

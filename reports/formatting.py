"""Numbers as a person reads them: counts with thousands separators, measurements to three
significant figures, ratios as percentages, durations in the largest sensible unit; and each gate
metric in its own unit. Used by the report's templates as Jinja filters."""

from __future__ import annotations

import math

from scenarios.gates import GateMetric

_PERCENT = {GateMetric.ACHIEVED_RATIO, GateMetric.ERROR_RATIO, GateMetric.THROTTLED_RATIO,
            GateMetric.RELEASED_RATIO}
_MS = {GateMetric.LATENCY_P50_MS, GateMetric.LATENCY_P95_MS, GateMetric.LATENCY_P99_MS,
       GateMetric.LATENCY_MAX_MS}


def count(value: float | None) -> str:
    """A whole number: 9,000."""
    return "—" if value is None else f"{round(value):,}"


def sig(value: float | None, digits: int = 3) -> str:
    """A measurement to `digits` significant figures, never in exponent form: 3.11, 31.1, 3,109."""
    if value is None:
        return "—"
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{round(value, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text  # 10.0 reads as 10


def percent(ratio: float | None) -> str:
    """A ratio as a percentage to three significant figures: 0.0012 -> 0.12 %, 1.0 -> 100 %."""
    if ratio is None:
        return "—"
    return f"{sig(100 * ratio)} %"


def ms(value: float | None) -> str:
    return "—" if value is None else f"{sig(value)} ms"


def seconds(value: float | None) -> str:
    """A duration: 0.84 s, 12.3 s, 4 min 10 s, 2 h 05 min."""
    if value is None:
        return "—"
    if value < 59.5:  # below that, three significant figures never round up to 60
        return f"{sig(value)} s"
    total = round(value)
    if total < 3600:
        minutes, rest = divmod(total, 60)
        return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"
    hours, minutes = divmod(round(total / 60), 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"


def metric(value: float | None, name: GateMetric | None) -> str:
    """A gate figure in its metric's unit (a bare significant number when the metric is unknown)."""
    if value is None:
        return "—"
    if name in _PERCENT:
        return percent(value)
    if name in _MS:
        return ms(value)
    if name is GateMetric.CLEARANCE_P95_S:
        return seconds(value)
    if name is GateMetric.DROPPED_ARRIVALS:
        return count(value)
    return sig(value)


FILTERS = {"count": count, "sig": sig, "percent": percent, "ms": ms, "seconds": seconds}

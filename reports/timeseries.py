"""The report's time series, as plain data for the page to draw: what was due and sent, the share of
messages that failed, were throttled or fell behind schedule, and latency, each with the gates that
hold it drawn at their thresholds, the festival clock the run replays, and a drill's events.

Pure functions of a summary; the page draws them (uPlot, inlined) and a person zooms and hovers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from enum import Enum

from reports.formatting import metric
from reports.gates import per_second_counts
from reports.summary import GateResult, RunSummary
from scenarios.gates import GateMetric
from scenarios.model import Clock
from scenarios.windows import MIN_REQUESTS, first_breach, window_value

MAX_POINTS = 600  # per chart: enough to see a fault start, few enough to hover point by point


class Scale(str, Enum):
    """The y axis' scale."""

    LINEAR = "linear"
    LOG = "log"  # latency: a spike and the quiet before it on one chart
    ASINH = "asinh"  # shares: linear near 0 (which it keeps), logarithmic above, so 0.1 % and 30 % both read


@dataclass(frozen=True)
class Series:
    """One line: its values (None: no value in that bucket) and how it is drawn."""

    label: str
    values: list[float | None]
    color: str
    dash: list[int] = field(default_factory=list)  # canvas dash pattern; empty: solid
    width: float = 1.6
    gate: str | None = None  # the gate this line draws, if it draws one


@dataclass(frozen=True)
class Threshold:
    """A gate drawn across a chart at its threshold."""

    value: float  # in the chart's unit
    label: str
    passed: bool
    gate: str  # the gate's name, as the gate table has it


@dataclass(frozen=True)
class Chart:
    """One time-series chart; `x` is seconds into the run."""

    id: str
    title: str
    unit: str  # appended to hovered values
    y_label: str
    scale: Scale
    x: list[float]
    series: list[Series]
    thresholds: list[Threshold] = field(default_factory=list)


class MarkerKind(str, Enum):
    """What a marked moment is: the page draws a breach in red."""

    DRILL = "drill"  # a step of an incident drill
    BREACH = "breach"  # a windowed gate first broken


@dataclass(frozen=True)
class Marker:
    """An event at a moment of the run (a drill's fault going on, a gate first broken ...)."""

    t: float
    label: str
    kind: MarkerKind = MarkerKind.DRILL


@dataclass(frozen=True)
class FestivalClock:
    """Maps seconds into the run onto the real time replayed: `start_wall_ms` is the clock's start
    as wall time in its own zone (read with UTC getters), `zone` names that zone."""

    start_wall_ms: float
    zone: str
    compression: float

    @classmethod
    def of(cls, clock: Clock) -> FestivalClock:
        offset = clock.start.utcoffset()
        wall = clock.start.replace(tzinfo=dt.timezone.utc)
        if offset is None:
            zone = "local time"
        else:
            minutes = int(offset.total_seconds() // 60)
            zone = f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        return cls(start_wall_ms=wall.timestamp() * 1000, zone=zone, compression=clock.compression)


def bucket_seconds(sent_per_s: list[int]) -> int:
    """Seconds per point: at most `MAX_POINTS` points, and on average enough requests in each for a
    ratio (`MIN_REQUESTS`, the gates' own minimum) where the run sent that many at all."""
    n = len(sent_per_s)
    if not n:
        return 1
    width = max(1, math.ceil(n / MAX_POINTS))
    mean = sum(sent_per_s) / n
    if mean > 0:
        width = max(width, math.ceil(MIN_REQUESTS / mean))
    return min(width, n)


def _buckets(series: list[int], width: int, length: int) -> list[int]:
    return [sum(series[start:start + width]) for start in range(0, length, width)]


def _drawn_on(result: GateResult, metrics: set[GateMetric]) -> bool:
    # A gate scoped to one message type is not drawn over lines of all of them.
    return result.gate is not None and result.gate.metric in metrics and result.gate.message_type is None


def _threshold(result: GateResult, scale: float = 1.0) -> Threshold:
    limit = metric(result.threshold, result.gate.metric if result.gate else None)
    return Threshold(value=result.threshold * scale, label=f"gate {result.name} ({limit})",
                     passed=result.passed, gate=result.name)


def arrival_chart(summary: RunSummary, width: int) -> Chart:
    """Messages due and sent per second; an achieved-ratio gate is drawn as its floor under 'due'."""
    t = summary.timeline
    length = max(len(t.intended_per_s), len(t.sent_per_s))
    due, sent = _buckets(t.intended_per_s, width, length), _buckets(t.sent_per_s, width, length)
    # 'due' is a wide pale band under 'sent': visible where they agree, apart where the run fell behind
    series = [Series("due (intended)", [round(d / width, 3) for d in due], "#bdc3c7", width=4),
              Series("sent (achieved)", [round(s / width, 3) for s in sent], "#c0392b", width=1.4)]
    for result in summary.gates:
        if _drawn_on(result, {GateMetric.ACHIEVED_RATIO}):
            series.append(Series(f"gate {result.name}: floor", [round(d * result.threshold / width, 3) for d in due],
                                 "#27ae60" if result.passed else "#c0392b", [2, 3], 1.2, result.name))
    return Chart("arrival", "Arrival rate: due vs sent", " msg/s", "messages per second", Scale.LINEAR,
                 [float(x) for x in range(0, length, width)], series)


def ratio_chart(summary: RunSummary, width: int) -> Chart:
    """Per bucket, by the gates' own window maths: failed and 429 answers as a share of messages
    sent, and messages due but not sent in time (late, queued or dropped) as a share of those due."""
    counts = per_second_counts(summary)
    starts = range(0, max(len(counts.intended), len(counts.sent)), width)

    def percent(metric: GateMetric, complement: bool = False) -> list[float | None]:
        values = [window_value(metric, counts, start, start + width) for start in starts]
        return [None if v is None else round(100 * (max(0.0, 1 - v) if complement else v), 4)
                for v in values]

    series = [Series("errors (any non-2xx)", percent(GateMetric.ERROR_RATIO), "#c0392b"),
              Series("429 throttled", percent(GateMetric.THROTTLED_RATIO), "#e67e22"),
              Series("behind schedule (due, not sent)", percent(GateMetric.ACHIEVED_RATIO, True),
                     "#8e44ad", [4, 3])]
    thresholds = [_threshold(r, 100) for r in summary.gates
                  if _drawn_on(r, {GateMetric.ERROR_RATIO, GateMetric.THROTTLED_RATIO})]
    return Chart("ratios", "Errors, throttling and falling behind", " %", "% of messages", Scale.ASINH,
                 [float(x) for x in starts], series, thresholds)


_LATENCY_GATES = {GateMetric.LATENCY_P50_MS, GateMetric.LATENCY_P95_MS, GateMetric.LATENCY_P99_MS,
                  GateMetric.LATENCY_MAX_MS}


def latency_chart(summary: RunSummary) -> Chart:
    """Latency percentiles per timeline window, from the intended send time (corrected: what a
    customer waits) and from the actual send (raw)."""
    t = summary.timeline

    def positive(values: list[float]) -> list[float | None]:
        return [v if v > 0 else None for v in values]  # an empty window: a gap, not 0 on a log axis

    series = [Series("p99 corrected", positive(t.latency_p99_ms), "#c0392b"),
              Series("p95 corrected", positive(t.latency_p95_ms), "#e67e22"),
              Series("p50 corrected", positive(t.latency_p50_ms), "#f1c40f"),
              Series("p99 raw", positive(t.raw_p99_ms), "#2c7fb8", [2, 3]),
              Series("p50 raw", positive(t.raw_p50_ms), "#7f8c8d", [2, 3])]
    thresholds = [_threshold(r) for r in summary.gates if _drawn_on(r, _LATENCY_GATES)]
    return Chart("latency", f"HTTP latency per {t.step_s} s window", " ms", "ms (log scale)", Scale.LOG,
                 [float(x) for x in t.window_starts_s], series, thresholds)


def drill_markers(summary: RunSummary) -> list[Marker]:
    """A drill's events, placed on the run's time axis."""
    drill = summary.drill
    if drill is None:
        return []
    onset = drill.onset_at - summary.started_at
    return [Marker(round(onset + wall, 2), step) for step, wall in drill.steps() if wall is not None]


def breach_markers(summary: RunSummary) -> list[Marker]:
    """Where each broken windowed gate first broke (where a stop-loss gate ended the run)."""
    counts = per_second_counts(summary)
    markers = []
    for result in summary.gates:
        if result.passed or result.gate is None or result.gate.window_s is None:
            continue
        breach = first_breach(result.gate, counts)
        if breach is not None:
            markers.append(Marker(float(breach.end_s), f"broke: {result.name}", MarkerKind.BREACH))
    return markers


def gate_charts(charts: list[Chart]) -> dict[str, list[str]]:
    """Which charts draw each gate, by the gate's name."""
    drawn: dict[str, list[str]] = {}
    for chart in charts:
        names = [t.gate for t in chart.thresholds] + [s.gate for s in chart.series if s.gate]
        for name in dict.fromkeys(names):
            drawn.setdefault(name, []).append(chart.id)
    return drawn


def series_spec(summary: RunSummary) -> dict:
    """Everything the page's charts draw, as JSON-ready data."""
    width = bucket_seconds(summary.timeline.sent_per_s)
    charts = [arrival_chart(summary, width), ratio_chart(summary, width), latency_chart(summary)]
    return {"bucket_s": width,
            "clock": asdict(FestivalClock.of(summary.clock)) if summary.clock else None,
            "markers": [asdict(m) for m in drill_markers(summary) + breach_markers(summary)],
            "charts": [asdict(c) for c in charts],
            "gate_charts": gate_charts(charts)}

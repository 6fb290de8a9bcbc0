"""The run summary: one typed object every renderer and gate reads, built from generator results.

A distributed run's histograms are merged exactly (on Locust's master) before any percentile is
taken, so its percentiles are those of all its requests, not an average of averages.
"""

from __future__ import annotations

from collections import Counter
from enum import Enum

from hdrh.histogram import HdrHistogram
from pydantic import BaseModel, ConfigDict, Field

from locustfiles.results import RunResults, decode_histogram, new_histogram
from reports.drill import DrillTimeline
from reports.target_metrics import TargetMetrics
from scenarios.gates import Gate
from scenarios.figures import ScenarioFigures
from scenarios.model import Clock


class Verdict(str, Enum):
    """The outcome of a run."""

    PASS = "pass"
    FAIL = "fail"
    INVALID = "invalid"


class Latency(BaseModel):
    """Latency percentiles in milliseconds."""

    model_config = ConfigDict(frozen=True)

    p50: float
    p95: float
    p99: float
    max: float
    count: int

    @classmethod
    def of(cls, histogram: HdrHistogram) -> Latency:
        """Percentiles of a microsecond histogram, in ms."""
        def ms(us: float) -> float:
            return round(us / 1000, 3)
        return cls(p50=ms(histogram.get_value_at_percentile(50)),
                   p95=ms(histogram.get_value_at_percentile(95)),
                   p99=ms(histogram.get_value_at_percentile(99)),
                   max=ms(histogram.get_max_value()), count=histogram.get_total_count())


class MessageTypeSummary(BaseModel):
    """Requests of one message type."""

    model_config = ConfigDict(frozen=True)

    requests: int
    failures: int
    throttled: int
    statuses: dict[str, int]
    latency_ms: Latency  # corrected: from the intended send time
    raw_latency_ms: Latency  # from the actual send


class Timeline(BaseModel):
    """The run over time: messages due and sent per second, latency per window."""

    model_config = ConfigDict(frozen=True)

    step_s: int = 1  # the latency windows' length
    intended_per_s: list[int] = Field(default_factory=list)
    sent_per_s: list[int] = Field(default_factory=list)
    failed_per_s: list[int] = Field(default_factory=list)
    throttled_per_s: list[int] = Field(default_factory=list)
    latency_p50_ms: list[float] = Field(default_factory=list)  # corrected, per window
    latency_p95_ms: list[float] = Field(default_factory=list)
    latency_p99_ms: list[float] = Field(default_factory=list)
    raw_p50_ms: list[float] = Field(default_factory=list)
    raw_p99_ms: list[float] = Field(default_factory=list)
    window_starts_s: list[int] = Field(default_factory=list)


class GateResult(BaseModel):
    """One gate's verdict."""

    model_config = ConfigDict(frozen=True)

    name: str
    threshold: float
    value: float | None
    passed: bool
    gate: Gate | None = None  # what was held to the threshold: the report draws it on its chart


class RunSummary(BaseModel):
    """Everything a report says about a run."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    target: str
    started_at: float
    duration_s: float
    intended_rate: float  # orders/s over the load phase
    achieved_rate: float
    orders_intended: int
    orders_sent: int
    requests: int
    failures: int
    throttled: int
    connection_errors: int
    dropped_arrivals: int
    late_arrivals: int
    scheduler_lag_p99_ms: float
    generator_cpu_percent: float
    latency_ms: Latency
    raw_latency_ms: Latency
    message_types: dict[str, MessageTypeSummary]
    receipts_by_status: dict[str, int]
    clean_lists_sent: int
    clean_lists_released: int
    defect_lists_sent: int
    defect_lists_rejected: int
    clearance_s: Latency | None  # list sent -> release (800) seen, in seconds
    declared_to_cleared_s: Latency | None  # list sent -> cleared (399) seen
    order_to_release_s: Latency | None
    first_receipt_s: Latency | None = None  # list sent -> its first receipt seen
    error_samples: list[str]
    workers: int
    transport: str = "ceb-http"  # how messages reached the platform
    latency_meaning: str = ""  # what a message's latency measures on that transport
    receipt_feed_problems: dict[str, int] = Field(default_factory=dict)
    rejected_after_delivery: int = 0  # taken, then refused (a folder's error receipts)
    signed: int = 0
    signing_ms: Latency | None = None  # time to sign one message, apart from the latency
    timeline: Timeline = Timeline()
    target_metrics: TargetMetrics | None = None  # from the target's /metrics, when it has them
    drill: DrillTimeline | None = None  # `peakload drill`: the incident's timeline
    clock: Clock | None = None  # the stretch of real time replayed: the report's second time axis
    figures: ScenarioFigures | None = None  # what the replay was: real time covered, peak, time near it
    gates: list[GateResult] = Field(default_factory=list)
    verdict: Verdict = Verdict.PASS
    reasons: list[str] = Field(default_factory=list)

    @property
    def achieved_ratio(self) -> float:
        """Achieved over intended order rate (1.0 when nothing was intended)."""
        return self.achieved_rate / self.intended_rate if self.intended_rate else 1.0


def _seconds(histogram: HdrHistogram) -> Latency | None:
    if not histogram.get_total_count():
        return None
    in_ms = Latency.of(histogram)
    return Latency(p50=in_ms.p50 / 1000, p95=in_ms.p95 / 1000, p99=in_ms.p99 / 1000,
                   max=in_ms.max / 1000, count=in_ms.count)


def build_summary(results: RunResults, orders_intended: int) -> RunSummary:
    """The summary of a run (gates not yet applied) from its results, merged across processes."""
    per_type: dict[str, MessageTypeSummary] = {}
    all_corrected, all_raw = new_histogram(), new_histogram()
    totals: Counter[str] = Counter()
    for name, part in results.message_types.items():
        corrected, raw = decode_histogram(part.corrected_hdr), decode_histogram(part.raw_hdr)
        all_corrected.add(corrected)
        all_raw.add(raw)
        summary = MessageTypeSummary(
            requests=part.sent, failures=part.failed, throttled=part.statuses.get("429", 0),
            statuses=part.statuses, latency_ms=Latency.of(corrected), raw_latency_ms=Latency.of(raw))
        per_type[name] = summary
        totals.update(requests=summary.requests, failures=summary.failures,
                      throttled=summary.throttled,
                      connection_errors=part.statuses.get("connection_error", 0))
    load_s = results.load_duration_s
    lag = decode_histogram(results.scheduler_lag_hdr)
    return RunSummary(
        scenario=results.scenario, target=results.target, started_at=results.started_at,
        duration_s=round(results.run_duration_s, 3),
        intended_rate=round(orders_intended / load_s, 3),
        achieved_rate=round(results.orders_sent / load_s, 3),
        orders_intended=orders_intended, orders_sent=results.orders_sent,
        requests=totals["requests"], failures=totals["failures"], throttled=totals["throttled"],
        connection_errors=totals["connection_errors"],
        dropped_arrivals=results.dropped_arrivals, late_arrivals=results.late_arrivals,
        scheduler_lag_p99_ms=round(lag.get_value_at_percentile(99) / 1000, 3),
        generator_cpu_percent=results.generator_cpu_percent,
        latency_ms=Latency.of(all_corrected), raw_latency_ms=Latency.of(all_raw),
        message_types=per_type,
        receipts_by_status=dict(sorted(results.receipts_by_status.items(), key=lambda kv: int(kv[0]))),
        clean_lists_sent=results.clean_lists_sent, clean_lists_released=results.clean_lists_released,
        defect_lists_sent=results.defect_lists_sent, defect_lists_rejected=results.defect_lists_rejected,
        clearance_s=_seconds(decode_histogram(results.clearance_hdr)),
        declared_to_cleared_s=_seconds(decode_histogram(results.declared_to_cleared_hdr)),
        order_to_release_s=_seconds(decode_histogram(results.order_to_release_hdr)),
        first_receipt_s=_seconds(decode_histogram(results.first_receipt_hdr)),
        error_samples=results.error_samples, workers=results.worker_count,
        transport=results.transport, latency_meaning=results.latency_meaning,
        receipt_feed_problems=results.receipt_feed_problems,
        rejected_after_delivery=results.rejected_after_delivery, signed=results.signed,
        signing_ms=Latency.of(decode_histogram(results.signing_hdr)) if results.signing_hdr else None,
        timeline=_timeline(results),
    )


def _timeline(results: RunResults) -> Timeline:
    columns: dict[str, list[float]] = {"latency_p50_ms": [], "latency_p95_ms": [],
                                       "latency_p99_ms": [], "raw_p50_ms": [], "raw_p99_ms": []}
    for window in results.latency_timeline:
        corrected, raw = decode_histogram(window.corrected_hdr), decode_histogram(window.raw_hdr)
        for name, histogram, q in (("latency_p50_ms", corrected, 50), ("latency_p95_ms", corrected, 95),
                                   ("latency_p99_ms", corrected, 99),
                                   ("raw_p50_ms", raw, 50), ("raw_p99_ms", raw, 99)):
            columns[name].append(round(histogram.get_value_at_percentile(q) / 1000, 3))
    return Timeline(step_s=results.timeline_step_s, intended_per_s=results.intended_per_second,
                    sent_per_s=results.sent_per_second, failed_per_s=results.failed_per_second,
                    throttled_per_s=results.throttled_per_second,
                    window_starts_s=[w.window * results.timeline_step_s for w in results.latency_timeline],
                    **columns)

"""What a generator process records, and the file it leaves behind for reports.

Latencies live in HdrHistograms (microseconds), both *corrected* (from the intended send time, so
a stalled target cannot hide behind a waiting generator: no coordinated omission) and *raw* (from
the actual send). They are written encoded, so processes can be merged exactly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Sequence
from pathlib import Path

from hdrh.histogram import HdrHistogram

from locustfiles.histograms import BufferedHistogram
from pydantic import BaseModel, ConfigDict, Field

LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # one hour
SIGNIFICANT_DIGITS = 3


LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)  # exported
TIMELINE_HIGHEST_US = 60_000_000  # timeline windows clamp at one minute, at 2 digits: small


def new_histogram() -> HdrHistogram:
    """An empty latency histogram (microseconds, 3 significant digits, up to one hour)."""
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)


def new_window_histogram() -> HdrHistogram:
    """An empty histogram for one timeline window (coarser: plots, not gates, read it)."""
    return HdrHistogram(LOWEST_US, TIMELINE_HIGHEST_US, 2)


def decode_histogram(encoded: str) -> HdrHistogram:
    """A histogram from its encoded form (empty string: an empty histogram)."""
    if not encoded:
        return new_histogram()
    return HdrHistogram.decode(encoded)


def _merge_timelines(timelines: Sequence[list[LatencyWindow]]) -> list[LatencyWindow]:
    by_window: dict[int, list[LatencyWindow]] = {}
    for timeline in timelines:
        for window in timeline:
            by_window.setdefault(window.window, []).append(window)
    return [LatencyWindow(window=w, corrected_hdr=merge_encoded([x.corrected_hdr for x in ws], True),
                          raw_hdr=merge_encoded([x.raw_hdr for x in ws], True))
            for w, ws in sorted(by_window.items())]


def _add_series(series: Sequence[list[int]]) -> list[int]:
    length = max((len(s) for s in series), default=0)
    return [sum(s[i] for s in series if i < len(s)) for i in range(length)]


def merge_encoded(encoded: Sequence[str], window: bool = False) -> str:
    """The encoded sum of encoded histograms (of timeline windows when `window`)."""
    total = new_window_histogram() if window else new_histogram()
    for item in encoded:
        if item:
            total.add(decode_histogram(item))
    return encode_histogram(total)


def encode_histogram(histogram: HdrHistogram) -> str:
    """The compressed base64 form of a histogram ('' when empty)."""
    return histogram.encode().decode("ascii") if histogram.get_total_count() else ""


@dataclass
class MessageTypeRecord:
    """Requests of one message type, as the generator saw them."""

    sent: int = 0
    succeeded: int = 0
    failed: int = 0
    statuses: Counter = field(default_factory=Counter)
    corrected: BufferedHistogram = field(default_factory=lambda: BufferedHistogram(new_histogram()))
    raw: BufferedHistogram = field(default_factory=lambda: BufferedHistogram(new_histogram()))


class MessageTypeResults(BaseModel):
    """Serialised `MessageTypeRecord`."""

    model_config = ConfigDict(frozen=True)

    sent: int
    succeeded: int
    failed: int
    statuses: dict[str, int]
    corrected_hdr: str
    raw_hdr: str


class LatencyWindow(BaseModel):
    """Latency of the requests sent in one timeline window (encoded window histograms)."""

    model_config = ConfigDict(frozen=True)

    window: int  # index: the window starts at window x timeline_step_s seconds into the run
    corrected_hdr: str
    raw_hdr: str


class RunResults(BaseModel):
    """Everything one generator process measured: the input of `reports`."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    target: str
    worker_index: int = 0
    worker_count: int = 1
    started_at: float
    run_duration_s: float  # first intended send to last send
    load_duration_s: float  # the curve's length on the wall clock
    orders_intended: int
    orders_sent: int
    dropped_arrivals: int
    late_arrivals: int
    scheduler_lag_hdr: str
    message_types: dict[str, MessageTypeResults]
    receipts_by_status: dict[str, int] = Field(default_factory=dict)
    clean_lists_sent: int = 0
    clean_lists_released: int = 0
    defect_lists_rejected: int = 0
    defect_lists_sent: int = 0
    clearance_hdr: str = ""  # inventory list sent -> 800 seen
    declared_to_cleared_hdr: str = ""  # inventory list sent -> 399 seen
    order_to_release_hdr: str = ""  # order sent -> 800 seen
    first_receipt_hdr: str = ""  # inventory list sent -> its first receipt seen
    generator_cpu_percent: float = 0.0
    intended_per_second: list[int] = Field(default_factory=list)  # messages due, per second of run
    sent_per_second: list[int] = Field(default_factory=list)  # messages sent, per second of run
    failed_per_second: list[int] = Field(default_factory=list)
    throttled_per_second: list[int] = Field(default_factory=list)
    timeline_step_s: int = 1
    latency_timeline: list[LatencyWindow] = Field(default_factory=list)
    error_samples: list[str] = Field(default_factory=list)
    aborted: str | None = None  # why the run was cut short (makes it invalid), if it was
    stopped_by: str | None = None  # the stop-loss gate that ended the run, when, and its value
    transport: str = "ceb-http"
    latency_meaning: str = ""  # what a message's latency measures on the transport
    receipt_feed_problems: dict[str, int] = Field(default_factory=dict)  # what misbehaved, counted
    rejected_after_delivery: int = 0  # taken, then refused (a folder transport's error receipts)
    signed: int = 0  # messages signed
    signing_hdr: str = ""  # time to sign one message (microseconds), local key or signing service

    @classmethod
    def merge(cls, parts: Sequence[RunResults]) -> RunResults:
        """One process's worth of results from several: counts added, histograms merged exactly."""
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        names = sorted({name for part in parts for name in part.message_types})
        types = {}
        for name in names:
            mine = [p.message_types[name] for p in parts if name in p.message_types]
            statuses: Counter[str] = Counter()
            for m in mine:
                statuses.update(m.statuses)
            types[name] = MessageTypeResults(
                sent=sum(m.sent for m in mine), succeeded=sum(m.succeeded for m in mine),
                failed=sum(m.failed for m in mine), statuses=dict(sorted(statuses.items())),
                corrected_hdr=merge_encoded([m.corrected_hdr for m in mine]),
                raw_hdr=merge_encoded([m.raw_hdr for m in mine]))
        receipts: Counter[str] = Counter()
        problems: Counter[str] = Counter()
        for part in parts:
            receipts.update(part.receipts_by_status)
            problems.update(part.receipt_feed_problems)
        total = {name: sum(getattr(p, name) for p in parts) for name in (
            "orders_intended", "orders_sent", "dropped_arrivals", "late_arrivals", "clean_lists_sent",
            "clean_lists_released", "defect_lists_rejected", "defect_lists_sent", "rejected_after_delivery",
            "signed")}
        return cls(
            scenario=first.scenario, target=first.target, worker_index=0, worker_count=len(parts),
            started_at=min(p.started_at for p in parts),
            run_duration_s=max(p.run_duration_s for p in parts), load_duration_s=first.load_duration_s,
            scheduler_lag_hdr=merge_encoded([p.scheduler_lag_hdr for p in parts]),
            message_types=types, receipts_by_status=dict(sorted(receipts.items())),
            clearance_hdr=merge_encoded([p.clearance_hdr for p in parts]),
            declared_to_cleared_hdr=merge_encoded([p.declared_to_cleared_hdr for p in parts]),
            order_to_release_hdr=merge_encoded([p.order_to_release_hdr for p in parts]),
            first_receipt_hdr=merge_encoded([p.first_receipt_hdr for p in parts]),
            generator_cpu_percent=max(p.generator_cpu_percent for p in parts),
            intended_per_second=_add_series([p.intended_per_second for p in parts]),
            sent_per_second=_add_series([p.sent_per_second for p in parts]),
            failed_per_second=_add_series([p.failed_per_second for p in parts]),
            throttled_per_second=_add_series([p.throttled_per_second for p in parts]),
            stopped_by=next((p.stopped_by for p in parts if p.stopped_by), None),
            timeline_step_s=first.timeline_step_s,
            latency_timeline=_merge_timelines([p.latency_timeline for p in parts]),
            error_samples=[e for p in parts for e in p.error_samples][:20],
            aborted=next((p.aborted for p in parts if p.aborted), None),
            transport=first.transport, latency_meaning=first.latency_meaning,
            receipt_feed_problems=dict(problems.most_common(20)),
            signing_hdr=merge_encoded([p.signing_hdr for p in parts]), **total)

    def write(self, path: Path) -> None:
        """Write as JSON (atomically, so a reader never sees half a file)."""
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> RunResults:
        """Read results written by `write`."""
        return cls.model_validate_json(path.read_text(encoding="utf-8"))

"""Recording what the generator sent and what came back; plain Python, no gevent."""

from __future__ import annotations

import bisect
from collections import Counter

from ceb.types import MessageType, ReturnStatus
from locustfiles.histograms import BufferedHistogram
from locustfiles.receipt_tracker import ReceiptTracker
from locustfiles.results import (
    LATENCY_BUCKETS_S,
    TIMELINE_HIGHEST_US,
    LatencyWindow,
    MessageTypeRecord,
    MessageTypeResults,
    RunResults,
    encode_histogram,
    new_histogram,
    new_window_histogram,
)
from locustfiles.schedule import SendJob
from scenarios.windows import LatencyStep

_ERROR_SAMPLES = 20
ACCEPTED = frozenset({200, 202})  # 202 accepted, 200 a duplicate the platform already holds


class Recorder:
    """Counts and latency histograms of one generator process. Times are seconds from run start."""

    def __init__(self, late_s: float, timeline_step_s: int = 1, stored_is_final: bool = False) -> None:
        self.late_s = late_s
        self.timeline_step_s = timeline_step_s
        self.timeline: dict[int, tuple[BufferedHistogram, BufferedHistogram]] = {}  # window -> corrected, raw
        self.message_types: dict[MessageType, MessageTypeRecord] = {}
        self.scheduler_lag = BufferedHistogram(new_histogram())
        self.dropped = 0
        self.late = 0
        self.orders_planned = 0
        self.orders_sent = 0
        self.last_send_s = 0.0
        self.errors: Counter[str] = Counter()
        self.intended_per_second: Counter[int] = Counter()  # messages due in each second of the run
        self.sent_per_second: Counter[int] = Counter()  # messages sent in each second
        self.failed_per_second: Counter[int] = Counter()  # ... of which failed (any non-2xx)
        self.throttled_per_second: Counter[int] = Counter()  # ... of which answered 429
        # A store-only run's lists are answered 1 (stored) and go no further.
        self.receipts = ReceiptTracker(also_final=frozenset({ReturnStatus.STORED}) if stored_is_final else frozenset())
        self.rejected_after_delivery = 0
        self.signing = BufferedHistogram(new_histogram())
        self.signed = 0
        # Corrected latency in Prometheus buckets, kept as requests finish so a scrape only reads.
        self.latency_buckets: dict[MessageType, list[int]] = {}
        self.latency_sum_s: dict[MessageType, float] = {}

    def planned(self, job: SendJob, lag_s: float) -> None:
        """The dispatcher released `job`, `lag_s` after its intended time."""
        self.scheduler_lag.record(max(1, int(lag_s * 1e6)))
        self.intended_per_second[int(job.intended_s)] += 1
        if job.message_type is MessageType.ORDER:
            self.orders_planned += 1

    def dropped_arrival(self, job: SendJob) -> None:
        """No sender could take `job` before the queue overflowed."""
        self.dropped += 1

    def response(self, job: SendJob, sent_s: float, done_s: float, status: int | None,
                 error: str | None) -> None:
        """A request finished: `status` None means no HTTP answer (connection error)."""
        record = self.message_types.get(job.message_type)
        if record is None:  # not setdefault: a record holds two histograms, costly to build per call
            record = self.message_types[job.message_type] = MessageTypeRecord()
        record.sent += 1
        record.statuses[str(status) if status is not None else "connection_error"] += 1
        ok = status in ACCEPTED
        if ok:
            record.succeeded += 1
        else:
            record.failed += 1
            self.failed_per_second[int(sent_s)] += 1
            if status == 429:
                self.throttled_per_second[int(sent_s)] += 1
            self.errors[f"{job.message_type.value} {status}: {error}"[:300]] += 1
        self.sent_per_second[int(sent_s)] += 1
        if sent_s - job.intended_s > self.late_s:
            self.late += 1
        corrected_us = max(1, int((done_s - job.intended_s) * 1e6))
        raw_us = max(1, int((done_s - sent_s) * 1e6))
        record.corrected.record(corrected_us)
        record.raw.record(raw_us)
        buckets = self.latency_buckets.get(job.message_type)
        if buckets is None:
            buckets = self.latency_buckets[job.message_type] = [0] * (len(LATENCY_BUCKETS_S) + 1)
        buckets[bisect.bisect_left(LATENCY_BUCKETS_S, corrected_us / 1e6)] += 1
        self.latency_sum_s[job.message_type] = self.latency_sum_s.get(job.message_type, 0.0) + corrected_us / 1e6
        window = self.timeline.get(int(sent_s) // self.timeline_step_s)
        if window is None:
            window = self.timeline[int(sent_s) // self.timeline_step_s] = (
                BufferedHistogram(new_window_histogram()), BufferedHistogram(new_window_histogram()))
        window[0].record(min(corrected_us, TIMELINE_HIGHEST_US))
        window[1].record(min(raw_us, TIMELINE_HIGHEST_US))
        self.last_send_s = max(self.last_send_s, sent_s)
        if job.message_type is MessageType.ORDER:
            self.orders_sent += 1
        if not ok:
            return
        if job.message_type is MessageType.ORDER:
            self.receipts.order_sent(job.document_guid, job.parcel, job.intended_s)
        elif job.message_type is MessageType.INVENTORY_LIST and not job.withdrawn:
            self.receipts.list_sent(job.document_guid, job.parcel, job.defect is not None,
                                    job.intended_s)
        elif job.message_type is MessageType.EXPORT_LIST:
            self.receipts.export_list_sent(job.document_guid)
        else:
            self.receipts.document_sent(job.document_guid)

    def rejected_later(self, message_type: str, reason: str, at_s: float) -> None:
        """The platform refused a message it had taken (a folder transport's error receipt): it
        counts as failed, in the second the refusal was read."""
        self.rejected_after_delivery += 1
        self.failed_per_second[int(at_s)] += 1
        self.errors[f"{message_type} refused after delivery: {reason}"[:300]] += 1
        try:
            record = self.message_types.get(MessageType(message_type))
        except ValueError:  # the refusal named a type this run never sent
            return
        if record is not None and record.succeeded > 0:
            record.succeeded -= 1
            record.failed += 1

    def signed_one(self, seconds: float) -> None:
        """A message was signed in `seconds`."""
        self.signed += 1
        self.signing.record(max(1, int(seconds * 1e6)))

    def latency_steps(self, until_s: int) -> list[LatencyStep]:
        """Corrected percentiles of the timeline steps that ended by `until_s`."""
        step = self.timeline_step_s
        return [LatencyStep(w * step, *(corrected.histogram.get_value_at_percentile(q) / 1000 for q in (50, 95, 99)))
                for w, (corrected, _) in sorted(self.timeline.items()) if (w + 1) * step <= until_s]

    def results(self, *, scenario: str, target: str, started_at: float, load_duration_s: float,
                cpu_percent: float, aborted: str | None, worker_index: int = 0,
                worker_count: int = 1, stopped_by: str | None = None) -> RunResults:
        """The serialisable results of this process."""
        tracker = self.receipts
        return RunResults(
            scenario=scenario, target=target, worker_index=worker_index, worker_count=worker_count,
            started_at=started_at, run_duration_s=self.last_send_s, load_duration_s=load_duration_s,
            orders_intended=self.orders_planned, orders_sent=self.orders_sent,
            dropped_arrivals=self.dropped, late_arrivals=self.late,
            scheduler_lag_hdr=encode_histogram(self.scheduler_lag.histogram),
            message_types={
                mt.value: MessageTypeResults(
                    sent=r.sent, succeeded=r.succeeded, failed=r.failed, statuses=dict(r.statuses),
                    corrected_hdr=encode_histogram(r.corrected.histogram), raw_hdr=encode_histogram(r.raw.histogram))
                for mt, r in sorted(self.message_types.items(), key=lambda item: item[0].value)},
            receipts_by_status={str(k): v for k, v in sorted(tracker.by_status.items())},
            clean_lists_sent=tracker.clean_lists_sent, clean_lists_released=tracker.clean_released,
            defect_lists_sent=tracker.defect_lists_sent, defect_lists_rejected=tracker.defect_rejected,
            clearance_hdr=encode_histogram(tracker.clearance),
            declared_to_cleared_hdr=encode_histogram(tracker.declared_to_cleared),
            order_to_release_hdr=encode_histogram(tracker.order_to_release),
            first_receipt_hdr=encode_histogram(tracker.first_receipt),
            generator_cpu_percent=cpu_percent,
            intended_per_second=_dense(self.intended_per_second),
            sent_per_second=_dense(self.sent_per_second),
            failed_per_second=_dense(self.failed_per_second),
            throttled_per_second=_dense(self.throttled_per_second),
            timeline_step_s=self.timeline_step_s,
            latency_timeline=[LatencyWindow(window=w, corrected_hdr=encode_histogram(c.histogram),
                                            raw_hdr=encode_histogram(r.histogram))
                              for w, (c, r) in sorted(self.timeline.items())],
            error_samples=[f"{count}x {text}" for text, count in self.errors.most_common(_ERROR_SAMPLES)],
            aborted=aborted, stopped_by=stopped_by, rejected_after_delivery=self.rejected_after_delivery,
            signed=self.signed, signing_hdr=encode_histogram(self.signing.histogram))


def per_second(counts: Counter[int], length: int) -> list[int]:
    """Counts for seconds 0 .. length-1."""
    return [counts.get(second, 0) for second in range(length)]


def _dense(per_second: Counter[int]) -> list[int]:
    return [per_second.get(second, 0) for second in range(max(per_second, default=-1) + 1)]

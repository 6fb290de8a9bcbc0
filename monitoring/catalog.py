"""The one list of metric names that rules, dashboards and runbooks are checked against.

`ceb_platform_*` come from the platform (the mock, or a real platform exporting the same names);
`peakload_*` from the load generator while it runs. Tests check every name used in a rule or a
runbook against this list, and this list against what the processes really export.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    kind: Kind
    labels: tuple[str, ...]
    help: str

    def series(self) -> tuple[str, ...]:
        """The series names Prometheus stores for this metric."""
        if self.kind is Kind.COUNTER:
            return (f"{self.name}_total",)
        if self.kind is Kind.HISTOGRAM:
            return (f"{self.name}_bucket", f"{self.name}_sum", f"{self.name}_count")
        return (self.name,)


PLATFORM = (
    Metric("ceb_platform_intake_messages", Kind.COUNTER, ("message_type", "outcome"),
           "Messages received, by type and outcome (accepted, duplicate, throttled, ...)"),
    Metric("ceb_platform_intake_documents", Kind.COUNTER, ("message_type",), "Documents accepted"),
    Metric("ceb_platform_intake_seconds", Kind.HISTOGRAM, ("message_type",), "Intake answer time"),
    Metric("ceb_platform_receipts", Kind.COUNTER, ("message_type", "return_status"), "Receipts issued"),
    Metric("ceb_platform_storage_commit_seconds", Kind.HISTOGRAM, (), "Group-commit transaction time"),
    Metric("ceb_platform_storage_commit_batch_size", Kind.HISTOGRAM, (), "Operations per commit"),
    Metric("ceb_platform_matching_pending_documents", Kind.GAUGE, (), "Documents awaiting partners"),
    Metric("ceb_platform_inventory_clearance_seconds", Kind.HISTOGRAM, (), "List declared to released"),
    Metric("ceb_platform_ready", Kind.GAUGE, (), "1 while accepting messages"),
    Metric("ceb_platform_intake_queue_depth", Kind.GAUGE, (), "Admitted, waiting for a slot"),
    Metric("ceb_platform_intake_in_flight", Kind.GAUGE, (), "Admitted, not yet answered"),
    Metric("ceb_platform_intake_queue_limit", Kind.GAUGE, (), "Waiting or in progress before 429"),
    Metric("ceb_platform_capacity_messages_per_second", Kind.GAUGE, (), "Intake capacity; 0 unlimited"),
    Metric("ceb_platform_storage_write_backlog", Kind.GAUGE, (), "Writes waiting for a commit"),
    Metric("ceb_platform_fault_active", Kind.GAUGE, ("kind",), "1 while a fault is injected"),
)

GENERATOR = (
    Metric("peakload_messages_intended", Kind.COUNTER, (), "Messages due so far (the open model's plan)"),
    Metric("peakload_requests", Kind.COUNTER, ("message_type", "outcome"),
           "Requests answered, by message type and outcome (ok, throttled, failed)"),
    Metric("peakload_request_latency_seconds", Kind.HISTOGRAM, ("message_type",),
           "Latency from the intended send time (corrected); sum across workers"),
    Metric("peakload_arrivals_dropped", Kind.COUNTER, (), "Arrivals dropped: no sender in time"),
    Metric("peakload_arrivals_late", Kind.COUNTER, (), "Arrivals sent later than late_ms"),
    Metric("peakload_scheduler_lag_p99_seconds", Kind.GAUGE, (), "Dispatcher lag p99 so far"),
    Metric("peakload_generator_cpu_percent", Kind.GAUGE, (), "Generator CPU over the load phase"),
    Metric("peakload_messages_intended_per_second", Kind.GAUGE, (), "Due, last 5 s"),
    Metric("peakload_messages_sent_per_second", Kind.GAUGE, (), "Sent, last 5 s"),
)

ALL = PLATFORM + GENERATOR
SERIES = frozenset(series for metric in ALL for series in metric.series())

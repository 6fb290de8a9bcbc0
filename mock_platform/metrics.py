"""The mock platform's Prometheus metrics, built on a registry the app owns.

Names carry the `ceb_platform_` prefix so the same dashboards and alerts serve a real platform
that exports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from mock_platform.faults import FaultBook, FaultKind

if TYPE_CHECKING:  # the writer imports these metrics; only type hints point back
    from mock_platform.admission import Admission
    from mock_platform.writer import GroupCommitWriter

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600)


@dataclass(frozen=True)
class PlatformMetrics:
    """Every metric the platform updates."""

    registry: CollectorRegistry
    intake_messages: Counter
    intake_documents: Counter
    intake_seconds: Histogram
    receipts: Counter
    commit_seconds: Histogram
    commit_batch_size: Histogram
    matching_pending: Gauge
    clearance_seconds: Histogram
    ready: Gauge
    _children: dict[tuple[int, tuple[str, ...]], object] = field(default_factory=dict, repr=False, compare=False)

    def child(self, metric: Counter | Histogram, *labels: str):
        """`metric.labels(*labels)`, looked up once per label set: prometheus_client checks the
        labels and takes a lock on every `labels` call, several times a message."""
        key = (id(metric), labels)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*labels)
        return found


def build_metrics(registry: CollectorRegistry | None = None) -> PlatformMetrics:
    """Create the platform's metrics on `registry` (a fresh one by default)."""
    registry = registry or CollectorRegistry()
    return PlatformMetrics(
        registry=registry,
        intake_messages=Counter(
            "ceb_platform_intake_messages", "Messages received, by type and outcome",
            ["message_type", "outcome"], registry=registry),
        intake_documents=Counter(
            "ceb_platform_intake_documents", "Documents in accepted messages, by type",
            ["message_type"], registry=registry),
        intake_seconds=Histogram(
            "ceb_platform_intake_seconds", "Time from request to answer on /ceb/messages",
            ["message_type"], buckets=LATENCY_BUCKETS, registry=registry),
        receipts=Counter(
            "ceb_platform_receipts", "Receipts issued, by receipt type and returnStatus",
            ["message_type", "return_status"], registry=registry),
        commit_seconds=Histogram(
            "ceb_platform_storage_commit_seconds", "Duration of one group-commit transaction",
            buckets=LATENCY_BUCKETS, registry=registry),
        commit_batch_size=Histogram(
            "ceb_platform_storage_commit_batch_size", "Operations per group-commit transaction",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024), registry=registry),
        matching_pending=Gauge(
            "ceb_platform_matching_pending_documents", "Documents waiting for their partners",
            registry=registry),
        clearance_seconds=Histogram(
            "ceb_platform_inventory_clearance_seconds", "Inventory list declared to released (800)",
            buckets=LAG_BUCKETS, registry=registry),
        ready=Gauge("ceb_platform_ready", "1 while the platform accepts messages", registry=registry),
    )


class LiveStateCollector(Collector):
    """Intake queue, capacity and active faults, read from the live objects at scrape time."""

    def __init__(self, admission: Admission, faults: FaultBook, writer: GroupCommitWriter) -> None:
        self._admission = admission
        self._faults = faults
        self._writer = writer

    def collect(self) -> Iterator[GaugeMetricFamily]:
        admission = self._admission
        yield GaugeMetricFamily("ceb_platform_intake_queue_depth",
                                "Messages admitted and waiting for their processing slot",
                                value=admission.waiting)
        yield GaugeMetricFamily("ceb_platform_intake_in_flight",
                                "Messages admitted and not yet answered", value=admission.in_flight)
        yield GaugeMetricFamily("ceb_platform_intake_queue_limit",
                                "Messages waiting or in progress before intake answers 429",
                                value=admission.queue_limit)
        yield GaugeMetricFamily("ceb_platform_capacity_messages_per_second",
                                "Configured (or fault-capped) intake capacity; 0 when unlimited",
                                value=admission.capacity or 0)
        yield GaugeMetricFamily("ceb_platform_storage_write_backlog",
                                "Write operations waiting for the next group commit",
                                value=self._writer.backlog)
        active = GaugeMetricFamily("ceb_platform_fault_active", "1 while a fault of this kind is injected",
                                   labels=["kind"])
        in_force = {f.spec.kind for f in self._faults.active()}
        for kind in FaultKind:
            active.add_metric([kind.value], 1 if kind in in_force else 0)
        yield active

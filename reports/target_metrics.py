"""Target-side figures, read from the platform's own /metrics (the mock's, or a real platform
exporting the same names) at the end of a run."""

from __future__ import annotations

from collections import defaultdict

from prometheus_client.parser import text_string_to_metric_families
from pydantic import BaseModel, ConfigDict


class TargetMetrics(BaseModel):
    """What the platform itself counted."""

    model_config = ConfigDict(frozen=True)

    intake_by_outcome: dict[str, float]  # accepted, duplicate, throttled, rejected codes ...
    intake_p99_ms: float | None  # from the intake latency histogram's buckets
    receipts_issued: float
    commit_batch_mean: float | None  # messages per group-commit transaction
    matching_pending: float | None


def _bucket_quantile(buckets: list[tuple[float, float]], q: float) -> float | None:
    """The upper bound of the first bucket holding the q-quantile (a conservative estimate)."""
    buckets.sort()
    total = buckets[-1][1] if buckets else 0
    if not total:
        return None
    for bound, count in buckets:
        if count >= q * total:
            return bound
    return None


def parse_target_metrics(exposition: str) -> TargetMetrics | None:
    """The figures in a Prometheus text exposition, or None when it has no ceb_platform_ metrics."""
    outcomes: dict[str, float] = defaultdict(float)
    buckets: dict[float, float] = defaultdict(float)
    receipts = 0.0
    batch_sum = batch_count = 0.0
    pending = None
    found = False
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            name = sample.name
            if not name.startswith("ceb_platform_"):
                continue
            found = True
            if name == "ceb_platform_intake_messages_total":
                outcomes[sample.labels["outcome"]] += sample.value
            elif name == "ceb_platform_intake_seconds_bucket":
                buckets[float(sample.labels["le"])] += sample.value
            elif name == "ceb_platform_receipts_total":
                receipts += sample.value
            elif name == "ceb_platform_storage_commit_batch_size_sum":
                batch_sum = sample.value
            elif name == "ceb_platform_storage_commit_batch_size_count":
                batch_count = sample.value
            elif name == "ceb_platform_matching_pending_documents":
                pending = sample.value
    if not found:
        return None
    p99 = _bucket_quantile(list(buckets.items()), 0.99)
    return TargetMetrics(intake_by_outcome=dict(sorted(outcomes.items())),
                         intake_p99_ms=None if p99 is None else p99 * 1000, receipts_issued=receipts,
                         commit_batch_mean=batch_sum / batch_count if batch_count else None,
                         matching_pending=pending)

"""The generator's Prometheus metrics: a custom collector that reads the runtime at scrape time
(no second set of books), on an explicit registry, served by the Locust process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from locustfiles.results import LATENCY_BUCKETS_S

if TYPE_CHECKING:
    from locustfiles.runtime import GeneratorRuntime



class GeneratorCollector(Collector):
    """Reads one generator process's recorder whenever Prometheus scrapes."""

    def __init__(self, runtime: GeneratorRuntime) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator:
        recorder = self._runtime.recorder
        progress = self._runtime.progress()
        intended = CounterMetricFamily("peakload_messages_intended", "Messages due so far")
        intended.add_metric([], progress.intended)
        yield intended
        requests = CounterMetricFamily("peakload_requests", "Requests answered by type and outcome",
                                       labels=["message_type", "outcome"])
        latency = HistogramMetricFamily("peakload_request_latency_seconds",
                                        "Latency from the intended send time", labels=["message_type"])
        for message_type, record in sorted(recorder.message_types.items(), key=lambda kv: kv[0].value):
            throttled = record.statuses.get("429", 0)
            for outcome, value in (("ok", record.succeeded), ("throttled", throttled),
                                   ("failed", record.failed - throttled)):
                requests.add_metric([message_type.value, outcome], value)
            latency.add_metric([message_type.value], _cumulative(recorder.latency_buckets.get(message_type, [])),
                               sum_value=recorder.latency_sum_s.get(message_type, 0.0))
        yield requests
        yield latency
        for name, help_text, value in (
                ("peakload_arrivals_dropped", "Arrivals dropped", recorder.dropped),
                ("peakload_arrivals_late", "Arrivals sent late", recorder.late)):
            counter = CounterMetricFamily(name, help_text)
            counter.add_metric([], value)
            yield counter
        for name, help_text, value in (
                ("peakload_scheduler_lag_p99_seconds", "Dispatcher lag p99 so far",
                 recorder.scheduler_lag.histogram.get_value_at_percentile(99) / 1e6),
                ("peakload_generator_cpu_percent", "Generator CPU over the load phase",
                 self._runtime.cpu_percent()),
                ("peakload_messages_intended_per_second", "Due, last 5 s", progress.intended_rate),
                ("peakload_messages_sent_per_second", "Sent, last 5 s", progress.sent_rate)):
            yield GaugeMetricFamily(name, help_text, value=value)


def _cumulative(counts: list[int]) -> list[tuple[str, float]]:
    """Prometheus buckets (cumulative, with +Inf) from per-bucket counts."""
    out, total = [], 0
    for bound, count in zip((*map(str, LATENCY_BUCKETS_S), "+Inf"), counts or [0] * (len(LATENCY_BUCKETS_S) + 1)):
        total += count
        out.append((bound, total))
    return out


def serve_metrics(runtime: GeneratorRuntime, port: int) -> CollectorRegistry:
    """Serve the runtime's metrics on 127.0.0.1:`port` (/metrics); the registry used."""
    registry = CollectorRegistry()
    registry.register(GeneratorCollector(runtime))
    start_http_server(port, addr="127.0.0.1", registry=registry)
    return registry

"""The three dashboards: the platform overview (is intake healthy?), the load-test run (is the
generator delivering the plan, and what latency does it see?) and on-call (what is paging, and
how close is everything else to paging?). Built with grafana-foundation-sdk; every metric is in
`monitoring.catalog` or a recording rule, which the tests check along with each query's syntax
and its answer from a live Prometheus.

Each panel that shows an alert's signal links that alert's runbook. The platform dashboards filter
the platform's own series by the instance picker; the recorded ratios the alerts evaluate are
summed over every instance (the recording rules keep no instance), so those panels show what the
alert sees, whichever instance is picked."""

from __future__ import annotations

import json
from collections.abc import Iterator

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row
from grafana_foundation_sdk.cog.encoder import JSONEncoder

from monitoring.grafana.panels import (INSTANCE, PLATFORM_JOB, Query, alert_listing, datasource_variable,
                                       graph, instance_variable, runbooks_variable, single)

# The alert thresholds the panels draw, as alerts.yml states them (a test holds them equal).
ALERT_THRESHOLDS = {
    "ceb:capacity_utilisation:ratio": 0.85,
    "ceb:intake_queue:fill_ratio": 0.8,
    "ceb:intake_throttled:ratio_rate5m": 0.05,
    "ceb:intake_errors:ratio_rate5m": 0.01,
    "ceb:clearance_seconds:p95_10m": 600,
}
ERROR_BUDGET = 0.001  # the SLO: 99.9% of intake answers are not errors
FAST_BURN = 14.4
SLOW_BURN = 6

RATE = "$__rate_interval"  # Grafana's rate window: at least four scrapes


def _quantile(q: float, histogram: str, by: str = "", where: str = "") -> str:
    group = f"le, {by}" if by else "le"
    selector = f"{histogram}_bucket{{{where}}}" if where else f"{histogram}_bucket"
    return f"histogram_quantile({q}, sum by ({group}) (rate({selector}[{RATE}])))"


def _platform(series: str, *matchers: str) -> str:
    """A platform series of the picked instances."""
    return f"{series}{{{', '.join((*matchers, INSTANCE))}}}"


def _base(uid: str, title: str, description: str, platform: bool) -> Dashboard:
    dashboard = (Dashboard(title).uid(uid).description(description).tags(["peakload", "ceb"])
                 .refresh("10s").time("now-30m", "now").timezone("browser").editable()
                 .with_variable(datasource_variable()))
    if platform:
        dashboard = dashboard.with_variable(instance_variable())
    return dashboard.with_variable(runbooks_variable())


def platform_overview() -> Dashboard:
    """Intake, capacity, storage and the customs workflow of the platform under test."""
    intake = "ceb_platform_intake_messages_total"
    accepted = _platform(intake, 'outcome="accepted"')
    receipts = _platform("ceb_platform_receipts_total")
    every = "Summed over every instance, as the alert sees it."
    return (
        _base("peakload-platform", "CEB platform overview",
              "The exchange platform under test: intake, capacity, storage, customs workflow.", platform=True)
        .with_row(Row("Health"))
        .with_panel(single("Scrape up", "1 while Prometheus reaches the platform's /metrics.",
                           Query(f"min({_platform('up', PLATFORM_JOB)})"),
                           alerts=("CebPlatformDown",), width=6))
        .with_panel(single("Ready", "1 while the platform accepts declarations (readyz).",
                           Query(f"min({_platform('ceb_platform_ready')})"), width=6))
        .with_panel(single("Intake msg/s", "Messages answered per second, all outcomes.",
                           Query(f"sum(rate({_platform(intake)}[{RATE}]))"), unit="reqps", width=6))
        .with_panel(single("Faults injected", "Fault kinds active now (rehearsals only).",
                           Query(f"sum({_platform('ceb_platform_fault_active')})"), alert_at=1, width=6))
        .with_row(Row("Intake"))
        .with_panel(graph("Intake by outcome", "Accepted, duplicate, throttled (429), rejected.",
                          Query(f"sum by (outcome) (rate({_platform(intake)}[{RATE}]))", "{{outcome}}"),
                          unit="reqps"))
        .with_panel(graph("Accepted by message type", "CEB311 orders, 411 payments, 511 waybills, 621 lists.",
                          Query(f"sum by (message_type) (rate({accepted}[{RATE}]))",
                                "{{message_type}}"), unit="reqps"))
        .with_panel(graph("Intake latency", "Answer time of /ceb/messages, durable commit included.",
                          Query(_quantile(0.5, "ceb_platform_intake_seconds", where=INSTANCE), "p50"),
                          Query(_quantile(0.99, "ceb_platform_intake_seconds", where=INSTANCE), "p99"), unit="s"))
        .with_panel(graph("Errors and shedding", f"Ratio of intake answers, 5 minutes. {every}",
                          Query("ceb:intake_errors:ratio_rate5m", "errors"),
                          Query("ceb:intake_throttled:ratio_rate5m", "throttled (429)"),
                          unit="percentunit", alert_at=ALERT_THRESHOLDS["ceb:intake_throttled:ratio_rate5m"],
                          alerts=("CebPlatformThrottling", "CebPlatformIntakeErrors")))
        .with_panel(graph("Slow error budget burn", f"Multiples of the 0.1% budget; {SLOW_BURN:g} over 6 h and "
                          f"30 min opens a ticket. {every}",
                          Query(f"ceb:intake_errors:ratio_rate6h / {ERROR_BUDGET}", "6h"),
                          Query(f"ceb:intake_errors:ratio_rate30m / {ERROR_BUDGET}", "30m"),
                          alert_at=SLOW_BURN, alerts=("CebPlatformErrorBudgetBurnSlow",), width=24))
        .with_row(Row("Capacity"))
        .with_panel(graph("Capacity utilisation", f"Accepted messages over the configured capacity. {every}",
                          Query("ceb:capacity_utilisation:ratio", "utilisation"), unit="percentunit",
                          alert_at=ALERT_THRESHOLDS["ceb:capacity_utilisation:ratio"],
                          alerts=("CebPlatformCapacityHigh",)))
        .with_panel(graph("Intake queue", f"Admitted and waiting, against the limit where 429 starts. {every}",
                          Query("ceb:intake_queue:fill_ratio", "fill"), unit="percentunit",
                          alert_at=ALERT_THRESHOLDS["ceb:intake_queue:fill_ratio"],
                          alerts=("CebPlatformQueueBacklog",)))
        .with_panel(graph("In flight and write backlog", "Requests being answered; writes awaiting a commit.",
                          Query(f"sum({_platform('ceb_platform_intake_in_flight')})", "in flight"),
                          Query(f"sum({_platform('ceb_platform_storage_write_backlog')})", "write backlog")))
        .with_panel(graph("Storage commits", "Group-commit time (p99) and operations per commit.",
                          Query(_quantile(0.99, "ceb_platform_storage_commit_seconds", where=INSTANCE),
                                "commit p99 (s)"),
                          Query(f"sum(rate({_platform('ceb_platform_storage_commit_batch_size_sum')}[{RATE}]))"
                                f" / sum(rate({_platform('ceb_platform_storage_commit_batch_size_count')}[{RATE}]))",
                                "ops per commit")))
        .with_row(Row("Customs workflow"))
        .with_panel(graph("Receipts by status", "Receipts issued per second by returnStatus (800 released).",
                          Query(f"sum by (return_status) (rate({receipts}[{RATE}]))", "{{return_status}}"),
                          unit="reqps"))
        .with_panel(graph("Awaiting partners", "Documents waiting for their order, payment, waybill or list (三单对碰).",
                          Query(f"sum({_platform('ceb_platform_matching_pending_documents')})", "pending")))
        .with_panel(graph("Clearance time", f"Inventory list declared to released (800). p95: {every}",
                          Query(_quantile(0.5, "ceb_platform_inventory_clearance_seconds", where=INSTANCE), "p50"),
                          Query("ceb:clearance_seconds:p95_10m", "p95 (10m)"), unit="s",
                          alert_at=ALERT_THRESHOLDS["ceb:clearance_seconds:p95_10m"],
                          alerts=("CebClearanceLagHigh",), width=24))
    )


def load_test_run() -> Dashboard:
    """The load generator: plan against delivery, answers, latency, and its own saturation."""
    return (
        _base("peakload-run", "peakload load-test run",
              "A running peakload scenario: intended against achieved arrivals, answers, latency "
              "from the intended send time, and whether the generator is the bottleneck.", platform=False)
        .with_row(Row("Plan and delivery"))
        .with_panel(single("Achieved / intended", "Below 1 the generator or the target is falling behind.",
                           Query("peakload:achieved:ratio"), unit="percentunit", width=8))
        .with_panel(single("Messages due", "Arrivals the open model has scheduled so far.",
                           Query("sum(peakload_messages_intended_total)"), width=8))
        .with_panel(single("Dropped arrivals", "No sender was free in time: the run is not valid.",
                           Query("sum(peakload_arrivals_dropped_total)"), alert_at=1, width=8))
        .with_panel(graph("Intended and sent", "Messages per second, last 5 s, summed over workers.",
                          Query("sum(peakload_messages_intended_per_second)", "intended"),
                          Query("sum(peakload_messages_sent_per_second)", "sent"), unit="reqps"))
        .with_panel(graph("Answers by outcome", "ok, throttled (429), failed.",
                          Query(f"sum by (outcome) (rate(peakload_requests_total[{RATE}]))", "{{outcome}}"),
                          unit="reqps"))
        .with_row(Row("Latency from the intended send time"))
        .with_panel(graph("Latency", "Corrected for coordinated omission; histograms summed across workers.",
                          Query(_quantile(0.5, "peakload_request_latency_seconds"), "p50"),
                          Query(_quantile(0.99, "peakload_request_latency_seconds"), "p99"), unit="s"))
        .with_panel(graph("p99 by message type", "Which document the platform is slow on.",
                          Query(_quantile(0.99, "peakload_request_latency_seconds", "message_type"),
                                "{{message_type}}"), unit="s"))
        .with_row(Row("Generator health"))
        .with_panel(graph("Scheduler lag p99", "Over 100 ms: the generator, not the platform, is late.",
                          Query("max(peakload_scheduler_lag_p99_seconds)", "lag p99"), unit="s", alert_at=0.1,
                          alerts=("PeakloadGeneratorSaturated",)))
        .with_panel(graph("Generator CPU", "Per worker; over 90% invalidates the run.",
                          Query("max(peakload_generator_cpu_percent)", "cpu"), unit="percent", alert_at=90,
                          alerts=("PeakloadGeneratorSaturated",)))
        .with_panel(graph("Late and dropped", "Arrivals per second sent late or not at all.",
                          Query(f"sum(rate(peakload_arrivals_late_total[{RATE}]))", "late"),
                          Query(f"sum(rate(peakload_arrivals_dropped_total[{RATE}]))", "dropped"),
                          unit="reqps", width=24))
    )


def on_call() -> Dashboard:
    """What pages now, and how close every page-worthy signal is to its threshold."""
    every = "All instances, as the alert sees it."
    return (
        _base("peakload-oncall", "CEB on-call",
              "For the on-call engineer during 6·18 and 11·11: firing alerts and each paging signal "
              "against its threshold, each linking its alert's runbook.", platform=True)
        .with_row(Row("Now"))
        .with_panel(alert_listing("Firing alerts", "Alerts Prometheus is firing; an alert's name links its runbook.",
                                  Query('ALERTS{alertstate="firing"}', instant=True)))
        .with_row(Row("Paging signals"))
        .with_panel(graph("Platform reachable", "0 means CebPlatformDown after a minute.",
                          Query(_platform("up", PLATFORM_JOB), "{{instance}}"),
                          alerts=("CebPlatformDown",), width=8))
        .with_panel(graph("Error budget burn rate", f"Multiples of the 0.1% budget; {FAST_BURN:g} over 1 h and "
                          f"5 min pages. {every}",
                          Query(f"ceb:intake_errors:ratio_rate1h / {ERROR_BUDGET}", "1h"),
                          Query(f"ceb:intake_errors:ratio_rate5m / {ERROR_BUDGET}", "5m"),
                          alert_at=FAST_BURN, alerts=("CebPlatformErrorBudgetBurnFast",), width=8))
        .with_panel(graph("Shed with 429", f"Share of declarations turned away. {every}",
                          Query("ceb:intake_throttled:ratio_rate5m", "throttled"), unit="percentunit",
                          alert_at=ALERT_THRESHOLDS["ceb:intake_throttled:ratio_rate5m"],
                          alerts=("CebPlatformThrottling",), width=8))
        .with_panel(graph("Intake queue fill", f"Backlog pages after 2 minutes over 80%. {every}",
                          Query("ceb:intake_queue:fill_ratio", "fill"), unit="percentunit",
                          alert_at=ALERT_THRESHOLDS["ceb:intake_queue:fill_ratio"],
                          alerts=("CebPlatformQueueBacklog",), width=8))
        .with_panel(graph("Intake errors", f"Share of answers that are errors, 5 minutes. {every}",
                          Query("ceb:intake_errors:ratio_rate5m", "errors"), unit="percentunit",
                          alert_at=ALERT_THRESHOLDS["ceb:intake_errors:ratio_rate5m"],
                          alerts=("CebPlatformIntakeErrors",), width=8))
        .with_panel(graph("Clearance p95 against the SLA", f"Declared to released, 10 minutes. {every}",
                          Query("ceb:clearance_seconds:p95_10m", "p95"), unit="s",
                          alert_at=ALERT_THRESHOLDS["ceb:clearance_seconds:p95_10m"],
                          alerts=("CebClearanceLagHigh",), width=8))
    )


def all_dashboards() -> list[Dashboard]:
    """Every dashboard peakload ships."""
    return [platform_overview(), load_test_run(), on_call()]


def as_json(dashboard: Dashboard) -> dict:
    """The dashboard model Grafana's API takes."""
    return json.loads(JSONEncoder(sort_keys=True).encode(dashboard.build()))


def panel_queries(model: dict) -> Iterator[tuple[str, str]]:
    """(panel title, PromQL) for every query of a dashboard model, rows included."""
    for panel in model.get("panels", []):
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]
        yield from panel_queries(panel)

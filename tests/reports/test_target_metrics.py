from prometheus_client import CollectorRegistry, generate_latest

from mock_platform.metrics import build_metrics
from reports.target_metrics import parse_target_metrics


def test_target_figures_are_read_from_the_platforms_exposition():
    metrics = build_metrics(CollectorRegistry())
    metrics.intake_messages.labels("CEB311", "accepted").inc(98)
    metrics.intake_messages.labels("CEB311", "throttled").inc(2)
    for _ in range(99):
        metrics.intake_seconds.labels("CEB311").observe(0.004)
    metrics.intake_seconds.labels("CEB311").observe(2.0)
    metrics.commit_batch_size.observe(10)
    metrics.commit_batch_size.observe(30)
    parsed = parse_target_metrics(generate_latest(metrics.registry).decode())
    assert parsed.intake_by_outcome == {"accepted": 98, "throttled": 2}
    assert parsed.intake_p99_ms == 5.0  # the 5 ms bucket holds the 99th of 100
    assert parsed.commit_batch_mean == 20


def test_an_exposition_without_our_metrics_gives_nothing():
    assert parse_target_metrics("# HELP x y\n# TYPE x counter\nx_total 3\n") is None

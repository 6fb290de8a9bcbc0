"""Time-compressed monitoring configs for drills: durations scale, expressions and thresholds do
not, and Prometheus and Alertmanager accept the result."""

import shutil
import subprocess

import pytest
import yaml

from monitoring.drills import PLANS, RunbookError, detection_budget_s
from monitoring.rehearsal import (ScrapeTargets, compress_routing, compress_rules, format_duration,
                                  parse_duration, prometheus_config, scale_ranges)
from tests.monitoring.test_prometheus import PROMETHEUS, alerts, promtool

ALERTMANAGER = PROMETHEUS.parent / "alertmanager" / "alertmanager.yml"


def rules(name: str) -> dict:
    return yaml.safe_load((PROMETHEUS / "rules" / name).read_text())


def test_durations_parse_and_format_exactly():
    assert parse_duration("1h30m") == 5400 and parse_duration("500ms") == 0.5
    assert format_duration(12) == "12s" and format_duration(0.5) == "500ms" and format_duration(0) == "1ms"
    with pytest.raises(ValueError):
        parse_duration("5 minutes")


def test_range_selectors_scale_and_the_rest_of_the_expression_stays():
    expr = 'sum(rate(x{outcome!~"a|b"}[5m])) / sum(rate(x[1h])) > (14.4 * 0.001) + y[10m:1m]'
    assert scale_ranges(expr, 10) == \
        'sum(rate(x{outcome!~"a|b"}[30s])) / sum(rate(x[360s])) > (14.4 * 0.001) + y[60s:6s]'
    assert scale_ranges(expr, 1) == expr


def test_compressed_rules_keep_thresholds_and_pass_promtool(tmp_path):
    for name in ("recording.yml", "alerts.yml"):
        compressed = compress_rules(rules(name), 10)
        (tmp_path / name).write_text(yaml.safe_dump(compressed))
        assert compress_rules(rules(name), 1) == rules(name)
    by_name = {r["alert"]: r for g in yaml.safe_load((tmp_path / "alerts.yml").read_text())["groups"]
               for r in g["rules"]}
    for rule in alerts():
        assert by_name[rule["alert"]]["for"] == format_duration(parse_duration(rule["for"]) / 10)
        assert by_name[rule["alert"]]["expr"] == rule["expr"]  # alert exprs name recorded series only
    done = promtool("check", "rules", str(tmp_path / "recording.yml"), str(tmp_path / "alerts.yml"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_compressed_routing_is_valid_for_alertmanager(tmp_path):
    routing = compress_routing(yaml.safe_load(ALERTMANAGER.read_text()), 10)
    assert routing["route"]["group_wait"] == "3s" and routing["global"]["resolve_timeout"] == "30s"
    assert routing["route"]["routes"][1]["repeat_interval"] == "30s"  # 5m in the promotion route
    (tmp_path / "alertmanager.yml").write_text(yaml.safe_dump(routing))
    amtool = shutil.which("amtool")
    if amtool is None:
        pytest.skip("amtool is not installed (Debian package `prometheus-alertmanager`)")
    done = subprocess.run([amtool, "check-config", str(tmp_path / "alertmanager.yml")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_prometheus_config_scrapes_the_given_targets_no_faster_than_a_second():
    base = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    config = prometheus_config(base, ScrapeTargets(("127.0.0.1:4000",), ("127.0.0.1:4001",)),
                               ["/r/alerts.yml"], compression=10)
    jobs = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert jobs == {"ceb-platform": ["127.0.0.1:4000"], "peakload-generator": ["127.0.0.1:4001"]}
    assert config["global"]["scrape_interval"] == "1s" and config["rule_files"] == ["/r/alerts.yml"]


def test_every_drill_names_an_alert_with_a_runbook_budget(tmp_path):
    names = {rule["alert"] for rule in alerts()}
    for plan in PLANS.values():
        assert plan.alert in names
        assert 60 <= detection_budget_s(plan.alert) <= 3600
    (tmp_path / "CebPlatformDown.md").write_text("# CebPlatformDown\n\nno budget here\n")
    with pytest.raises(RunbookError, match="Detection budget"):
        detection_budget_s("CebPlatformDown", tmp_path)

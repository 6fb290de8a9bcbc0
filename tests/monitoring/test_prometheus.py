"""Prometheus rules and config: promtool checks and rule unit tests, runbooks for every alert,
and every metric name checked against the catalog (and the catalog against real exports)."""

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from monitoring.catalog import GENERATOR, PLATFORM, SERIES, Kind
from monitoring.drills import detection_budget_s
from tests.cli import stalled_by_host

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "monitoring" / "prometheus"
RUNBOOKS = ROOT / "monitoring" / "runbooks"
SECTIONS = ("## What it means", "## Impact", "## First five minutes", "## Diagnosis queries",
            "## Mitigation", "## Escalation", "## Response targets")
PROMQL_WORDS = {"sum", "by", "rate", "max", "min", "and", "or", "le", "histogram_quantile", "up",
                "outcome", "job", "instance", "message_type", "return_status", "kind", "without",
                "vector"}


def promtool(*args: str) -> subprocess.CompletedProcess:
    tool = shutil.which("promtool")
    if tool is None:
        pytest.skip("promtool is not installed (Debian package `prometheus`; .ci/run installs it)")
    return subprocess.run([tool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120)


def alerts() -> list[dict]:
    groups = yaml.safe_load((PROMETHEUS / "rules" / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def recorded() -> set[str]:
    groups = yaml.safe_load((PROMETHEUS / "rules" / "recording.yml").read_text())["groups"]
    return {rule["record"] for group in groups for rule in group["rules"]}


def names_in(promql: str) -> set[str]:
    without_strings = re.sub(r'"[^"]*"', "", promql)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_strings)
    return {w for w in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_ranges)
            if w not in PROMQL_WORDS and not re.fullmatch(r"[0-9e.]+", w)}


def test_promtool_accepts_the_config_and_rules():
    for args in (("check", "config", "prometheus.yml"), ("check", "rules", "rules/recording.yml", "rules/alerts.yml")):
        done = promtool(*args)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_alert_fires_when_it_should_and_stays_quiet_when_not():
    done = promtool("test", "rules", "tests/alerts_test.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    tested = set(re.findall(r"alertname: (\w+)", (PROMETHEUS / "tests" / "alerts_test.yml").read_text()))
    assert tested == {rule["alert"] for rule in alerts()}


def test_every_alert_has_severity_text_and_a_complete_runbook():
    for rule in alerts():
        assert rule["labels"]["severity"] in ("page", "ticket"), rule["alert"]
        notes = rule["annotations"]
        assert notes["summary"] and notes["description"]
        runbook = ROOT / notes["runbook_url"]
        assert runbook == RUNBOOKS / f"{rule['alert']}.md" and runbook.exists(), rule["alert"]
        text = runbook.read_text()
        for section in SECTIONS:
            assert section in text, (rule["alert"], section)
        assert re.search(r"\| promotion window.*\|.*\|.*\|", text), rule["alert"]
        assert detection_budget_s(rule["alert"]) > 0  # the drill's yardstick


def test_rules_and_runbooks_use_only_catalogued_metrics():
    known = SERIES | recorded() | {"up"}
    for rule in alerts():
        assert names_in(rule["expr"]) <= known, (rule["alert"], names_in(rule["expr"]) - known)
    groups = yaml.safe_load((PROMETHEUS / "rules" / "recording.yml").read_text())["groups"]
    for rule in (r for g in groups for r in g["rules"]):
        assert names_in(rule["expr"]) <= known, (rule["record"], names_in(rule["expr"]) - known)
    for runbook in RUNBOOKS.glob("*.md"):
        queries = re.search(r"```promql\n(.*?)```", runbook.read_text(), re.S).group(1)
        assert names_in(queries) <= known, (runbook.name, names_in(queries) - known)


def families(exposition: str) -> dict[str, str]:
    return {f.name: f.type for f in text_string_to_metric_families(exposition)}


def test_the_platform_exports_every_catalogued_metric(client):
    exported = families(client.get("/metrics").text)
    for metric in PLATFORM:
        assert exported.get(metric.name) == metric.kind.value, metric.name


def test_the_generator_exports_every_catalogued_metric(tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = subprocess.Popen([sys.executable, "-m", "peakload", "run", str(ROOT / "tests" / "data" / "tiny.yaml"),
                            "--out", str(tmp_path), "--metrics-port", str(port), "--quiet"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    exported: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while run.poll() is None and time.monotonic() < deadline and "peakload_requests" not in exported:
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            if "peakload_requests_total{" in text:
                exported = families(text)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    output, _ = run.communicate(timeout=120)
    # What is checked is the exporter: a run the host stalled exported its metrics all the same.
    assert run.returncode == 0 or stalled_by_host(run.returncode, tmp_path), output
    for metric in GENERATOR:
        assert exported.get(metric.name) == metric.kind.value, (metric.name, exported.keys())
    assert Kind.HISTOGRAM.value in exported.values()

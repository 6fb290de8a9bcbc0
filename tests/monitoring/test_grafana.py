"""Grafana as code: the dashboards' queries parse and use only known metrics, platform series follow
the instance picker, alerting panels link their alerts' runbooks (which the on-call receiver serves),
the schema is the SDK's current one, every panel answers from a live Prometheus fed by a real run,
and `peakload grafana push` is idempotent."""

import asyncio
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest
import yaml

from grafana_foundation_sdk.models.dashboard import Dashboard as DashboardModel

from monitoring.grafana.dashboards import (ALERT_THRESHOLDS, ERROR_BUDGET, FAST_BURN, SLOW_BURN, all_dashboards,
                                           as_json, panel_queries)
from monitoring.grafana.panels import DATASOURCE_UID, INSTANCE, RUNBOOKS_URL
from monitoring.oncall.app import create_app
from monitoring.oncall.model import ResponseTargets
from peakload.embedded_mock import start_mock
from peakload.exit_codes import ExitCode
from tests.cli import peakload, stalled_by_host, trusted_run
from tests.monitoring.grafana_api import grafana_api
from tests.monitoring.test_prometheus import SERIES, alerts, names_in, promtool, recorded

PROMETHEUS_BUILTINS = {"up", "ALERTS", "alertstate"}
MAY_BE_EMPTY = {'ALERTS{alertstate="firing"}'}  # nothing fires in a healthy run


def queries() -> list[tuple[str, str, str]]:
    return [(model["uid"], title, expr) for model in map(as_json, all_dashboards())
            for title, expr in panel_queries(model)]


def as_promql(expr: str, interval: str, instance: str = ".*") -> str:
    """A panel's query as Grafana sends it: the rate window and the picked instances filled in."""
    return expr.replace("$__rate_interval", interval).replace("$instance", instance)


def test_the_three_dashboards_have_distinct_uids_and_panels_with_queries():
    models = [as_json(d) for d in all_dashboards()]
    assert {m["uid"] for m in models} == {"peakload-platform", "peakload-run", "peakload-oncall"}
    for model in models:
        assert model["templating"]["list"][0]["current"]["value"] == DATASOURCE_UID
        panels = [p for p in model["panels"] if p["type"] != "row"]
        assert panels and all(p.get("targets") for p in panels), model["uid"]


def test_every_panel_query_uses_only_catalogued_or_recorded_metrics():
    known = SERIES | recorded() | PROMETHEUS_BUILTINS
    for uid, title, expr in queries():
        unknown = names_in(as_promql(expr, "1m")) - known
        assert not unknown, f"{uid} / {title}: {expr} uses {unknown}"


def test_every_panel_query_parses(tmp_path):
    rules = {"groups": [{"name": "dashboards", "rules": [
        {"record": f"dashboard:query_{i}", "expr": as_promql(expr, "1m")}
        for i, (_, _, expr) in enumerate(queries())]}]}
    (tmp_path / "dashboards.yml").write_text(yaml.safe_dump(rules))
    done = promtool("check", "rules", str(tmp_path / "dashboards.yml"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_thresholds_drawn_are_the_alerts_thresholds():
    exprs = {rule["expr"].strip() for rule in alerts()}
    for record, threshold in ALERT_THRESHOLDS.items():
        assert f"{record} > {threshold:g}" in exprs, record
    for burn, window in ((FAST_BURN, "ceb:intake_errors:ratio_rate1h"), (SLOW_BURN, "ceb:intake_errors:ratio_rate6h")):
        assert any(f"{window} > ({burn:g} * {ERROR_BUDGET:g})" in expr for expr in exprs), burn


def test_platform_series_follow_the_instance_picker():
    for model in map(as_json, all_dashboards()):
        variables = {v["name"]: v for v in model["templating"]["list"]}
        exprs = [expr for _, expr in panel_queries(model)]
        selectors = [m for expr in exprs
                     for m in re.finditer(r'\b(ceb_platform_\w+|up)(\{[^}]*\})?', expr)]
        if not selectors:
            assert "instance" not in variables, model["uid"]  # the generator's dashboard has no platform
            continue
        picker = variables["instance"]
        assert picker["type"] == "query" and picker["multi"] and picker["includeAll"], model["uid"]
        assert picker["query"] == 'label_values(up{job="ceb-platform"}, instance)'
        for match in selectors:
            assert INSTANCE in (match.group(2) or ""), f"{model['uid']}: {match.group(0)} ignores the picker"


def runbook_links(model: dict) -> list[tuple[str, str]]:
    """(panel title, alert) for every panel link to a runbook."""
    return [(panel["title"], link["url"].removeprefix("${runbooks}/")) for panel in model["panels"]
            for link in panel.get("links") or [] if link["url"].startswith("${runbooks}/")]


def test_alerting_panels_link_their_alerts_runbooks_which_the_receiver_serves(tmp_path):
    models = {model["uid"]: model for model in map(as_json, all_dashboards())}
    rules = {rule["alert"]: rule for rule in alerts()}
    linked = {uid: runbook_links(model) for uid, model in models.items()}
    every = {alert for links in linked.values() for _, alert in links}
    assert every == set(rules), "alerts without a panel linking their runbook: " + str(set(rules) - every)
    paging = {name for name, rule in rules.items() if rule["labels"]["severity"] == "page"}
    assert paging <= {alert for _, alert in linked["peakload-oncall"]}
    for model in models.values():
        runbooks = {v["name"]: v for v in model["templating"]["list"]}["runbooks"]
        assert runbooks["type"] == "constant" and runbooks["query"] == RUNBOOKS_URL
    table = next(p for p in models["peakload-oncall"]["panels"] if p["title"] == "Firing alerts")
    assert table["targets"][0]["format"] == "table"
    assert [link["url"] for link in table["fieldConfig"]["defaults"]["links"]] == [
        "${runbooks}/${__data.fields.alertname}"]

    async def fetch(urls: list[str]) -> list[httpx.Response]:
        app = create_app(tmp_path / "oncall.db", ResponseTargets())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            return [await client.get(url) for url in urls]

    answers = asyncio.run(fetch([f"{RUNBOOKS_URL}/{alert}" for alert in sorted(every)]))
    for alert, answer in zip(sorted(every), answers):
        assert answer.status_code == 200 and f"<h1>{alert}</h1>" in answer.text, alert
        assert rules[alert]["annotations"]["runbook_url"] == f"monitoring/runbooks/{alert}.md"


def test_the_dashboards_use_the_sdks_current_schema():
    current = DashboardModel().schema_version  # what the installed SDK's Grafana line writes
    assert current >= 41  # Grafana 11.6 and 12 load it as it is (12's 42 only touches hideFrom overrides)
    assert {as_json(d)["schemaVersion"] for d in all_dashboards()} == {current}


def test_push_creates_then_changes_nothing_then_repairs_drift(tmp_path):
    token = "glsa_test_secret_token"
    with grafana_api(token) as (url, grafana):
        env = {**os.environ, "GRAFANA_TOKEN": token}

        def push(*extra: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "peakload", "grafana", "push", "--url", url, *extra],
                                  capture_output=True, text=True, env=env, timeout=60)

        first = push()
        assert first.returncode == 0, first.stderr
        assert "folder: created" in first.stdout and first.stdout.count(": created") == 5
        assert set(grafana.dashboards) == {"peakload-platform", "peakload-run", "peakload-oncall"}
        assert all(d["meta"]["folderUid"] == "peakload" for d in grafana.dashboards.values())
        assert grafana.datasources[DATASOURCE_UID]["url"] == "http://127.0.0.1:9090"
        writes = len(grafana.writes)

        again = push()
        assert again.returncode == 0 and again.stdout.count(": unchanged") == 5, again.stdout
        assert len(grafana.writes) == writes  # idempotent: the second push wrote nothing

        grafana.dashboards["peakload-run"]["dashboard"]["title"] = "edited by hand"
        moved = push("--prometheus-url", "http://prometheus.internal:9090")
        assert "data source: updated" in moved.stdout and "peakload-run: updated" in moved.stdout
        assert grafana.dashboards["peakload-run"]["dashboard"]["title"] == "peakload load-test run"
        assert grafana.datasources[DATASOURCE_UID]["url"] == "http://prometheus.internal:9090"
        for done in (first, again, moved):
            assert token not in done.stdout + done.stderr

        env["GRAFANA_TOKEN"] = "wrong-" + token
        refused = push()
        assert refused.returncode == 69 and "401" in refused.stderr
        assert token not in refused.stdout + refused.stderr


def test_push_without_a_token_is_a_usage_error():
    env = {k: v for k, v in os.environ.items() if k != "GRAFANA_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "peakload", "grafana", "push", "--url", "http://127.0.0.1:1"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 64 and "GRAFANA_TOKEN" in done.stderr


def test_export_writes_one_json_file_per_dashboard(tmp_path):
    done = subprocess.run([sys.executable, "-m", "peakload", "grafana", "export", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in tmp_path.glob("*.json"))
    assert files == ["peakload-oncall.json", "peakload-platform.json", "peakload-run.json"]
    assert json.loads((tmp_path / "peakload-run.json").read_text())["title"] == "peakload load-test run"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_every_panel_answers_from_a_live_prometheus_fed_by_a_real_run(tmp_path):
    if not shutil.which("prometheus") or not (shutil.which("alertmanager") or shutil.which("prometheus-alertmanager")):
        pytest.skip("Prometheus and Alertmanager are not installed (.ci/run installs Debian's packages)")
    # A capacity, so the utilisation panels have a denominator; compression 5 scrapes every second.
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--capacity", "3000"))
    metrics_port = free_port()
    state = tmp_path / "stack"
    started = peakload("stack", "up", "--state", str(state), "--platform", mock.url.removeprefix("http://"),
                       "--compression", "5")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        begin = time.time()
        run = trusted_run("ci", "--target", mock.url, "--metrics-port", str(metrics_port),
                          "--stack-state", str(state), "--quiet", out=tmp_path / "run", timeout=300)
        # What is checked is the panels' data, not the verdict: on a busy host a run fails its
        # latency gates or its generator stalls, and it exports its metrics all the same.
        judged = run.returncode in (ExitCode.PASS, ExitCode.FAIL)
        assert judged or stalled_by_host(run.returncode, tmp_path / "run"), run.stdout + run.stderr
        end = time.time() + 3  # one more scrape and evaluation after the run
        deadline = end + 30
        while time.time() < end or not _has_data("peakload:achieved:ratio", begin, time.time()):
            assert time.time() < deadline, "Prometheus never saw the generator"
            time.sleep(0.5)
        # What the instance picker offers (Grafana asks the same API), and every panel filtered to it.
        instance = mock.url.removeprefix("http://")
        offered = httpx.get("http://127.0.0.1:9090/api/v1/label/instance/values",
                            params={"match[]": 'up{job="ceb-platform"}'}, timeout=10).json()["data"]
        assert offered == [instance]
        picked = re.escape(instance).replace("\\", "\\\\")  # as Grafana writes it into a PromQL string
        empty = []
        for uid, title, expr in queries():
            answer = _query_range(as_promql(expr, "4s", picked), begin, time.time())
            assert answer["status"] == "success", f"{uid} / {title}: {answer}"
            values = [float(v) for series in answer["data"]["result"] for _, v in series["values"]]
            if not any(math.isfinite(v) for v in values) and expr not in MAY_BE_EMPTY:
                empty.append(f"{uid} / {title}: {expr}")
        assert not empty, "panels without data after a real run:\n" + "\n".join(empty)
    finally:
        peakload("stack", "down", "--state", str(state))
        mock.stop()


def _query_range(expr: str, start: float, end: float) -> dict:
    return httpx.get("http://127.0.0.1:9090/api/v1/query_range",
                     params={"query": expr, "start": start, "end": end, "step": "1"}, timeout=10).json()


def _has_data(expr: str, start: float, end: float) -> bool:
    return bool(_query_range(expr, start, end).get("data", {}).get("result"))


def test_grafana_client_leaves_the_real_urllib3_to_requests():
    # urllib3-future's wheel overwrites urllib3 (its versions end in 9xx), which breaks requests
    # under Locust and schemathesis; `make install` builds it to sit beside urllib3 instead.
    import urllib3
    assert int(urllib3.__version__.split(".")[-1]) < 900, urllib3.__file__

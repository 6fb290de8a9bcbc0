"""`peakload stack up|down` with Debian's Prometheus and Alertmanager on loopback, asked through
their own APIs what they loaded and scrape."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
import yaml

from monitoring.rehearsal import ScrapeTargets
from peakload.embedded_mock import start_mock
from peakload.stack import StackConfig, render_configs
from peakload.stack_checks import expectations, rule_problems
from tests.cli import peakload
from tests.monitoring.test_prometheus import alerts

ROOT = Path(__file__).resolve().parents[2]
PORTS = (9090, 9093, 9095)
PROMETHEUS = "http://127.0.0.1:9090"


@pytest.fixture
def binaries() -> None:
    if not shutil.which("prometheus") or not (shutil.which("alertmanager") or shutil.which("prometheus-alertmanager")):
        pytest.skip("Prometheus and Alertmanager are not installed (.ci/run installs Debian's packages)")


@pytest.fixture
def platform(tmp_path, binaries):
    """A mock platform on a free port: the stack's one required scrape target."""
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log")
    yield mock.url.removeprefix("http://")
    mock.stop()


def peakload_in(folder: Path, *args: str, columns: int | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`peakload ARGS` run from `folder`, as a user in a fresh clone types it (relative defaults)."""
    env = {**os.environ, **({"COLUMNS": str(columns)} if columns else {})}
    return subprocess.run([sys.executable, "-m", "peakload", *args], cwd=folder, capture_output=True,
                          text=True, env=env, timeout=timeout, check=False)


def processes_naming(text: str) -> list[psutil.Process]:
    """Processes whose command line mentions `text` (a test's own folder)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(text in part for part in process.info["cmdline"] or ()):
            found.append(process)
    return found


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def generator_targets() -> dict[str, str]:
    active = httpx.get(f"{PROMETHEUS}/api/v1/targets?state=active").json()["data"]["activeTargets"]
    return {t["labels"]["instance"]: t["health"] for t in active if t["labels"]["job"] == "peakload-generator"}


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_stack_up_with_the_default_state_loads_every_alert_and_scrapes_a_run_while_it_runs(tmp_path, platform):
    started = peakload_in(tmp_path, "stack", "up", "--platform", platform, "--compression", "5")
    state = tmp_path / ".peakload-stack"
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert "http://127.0.0.1:9090" in started.stdout and "http://127.0.0.1:9095/" in started.stdout
        groups = httpx.get(f"{PROMETHEUS}/api/v1/rules").json()["data"]["groups"]
        loaded = {rule["name"] for group in groups for rule in group["rules"] if rule["type"] == "alerting"}
        assert loaded == {rule["alert"] for rule in alerts()}
        assert {Path(group["file"]).parent for group in groups} == {state / "rules"}
        status = httpx.get("http://127.0.0.1:9093/api/v2/status").json()
        assert "http://127.0.0.1:9095/alerts?route=page" in status["config"]["original"]
        assert httpx.get("http://127.0.0.1:9095/pages").json()["pages"] == []
        assert generator_targets() == {}  # no run, no generator to scrape

        # A run announces its generator while it goes on, and takes it back at its end (here an
        # early end: it is stopped once Prometheus scrapes it).
        scenario = yaml.safe_load((ROOT / "tests" / "data" / "tiny.yaml").read_text())
        scenario["clock"]["duration"] = "60s"
        scenario["curve"][0].update(duration="60s", rate=5)
        (tmp_path / "longer.yaml").write_text(yaml.safe_dump(scenario))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        run = subprocess.Popen([sys.executable, "-m", "peakload", "run", "longer.yaml", "--target", f"http://{platform}",
                                "--metrics-port", str(port), "--quiet", "--out", "run", "--id-tag", "ST"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            wait_until(lambda: generator_targets().get(f"127.0.0.1:{port}") == "up", 60,
                       "Prometheus to scrape the run's generator")
            assert len(list((state / "targets").glob("generator-*.json"))) == 1
        finally:
            run.send_signal(signal.SIGTERM)
            output, _ = run.communicate(timeout=120)
        assert run.returncode == 130, output
        assert not list((state / "targets").glob("generator-*.json"))
        wait_until(lambda: generator_targets() == {}, 15, "Prometheus to drop the finished generator")

        again = peakload_in(tmp_path, "stack", "up", "--platform", platform)
        assert again.returncode == 64 and "already up" in again.stderr
    finally:
        stopped = peakload_in(tmp_path, "stack", "down")
    assert "prometheus" in stopped.stdout
    assert not any(listening(port) for port in PORTS)
    assert not processes_naming(str(state))


def test_stack_up_refuses_a_port_held_by_another_process_and_leaves_nothing_running(tmp_path, platform):
    with socket.socket() as foreign:
        foreign.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        foreign.bind(("127.0.0.1", 9093))
        foreign.listen()
        refused = peakload_in(tmp_path, "stack", "up", "--platform", platform, columns=40)
        assert refused.returncode == 69, refused.stdout + refused.stderr
        lines = refused.stderr.strip().splitlines()  # one line, however narrow the terminal
        assert lines == [f"error: port taken: 127.0.0.1:9093 (alertmanager) is held by pid {psutil.Process().pid} "
                         f"({psutil.Process().name()})"]
        assert not listening(9090) and not listening(9095)
    assert not processes_naming(str(tmp_path / ".peakload-stack"))
    assert not (tmp_path / ".peakload-stack" / "stack.json").exists()


def test_stack_up_stops_everything_and_says_why_when_a_target_is_down(tmp_path, binaries):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        nobody = f"127.0.0.1:{sock.getsockname()[1]}"  # closed again: nothing listens there
    failed = peakload_in(tmp_path, "stack", "up", "--platform", nobody, "--compression", "5")
    assert failed.returncode == 69, failed.stdout + failed.stderr
    last = failed.stderr.strip().splitlines()[-1]
    assert f"ceb-platform target {nobody} is down" in last and "connection refused" in last
    assert not any(listening(port) for port in PORTS)
    assert not processes_naming(str(tmp_path))


def test_a_rule_group_or_alert_missing_from_prometheus_is_named(tmp_path):
    rendered = render_configs(tmp_path, StackConfig(ScrapeTargets(("127.0.0.1:1",)), 10))
    expected = expectations(rendered.rule_files, {}, rendered.alertmanager, 1.0, ("", "", ""))
    answer = [{"file": str(path), "name": group["name"],
               "rules": [{"name": rule.get("alert", rule.get("record")), "health": "ok",
                          "type": "alerting" if "alert" in rule else "recording"} for rule in group["rules"]]}
              for path in rendered.rule_files for group in yaml.safe_load(path.read_text())["groups"]]
    assert rule_problems(answer, expected) == []
    dropped = next(g for g in answer if any(r["type"] == "alerting" for r in g["rules"]))
    problems = rule_problems([g for g in answer if g is not dropped], expected)
    assert f"rule group {dropped['name']} of {dropped['file']} is not loaded" in problems
    assert any(problem.startswith("alerts not loaded: ") and dropped["rules"][0]["name"] in problem
               for problem in problems)

"""A local monitoring stack on loopback: Prometheus, Alertmanager and the on-call receiver, with
the project's configs (rendered for the chosen scrape targets and time compression into the
stack's state folder), started in the background and stopped again by `peakload stack down`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from monitoring.rehearsal import (ScrapeTargets, compress_routing, compress_rules, format_duration,
                                  prometheus_config)

MONITORING = Path(__file__).resolve().parent.parent / "monitoring"
READY_TIMEOUT_S = 60.0


PROMETHEUS_URL = "http://127.0.0.1:9090"
ALERTMANAGER_URL = "http://127.0.0.1:9093"
ONCALL_URL = "http://127.0.0.1:9095"
_RESEND_DELAY_S = 60.0  # Prometheus' default, compressed with the rest
_ACK_PROMOTION_S, _ACK_EVERYDAY_S = 300.0, 900.0  # the runbooks' acknowledgement targets


class StackError(RuntimeError):
    """A part of the stack is missing or did not come up."""


@dataclass(frozen=True, slots=True)
class StackConfig:
    """What the stack scrapes, and how much faster than real time its rules and routing run."""

    targets: ScrapeTargets = ScrapeTargets()
    compression: float = 1.0


def render_configs(state: Path, config: StackConfig) -> tuple[Path, Path]:
    """Write Prometheus' config and rules and Alertmanager's config into `state`; their paths."""
    rules_dir = state / "rules"
    rules_dir.mkdir(parents=True, exist_ok=True)
    rule_files = []
    for source in sorted((MONITORING / "prometheus" / "rules").glob("*.yml")):
        rules = compress_rules(yaml.safe_load(source.read_text()), config.compression)
        (rules_dir / source.name).write_text(yaml.safe_dump(rules, sort_keys=False))
        rule_files.append(str(rules_dir / source.name))
    base = yaml.safe_load((MONITORING / "prometheus" / "prometheus.yml").read_text())
    prometheus = state / "prometheus.yml"
    prometheus.write_text(yaml.safe_dump(
        prometheus_config(base, config.targets, rule_files, config.compression), sort_keys=False))
    routing = compress_routing(yaml.safe_load((MONITORING / "alertmanager" / "alertmanager.yml").read_text()),
                               config.compression)
    alertmanager = state / "alertmanager.yml"
    alertmanager.write_text(yaml.safe_dump(routing, sort_keys=False))
    return prometheus, alertmanager


@dataclass(frozen=True, slots=True)
class Service:
    """One process of the stack and how to tell it is ready."""

    name: str
    command: list[str]
    ready_url: str


def services(state: Path, config: StackConfig) -> list[Service]:
    """Prometheus (9090), Alertmanager (9093) and the on-call receiver (9095)."""
    def binary(*names: str) -> str:
        for name in names:  # upstream's name first, then Debian's
            if path := shutil.which(name):
                return path
        raise StackError(f"{' or '.join(names)} is not on PATH "
                         "(Debian: apt-get install prometheus prometheus-alertmanager)")

    prometheus, alertmanager = render_configs(state, config)
    resend = format_duration(_RESEND_DELAY_S / config.compression)
    return [
        Service("prometheus", [binary("prometheus"), f"--config.file={prometheus}",
                               f"--storage.tsdb.path={state / 'prometheus'}",
                               f"--rules.alert.resend-delay={resend}",
                               "--web.listen-address=127.0.0.1:9090"], f"{PROMETHEUS_URL}/-/ready"),
        Service("alertmanager", [binary("alertmanager", "prometheus-alertmanager"),
                                 f"--config.file={alertmanager}", f"--storage.path={state / 'alertmanager'}",
                                 "--web.listen-address=127.0.0.1:9093", "--cluster.listen-address="],
                f"{ALERTMANAGER_URL}/-/ready"),
        Service("oncall", [sys.executable, "-m", "peakload", "oncall", "--port", "9095",
                           "--db", str(state / "oncall.db"),
                           "--ack-promotion", str(_ACK_PROMOTION_S / config.compression),
                           "--ack-everyday", str(_ACK_EVERYDAY_S / config.compression)],
                f"{ONCALL_URL}/pages"),
    ]


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def up(state: Path, config: StackConfig = StackConfig()) -> dict[str, int]:
    """Start the stack (unless it runs); the pid of each service."""
    pid_file = state / "stack.json"
    if pid_file.exists():
        raise StackError(f"a stack is already up ({pid_file}); `peakload stack down` first")
    state.mkdir(parents=True, exist_ok=True)
    pids: dict[str, int] = {}
    try:
        for service in services(state, config):
            with open(state / f"{service.name}.log", "ab") as log:
                process = subprocess.Popen(service.command, stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True)
            pids[service.name] = process.pid
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not _ready(service.ready_url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise StackError(f"{service.name} did not come up; see {state / service.name}.log")
                time.sleep(0.1)
    except BaseException:
        _stop(pids)
        raise
    pid_file.write_text(json.dumps(pids))
    return pids


def _stop(pids: dict[str, int]) -> None:
    for pid in pids.values():
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + 20
    for pid in pids.values():
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            try:  # reap it if it is our child
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.1)


def down(state: Path) -> list[str]:
    """Stop the stack; the services stopped."""
    pid_file = state / "stack.json"
    if not pid_file.exists():
        return []
    pids = json.loads(pid_file.read_text())
    _stop(pids)
    pid_file.unlink()
    return list(pids)

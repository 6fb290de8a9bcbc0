"""A local monitoring stack on loopback: Prometheus, Alertmanager and the on-call receiver, with
the project's configs, started in the background and stopped again by `peakload stack down`."""

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

MONITORING = Path(__file__).resolve().parent.parent / "monitoring"
READY_TIMEOUT_S = 60.0


class StackError(RuntimeError):
    """A part of the stack is missing or did not come up."""


@dataclass(frozen=True, slots=True)
class Service:
    """One process of the stack and how to tell it is ready."""

    name: str
    command: list[str]
    ready_url: str


def services(state: Path) -> list[Service]:
    """Prometheus (9090), Alertmanager (9093) and the on-call receiver (9095)."""
    def binary(*names: str) -> str:
        for name in names:  # upstream's name first, then Debian's
            if path := shutil.which(name):
                return path
        raise StackError(f"{' or '.join(names)} is not on PATH "
                         "(Debian: apt-get install prometheus prometheus-alertmanager)")

    return [
        Service("prometheus", [binary("prometheus"),
                               f"--config.file={MONITORING / 'prometheus' / 'prometheus.yml'}",
                               f"--storage.tsdb.path={state / 'prometheus'}",
                               "--web.listen-address=127.0.0.1:9090"], "http://127.0.0.1:9090/-/ready"),
        Service("alertmanager", [binary("alertmanager", "prometheus-alertmanager"),
                                 f"--config.file={MONITORING / 'alertmanager' / 'alertmanager.yml'}",
                                 f"--storage.path={state / 'alertmanager'}",
                                 "--web.listen-address=127.0.0.1:9093", "--cluster.listen-address="],
                "http://127.0.0.1:9093/-/ready"),
        Service("oncall", [sys.executable, "-m", "peakload", "oncall", "--port", "9095",
                           "--db", str(state / "oncall.db")], "http://127.0.0.1:9095/pages"),
    ]


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def up(state: Path) -> dict[str, int]:
    """Start the stack (unless it runs); the pid of each service."""
    pid_file = state / "stack.json"
    if pid_file.exists():
        raise StackError(f"a stack is already up ({pid_file}); `peakload stack down` first")
    state.mkdir(parents=True, exist_ok=True)
    pids: dict[str, int] = {}
    try:
        for service in services(state):
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

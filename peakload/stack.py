"""A local monitoring stack on loopback: Prometheus, Alertmanager and the on-call receiver, with
the project's configs (rendered for the chosen scrape targets and time compression into the
stack's state folder, every path in them absolute), started in the background, checked through the
services' own APIs, and stopped again by `peakload stack down`.

    StackError            a part of the stack is missing, did not come up or fails a check
     └── StackAlreadyUp   this state folder's stack is running

A run's generators are not fixed targets: while `peakload run --metrics-port` runs, it lists its
processes' metrics ports in the state folder (`announced_generators`), which Prometheus watches
(file-based service discovery), so only generators that exist are scraped.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import httpx
import psutil
import yaml

from monitoring.rehearsal import (ScrapeTargets, compress_routing, compress_rules, format_duration,
                                  parse_duration, prometheus_config)
from peakload.stack_checks import ChecksFailed, Expectations, Say, expectations, verify

MONITORING = files("monitoring")  # the configs and rules shipped in the package
READY_TIMEOUT_S = 60.0
DEFAULT_STATE = Path(".peakload-stack")

PROMETHEUS_URL = "http://127.0.0.1:9090"
ALERTMANAGER_URL = "http://127.0.0.1:9093"
ONCALL_URL = "http://127.0.0.1:9095"
_RESEND_DELAY_S = 60.0  # Prometheus' default, compressed with the rest
_ACK_PROMOTION_S, _ACK_EVERYDAY_S = 300.0, 900.0  # the runbooks' acknowledgement targets
_GENERATORS = "targets"  # the state's folder of generator files, one a run


class StackError(RuntimeError):
    """A part of the stack is missing, did not come up, or fails a check."""


class StackAlreadyUp(StackError):
    """The state folder's stack is running."""


@dataclass(frozen=True, slots=True)
class StackConfig:
    """What the stack scrapes, and how much faster than real time its rules and routing run."""

    targets: ScrapeTargets = ScrapeTargets()
    compression: float = 1.0


@dataclass(frozen=True, slots=True)
class Rendered:
    """The configs written into a state folder."""

    prometheus: Path
    alertmanager: Path
    rule_files: tuple[Path, ...]
    generators: Path  # the folder Prometheus discovers generators in


def render_configs(state: Path, config: StackConfig) -> Rendered:
    """Write Prometheus' config and rules and Alertmanager's config into `state`, naming every file
    by its absolute path (Prometheus resolves a relative one against its config's folder)."""
    state = state.resolve()
    rules_dir, generators = state / "rules", state / _GENERATORS
    rules_dir.mkdir(parents=True, exist_ok=True)
    generators.mkdir(exist_ok=True)
    rule_files = []
    shipped = (MONITORING / "prometheus" / "rules").iterdir()
    for source in sorted((f for f in shipped if f.name.endswith(".yml")), key=lambda f: f.name):
        rules = compress_rules(yaml.safe_load(source.read_text()), config.compression)
        (rules_dir / source.name).write_text(yaml.safe_dump(rules, sort_keys=False))
        rule_files.append(rules_dir / source.name)
    base = yaml.safe_load((MONITORING / "prometheus" / "prometheus.yml").read_text())
    prometheus = state / "prometheus.yml"
    prometheus.write_text(yaml.safe_dump(
        prometheus_config(base, config.targets, [str(f) for f in rule_files], config.compression,
                          str(generators / "generator-*.json")), sort_keys=False))
    routing = compress_routing(yaml.safe_load((MONITORING / "alertmanager" / "alertmanager.yml").read_text()),
                               config.compression)
    alertmanager = state / "alertmanager.yml"
    alertmanager.write_text(yaml.safe_dump(routing, sort_keys=False))
    return Rendered(prometheus, alertmanager, tuple(rule_files), generators)


@dataclass(frozen=True, slots=True)
class Service:
    """One process of the stack, the loopback port it listens on, and how to tell it is ready."""

    name: str
    command: list[str]
    port: int
    ready_url: str


def _binary(*names: str) -> str:
    for name in names:  # upstream's name first, then Debian's
        if path := shutil.which(name):
            return path
    raise StackError(f"{' or '.join(names)} is not on PATH "
                     "(Debian: apt-get install prometheus prometheus-alertmanager)")


def services(state: Path, rendered: Rendered, config: StackConfig) -> list[Service]:
    """Prometheus (9090), Alertmanager (9093) and the on-call receiver (9095)."""
    resend = format_duration(_RESEND_DELAY_S / config.compression)
    return [
        Service("prometheus", [_binary("prometheus"), f"--config.file={rendered.prometheus}",
                               f"--storage.tsdb.path={state / 'prometheus'}",
                               f"--rules.alert.resend-delay={resend}",
                               "--web.listen-address=127.0.0.1:9090"], 9090, f"{PROMETHEUS_URL}/-/ready"),
        Service("alertmanager", [_binary("alertmanager", "prometheus-alertmanager"),
                                 f"--config.file={rendered.alertmanager}",
                                 f"--storage.path={state / 'alertmanager'}",
                                 "--web.listen-address=127.0.0.1:9093", "--cluster.listen-address="],
                9093, f"{ALERTMANAGER_URL}/-/ready"),
        Service("oncall", [sys.executable, "-m", "peakload", "oncall", "--port", "9095",
                           "--db", str(state / "oncall.db"),
                           "--ack-promotion", str(_ACK_PROMOTION_S / config.compression),
                           "--ack-everyday", str(_ACK_EVERYDAY_S / config.compression)],
                9095, f"{ONCALL_URL}/pages"),
    ]


def _holder(port: int) -> str | None:
    """Who listens on 127.0.0.1:`port` (None: the port is free)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a closed socket's TIME_WAIT is no holder
        try:
            probe.bind(("127.0.0.1", port))
            return None
        except OSError:
            pass
    with contextlib.suppress(psutil.Error):
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
                return f"pid {conn.pid} ({psutil.Process(conn.pid).name()})"
    return "another process"


def _listens(pid: int, port: int) -> bool:
    """Whether process `pid` itself holds the listening socket on `port`: a ready answer from a
    port proves nothing when another process could be the one answering."""
    try:
        return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port
                   for c in psutil.Process(pid).net_connections(kind="tcp"))
    except psutil.Error:
        return False


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def _alive(pids: dict[str, int]) -> bool:
    return any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
               for pid in pids.values())


def _refuse_running(pid_file: Path) -> None:
    if not pid_file.exists():
        return
    with contextlib.suppress(psutil.Error):
        if _alive(json.loads(pid_file.read_text())):
            raise StackAlreadyUp(f"a stack is already up ({pid_file}); `peakload stack down` first")
    pid_file.unlink()  # left by a stack that died: nothing of it runs


def _start(service: Service, state: Path) -> subprocess.Popen:
    with open(state / f"{service.name}.log", "ab") as log:
        process = subprocess.Popen(service.command, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not (_listens(process.pid, service.port) and _answers(service.ready_url)):
        if process.poll() is not None or time.monotonic() > deadline:
            raise StackError(f"{service.name} did not come up on 127.0.0.1:{service.port}; "
                             f"see {state / service.name}.log")
        time.sleep(0.1)
    return process


@dataclass(frozen=True, slots=True)
class RunningStack:
    """A stack that came up and passed its checks."""

    pids: dict[str, int]
    checked: tuple[str, ...]  # what the checks found, one line each
    generators: Path

    @property
    def urls(self) -> dict[str, str]:
        return {"prometheus": PROMETHEUS_URL, "alertmanager": ALERTMANAGER_URL, "oncall": f"{ONCALL_URL}/"}


def up(state: Path, config: StackConfig = StackConfig(), say: Say = lambda _line: None) -> RunningStack:
    """Start the stack and check it through the services' APIs (`peakload.stack_checks`); on any
    failure stop what was started and raise StackError naming what is wrong."""
    state = state.resolve()
    pid_file = state / "stack.json"
    _refuse_running(pid_file)
    state.mkdir(parents=True, exist_ok=True)
    rendered = render_configs(state, config)
    planned = services(state, rendered, config)
    taken = [f"127.0.0.1:{s.port} ({s.name}) is held by {holder}"
             for s in planned if (holder := _holder(s.port)) is not None]
    if taken:
        raise StackError("port taken: " + "; ".join(taken))
    pids: dict[str, int] = {}
    try:
        for service in planned:
            pids[service.name] = _start(service, state).pid
            say(f"{service.name} is up on 127.0.0.1:{service.port} (pid {pids[service.name]})")
        checked = verify(_expectations(config, rendered), say)
    except ChecksFailed as exc:
        _stop(pids)
        raise StackError(f"the stack failed its checks and was stopped: {exc} (logs in {state})") from None
    except BaseException:
        _stop(pids)
        raise
    pid_file.write_text(json.dumps(pids))
    return RunningStack(pids, checked, rendered.generators)


def _expectations(config: StackConfig, rendered: Rendered) -> Expectations:
    interval = yaml.safe_load(rendered.prometheus.read_text())["global"]["scrape_interval"]
    return expectations(rendered.rule_files,
                        {"ceb-platform": config.targets.platform, "peakload-generator": config.targets.generator},
                        rendered.alertmanager, parse_duration(interval),
                        (PROMETHEUS_URL, ALERTMANAGER_URL, ONCALL_URL))


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


def generator_ports(metrics_port: int, processes: int = 1, remote_workers: int = 0) -> tuple[int, ...]:
    """The metrics ports a run's generator processes serve on this host: the one process's own, or
    each local worker's (PORT+1+index); a master of remote workers serves none."""
    if not metrics_port or remote_workers:
        return ()
    if processes == 1:
        return (metrics_port,)
    return tuple(metrics_port + 1 + index for index in range(processes))


@contextlib.contextmanager
def announced_generators(state: Path, ports: Sequence[int]) -> Iterator[Path | None]:
    """While the block runs, the stack in `state` (if one is up there) scrapes these generator
    ports: they are listed in a file of this process's own in the folder Prometheus watches, removed
    when the block ends. Yields that file, or None when there is no stack or nothing to announce."""
    folder = state.resolve() / _GENERATORS
    if not ports or not (state / "stack.json").exists() or not folder.is_dir():
        yield None
        return
    path = folder / f"generator-{os.getpid()}.json"
    staged = folder / f".generator-{os.getpid()}.json.new"  # renamed whole: never read half-written
    staged.write_text(json.dumps([{"targets": [f"127.0.0.1:{port}" for port in ports]}]))
    staged.replace(path)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)

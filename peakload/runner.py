"""`peakload run`: scenario -> Locust (subprocess) -> target -> results -> summary and verdict."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import site
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

import locustfiles
from locustfiles.progress import Progress, read_progress
from locustfiles.results import RunResults
from locustfiles.urls import scrubbed, without_credentials
from package_files import package_file
from peakload.embedded_mock import embedded_mock
from peakload.target import Target
from reports.gates import judge
from reports.outputs import write_outputs
from reports.summary import GateResult, RunSummary, Verdict, build_summary
from reports.target_metrics import TargetMetrics, parse_target_metrics
from scenarios.curves import arrival_times
from scenarios.gates import GateMetric
from scenarios.model import Scenario
from targets import ProfileError, TargetProfile, TransportKind
from targets.profile import TlsSettings
from targets.tls import client_context

LOCUSTFILE = package_file("locustfiles", "ceb_platform.py")
_LOCUST_SLACK_S = 90.0
_PROGRESS_POLL_S = 0.5
# How long a stopped generator may take to end its senders (Locust's --stop-timeout, 10 s) and
# write what it measured.
_STOP_GRACE_S = 30.0


class RunInvalid(RuntimeError):
    """The run produced no trustworthy results (target unreachable, generator crashed ...)."""


class RunInterrupted(RuntimeError):
    """Someone stopped the run (Ctrl-C, SIGTERM, SIGHUP). `summary` is what was measured until
    then (written to the run's folder, verdict invalid), or None when nothing was."""

    def __init__(self, cause: str, summary: RunSummary | None) -> None:
        super().__init__(f"interrupted by {cause}")
        self.cause = cause
        self.summary = summary


@contextlib.contextmanager
def _terminations_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP interrupt it as Ctrl-C does, so a run stopped by a
    CI job's cancellation or a closed terminal still stops its children and keeps its results."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may take signals; its own handlers stay
        return

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {signum: signal.signal(signum, interrupt) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _signal_name(interrupt: KeyboardInterrupt) -> str:
    return str(interrupt.args[0]) if interrupt.args else "SIGINT"


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What to run, against what, and where the results go."""

    scenario_path: Path
    scenario: Scenario
    target: Target
    out_dir: Path
    processes: int = 1  # generator processes on this machine (Locust's --processes)
    expect_workers: int = 0  # > 0: be Locust's master and wait for this many remote workers
    metrics_port: int = 0  # > 0: the generator serves Prometheus metrics there (workers: +1+index)
    profile_path: Path | None = None  # a target profile (transport, signing, TLS ...) instead of a URL
    profile: TargetProfile | None = None
    clipped: str | None = None  # how --clip-to-cap scaled the scenario to the target's cap: said in the report
    store_only: bool = False  # appStatus 1 (暂存): nothing declared, so no receipt gate applies


def orders_intended(scenario: Scenario) -> int:
    """How many orders the scenario's curve schedules (the same count the generator plans)."""
    gen = scenario.generator
    times = arrival_times(scenario.compiled_curve(), scenario.clock.compression,
                          poisson=gen.pacing == "poisson", rng=random.Random(f"{gen.seed}/arrivals"))
    return sum(1 for _ in times)


def locust_deadline_s(scenario: Scenario) -> float:
    """The longest the generator may run before it is stopped from outside (it stops itself
    earlier, at the scenario's own deadline; this covers a generator that hangs)."""
    return scenario.deadline_s(_LOCUST_SLACK_S)


@contextlib.contextmanager
def _target_url(request: RunRequest) -> Iterator[str]:
    if request.target.is_mock:
        with embedded_mock(request.out_dir / "mock.db", request.out_dir / "mock.log") as url:
            yield url
        return
    url = request.target.url
    profile = request.profile
    if profile is None:  # peakload's own HTTP contract, which has a health probe
        _probe(url, "/healthz", TlsSettings())
    elif profile.health is not None:
        _probe(url, profile.health.path, profile.tls)
    yield url


def _probe(url: str, path: str, tls: TlsSettings) -> None:
    """The pre-flight check: GET `path` must answer 2xx (redirects are not followed)."""
    try:
        with _client(url, tls) as client:
            client.get(path, timeout=5.0).raise_for_status()
    except (httpx.HTTPError, ProfileError) as exc:
        raise RunInvalid(scrubbed(f"target unreachable: GET {url}{path} failed: {exc}")) from None


def _client(url: str, tls: TlsSettings) -> httpx.Client:
    verify = client_context(tls) if url.startswith("https:") else True
    return httpx.Client(base_url=url, verify=verify, follow_redirects=False)


def _import_root() -> str | None:
    """The folder peakload's packages are imported from, so that a child interpreter imports them
    from the same place (a checkout used without installing it, say); None for site-packages, where
    the child finds them by itself and which on PYTHONPATH would come before the standard library."""
    root = Path(locustfiles.__file__).resolve().parent.parent
    site_folders = {Path(p).resolve() for p in (*site.getsitepackages(), site.getusersitepackages())}
    return None if root in site_folders else str(root)


def locust_environment(host: str = "") -> dict[str, str]:
    """The environment a Locust process of peakload runs in: peakload's packages importable, and the
    target's URL in LOCUST_HOST, not on the command line, where any user of the host could read
    credentials it carries."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (_import_root(), os.environ.get("PYTHONPATH", "")) if p)}
    if host:
        environment["LOCUST_HOST"] = host
    return environment


def _run_locust(request: RunRequest, url: str, results_path: Path,
                on_progress: Callable[[list[Progress]], None] | None,
                stop: threading.Event | None) -> str | None:
    """Run the generator to its end; what interrupted it (a signal's name, or a stop request from
    another thread), if something did, after stopping it gracefully."""
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--scenario", str(request.scenario_path), "--results-file", str(results_path),
        "--progress-file", str(request.out_dir / "progress.json"),
        "--csv", str(request.out_dir / "locust"), "--only-summary", "--exit-code-on-error", "0",
        "--manifest-dir", str(request.out_dir.resolve()),
        "--loglevel", "WARNING", "--stop-timeout", "10",
    ]
    if request.processes > 1:
        command += ["--processes", str(request.processes)]
    if request.expect_workers:
        command += ["--master", "--expect-workers", str(request.expect_workers)]
    if request.metrics_port:
        command += ["--metrics-port", str(request.metrics_port)]
    if request.store_only:
        command.append("--store-only")
    if request.scenario.generator.id_tag:  # a tag given on the command line is not in the file
        command += ["--id-tag", request.scenario.generator.id_tag]
    if request.profile_path is not None:
        command += ["--target-profile", str(request.profile_path.resolve())]
    env = locust_environment(url)
    timeout = locust_deadline_s(request.scenario)
    deadline = time.monotonic() + timeout
    with open(request.out_dir / "locust.log", "wb") as log:
        # A session of its own: a Ctrl-C in the terminal reaches peakload only, which stops the
        # generator first (so it writes what it measured) and the mock platform after.
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
        try:
            while process.poll() is None:
                if stop is not None and stop.is_set():
                    _stop_generator(process)
                    return "a stop request"
                if time.monotonic() > deadline:
                    raise RunInvalid(f"the load generator did not finish within {timeout:.0f} s")
                if on_progress is not None:
                    on_progress(read_progress(request.out_dir))
                time.sleep(_PROGRESS_POLL_S)
        except KeyboardInterrupt as exc:
            _stop_generator(process)
            return _signal_name(exc)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return None


def _stop_generator(process: subprocess.Popen) -> None:
    """SIGTERM: Locust stops its users and writes the results; a second interrupt, or no exit
    within the grace period, kills it."""
    process.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired, KeyboardInterrupt):
        process.wait(timeout=_STOP_GRACE_S)


def _scrape(url: str, tls: TlsSettings) -> TargetMetrics | None:
    """The target's own figures from its /metrics, if it exposes ours; anything else is no figures."""
    try:
        with _client(url, tls) as client:
            response = client.get("/metrics", timeout=5.0)
    except (httpx.HTTPError, ProfileError):
        return None
    if response.status_code != 200 or not response.headers.get("content-type", "").startswith("text/plain"):
        return None
    try:
        return parse_target_metrics(response.text)
    except ValueError:  # text that is not a Prometheus exposition
        return None


# Gates on what customs did to the lists: a store-only run declares nothing, so they do not apply.
_RECEIPT_GATES = frozenset({GateMetric.RELEASED_RATIO, GateMetric.CLEARANCE_P95_S})


def _judged(request: RunRequest) -> Scenario:
    """The scenario whose gates judge the run: a store-only run's without the receipt gates."""
    scenario = request.scenario
    if not request.store_only:
        return scenario
    return scenario.model_copy(update={"gates": [g for g in scenario.gates if g.metric not in _RECEIPT_GATES]})


def not_applicable_when_stored(scenario: Scenario) -> list[GateResult]:
    """The receipt gates of a store-only run, shown as not applicable (they pass: no value)."""
    return [GateResult(name=f"{gate.label} (not applicable: store-only, nothing declared)",
                       threshold=gate.threshold, value=None, passed=True, gate=gate)
            for gate in scenario.gates if gate.metric in _RECEIPT_GATES]


def unmeasured_run(request: RunRequest, reason: str) -> RunSummary:
    """The summary of a run that measured nothing (its target failed the pre-flight check, its
    generator died), written with every report, so CI's test view says why."""
    results = RunResults(
        scenario=request.scenario.name, target=_shown_target(request), started_at=time.time(),
        run_duration_s=0.0, load_duration_s=request.scenario.clock.run_duration_s, orders_intended=0,
        orders_sent=0, dropped_arrivals=0, late_arrivals=0, scheduler_lag_hdr="", message_types={},
        aborted=reason)
    summary = judge(build_summary(results, orders_intended(request.scenario)), request.scenario, aborted=[reason])
    write_outputs(summary, request.out_dir)
    return summary


def _shown_target(request: RunRequest) -> str:
    if request.target.is_mock:
        return "mock"
    return without_credentials(request.target.url or "")


def run_scenario(request: RunRequest,
                 on_progress: Callable[[list[Progress]], None] | None = None,
                 stop: threading.Event | None = None) -> RunSummary:
    """Run the scenario and return its judged summary (also written to summary.json, report.html,
    junit.xml and summary.md in the run's folder). `on_progress` gets every generator process's
    progress about twice a second while the run goes on. Ctrl-C, SIGTERM, SIGHUP or setting `stop`
    (from another thread) ends the run early: RunInterrupted, with what was measured until then."""
    request.out_dir.mkdir(parents=True, exist_ok=True)
    results_path = request.out_dir / "results.json"
    results_path.unlink(missing_ok=True)  # an earlier run's, in a reused folder, must not pass for this one's
    with _terminations_interrupt(), contextlib.ExitStack() as target:
        try:
            url = target.enter_context(_target_url(request))
        except RunInvalid as exc:
            unmeasured_run(request, str(exc))
            raise
        interrupted = _run_locust(request, url, results_path, on_progress, stop)
        speaks_contract = request.profile is None or request.profile.transport is TransportKind.CEB_HTTP
        tls = request.profile.tls if request.profile is not None else TlsSettings()
        target_metrics = _scrape(url, tls) if speaks_contract else None
        target.close()  # the embedded mock stops before the results are judged
        if not results_path.exists():
            if interrupted:
                raise RunInterrupted(interrupted, None)
            reason = f"the load generator left no results; see {request.out_dir / 'locust.log'}"
            unmeasured_run(request, reason)
            raise RunInvalid(reason)
        results = RunResults.read(results_path)
        aborted = [results.aborted] if results.aborted else []
        if interrupted:
            aborted = [f"interrupted by {interrupted}; what was sent until then is reported"]
        summary = judge(build_summary(results, orders_intended(request.scenario)), _judged(request),
                        aborted=aborted, stopped_by=results.stopped_by)
        if request.store_only:
            summary = summary.model_copy(update={"gates": [*summary.gates, *not_applicable_when_stored(request.scenario)]})
        summary = summary.model_copy(update={"target_metrics": target_metrics})
        if request.clipped:
            summary = summary.model_copy(update={"reasons": [*summary.reasons, request.clipped]})
        if results.receipt_feed_problems and summary.verdict is not Verdict.PASS:
            summary = summary.model_copy(update={"reasons": [*summary.reasons, *(
                f"receipts feed: {problem} ({count}x)" for problem, count in results.receipt_feed_problems.items())]})
        if request.target.is_mock:
            summary = summary.model_copy(update={"target": "mock"})
        write_outputs(summary, request.out_dir)
    if interrupted:
        raise RunInterrupted(interrupted, summary)
    return summary


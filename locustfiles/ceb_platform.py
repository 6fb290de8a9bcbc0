"""The locustfile: replay a peakload scenario against a CEB platform as an open-model arrival rate.

    locust -f locustfiles/ceb_platform.py --headless --host http://127.0.0.1:8080 \
        --scenario scenarios/double11-smoke.yaml --results-file results.json [--processes 4]

Users are senders: each takes the next due message from its process's runtime queue and posts it.
Distributed (`--processes N`, or `--master` with `--worker`s on other hosts), each worker plans
orders k with k mod N == its index, so the rate is split and identifiers never collide; when a
worker's share is over it sends its results to the master, which merges them exactly (counts
added, HdrHistograms merged) and writes the one results file. `peakload run` drives this file.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import gevent
from locust import LoadTestShape, User, constant, events, task
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from locustfiles.exporter import serve_metrics
from locustfiles.identities import read_registry
from locustfiles.manifest import ManifestWriter, header, manifest_path
from locustfiles.parcels import Declaring
from locustfiles.rate_cap import RateCap
from locustfiles.results import RunResults
from locustfiles.runtime import GeneratorRuntime
from locustfiles.transports import Transport, open_transport
from locustfiles.urls import without_credentials
from scenarios.loader import load
from targets import TargetProfile, load_profile

_RESULTS_MESSAGE = "peakload_results"
_STOP_MESSAGE = "peakload_stop"


class _Run:
    """This process's part: a runtime (local or worker), or the workers' results (master)."""

    runtime: GeneratorRuntime | None = None
    transport: Transport | None = None
    deadline_s: float | None = None
    concurrency: int = 1
    worker_results: dict[int, RunResults] = {}
    expected_workers: int = 0


@events.init_command_line_parser.add_listener
def _arguments(parser) -> None:
    parser.add_argument("--scenario", type=str, required=False, default="",
                        help="peakload scenario file or library name")
    parser.add_argument("--results-file", type=str, default="results.json",
                        help="where to write the run's measurements (JSON)")
    parser.add_argument("--metrics-port", type=int, default=0,
                        help="serve Prometheus metrics on 127.0.0.1:PORT (workers: PORT+1+index)")
    parser.add_argument("--id-tag", type=str, default="",
                        help="replace the scenario's generator.id_tag (a run's identifiers are its own)")
    parser.add_argument("--progress-file", type=str, default="",
                        help="where to write progress every second (JSON; workers add -w<index>)")
    parser.add_argument("--store-only", action="store_true", default=False,
                        help="send every document with appStatus 1 (stored, not declared)")
    parser.add_argument("--manifest-dir", type=str, default="",
                        help="write the manifest of every document sent into this folder (workers: one each)")
    parser.add_argument("--target-profile", type=str, default="",
                        help="target profile (transport, signing, TLS ...); without one, --host is "
                             "reached over peakload's HTTP contract")


@events.init.add_listener
def _init(environment: Environment, **_kwargs) -> None:
    options = environment.parsed_options
    if options is not None and not options.scenario:
        # Fail at once, headless or with the web UI: without a plan Start would have nothing to send.
        sys.stderr.write("peakload: give --scenario NAME or FILE (`peakload scenarios list` names the "
                         "library's)\n")
        sys.exit(64)
    if isinstance(environment.runner, MasterRunner):
        environment.runner.register_message(_RESULTS_MESSAGE, _receive_results)
    if isinstance(environment.runner, WorkerRunner):
        environment.runner.register_message(
            _STOP_MESSAGE, lambda environment, msg, **_kw: _stop_early(environment, msg.data))
    # Headless, Locust installs its own SIGTERM handler only once a shape test is over: until then
    # SIGTERM would kill the generator and lose what it measured. This ends the run early instead.
    gevent.signal_handler(signal.SIGTERM, _stop_early, environment, "the generator was stopped (SIGTERM)")


def _stop_early(environment: Environment, why: str) -> None:
    """End this process's share now, keeping what it measured; a master tells every worker."""
    if isinstance(environment.runner, MasterRunner):
        environment.runner.send_message(_STOP_MESSAGE, why)
    elif _Run.runtime is not None:
        _Run.runtime.abort(why)


def _receive_results(environment: Environment, msg, **_kwargs) -> None:
    results = RunResults.model_validate_json(msg.data)
    _Run.worker_results[results.worker_index] = results


def _send_results(environment: Environment, runtime: GeneratorRuntime) -> None:
    environment.runner.send_message(_RESULTS_MESSAGE, runtime.results().model_dump_json())


@events.test_start.add_listener
def _start(environment: Environment, **_kwargs) -> None:
    options = environment.parsed_options
    scenario = load(options.scenario)
    if options.id_tag:
        scenario = scenario.with_id_tag(options.id_tag)
    _Run.concurrency = scenario.generator.concurrency
    runner = environment.runner
    if isinstance(runner, MasterRunner):
        _Run.expected_workers = options.expect_workers
        _Run.worker_results = {}
        _Run.deadline_s = GeneratorRuntime.deadline_for(scenario)
        return
    progress = Path(options.progress_file) if options.progress_file else None
    profile = _profile(options.target_profile, environment.host)
    scenario = profile.tagged(scenario)
    # The run's tag goes into every request's X-Peakload-Run header, whichever way it was given.
    profile = profile.model_copy(update={"id_tag": scenario.generator.id_tag})
    registry = read_registry(profile.identities) if profile.identities is not None else None
    declaring = Declaring(store_only=options.store_only or profile.store_only,
                          buyers=registry.buyers if registry is not None else ())
    _Run.transport = transport = open_transport(profile, environment.events.request)
    signer = None
    if profile.signing is not None:
        from locustfiles.signer import signer_for  # loads the crypto libraries only for signed runs
        signer = signer_for(profile.signing)
    target = _target_name(profile)
    poll_s = profile.receipts.interval_s if options.target_profile else None  # else the scenario's
    worker_index, worker_count = ((runner.worker_index, options.expect_workers) if isinstance(runner, WorkerRunner)
                                  else (0, 1))
    manifest = None
    if options.manifest_dir:
        path = manifest_path(Path(options.manifest_dir), worker_index if isinstance(runner, WorkerRunner) else None)
        manifest = ManifestWriter(path, header(scenario, worker_index, worker_count, declaring, registry,
                                               transport.name))
    if isinstance(runner, WorkerRunner):
        if progress is not None:
            progress = progress.with_name(f"{progress.stem}-w{runner.worker_index}{progress.suffix}")
        _Run.runtime = GeneratorRuntime(
            environment, scenario, transport, runner.worker_index, options.expect_workers,
            on_finished=lambda runtime: _send_results(environment, runtime), progress_path=progress,
            signer=signer, target_name=target, receipt_poll_s=poll_s,
            rate_cap=RateCap.for_process(profile.max_rate, profile.max_messages, runner.worker_index,
                                         options.expect_workers), declaring=declaring, manifest=manifest)
    else:
        _Run.runtime = GeneratorRuntime(environment, scenario, transport, progress_path=progress,
                                        signer=signer, target_name=target, receipt_poll_s=poll_s,
                                        rate_cap=RateCap.for_process(profile.max_rate, profile.max_messages, 0, 1),
                                        declaring=declaring, manifest=manifest)
    _Run.deadline_s = _Run.runtime.deadline_s
    if options.metrics_port:
        offset = runner.worker_index + 1 if isinstance(runner, WorkerRunner) else 0
        serve_metrics(_Run.runtime, options.metrics_port + offset)


def _profile(path: str, host: str | None) -> TargetProfile:
    """The run's target profile: the one named, or peakload's HTTP contract at --host."""
    if path:
        return load_profile(path)
    return TargetProfile(name="host", url=(host or "").rstrip("/"))


def _target_name(profile: TargetProfile) -> str:
    """The target as results show it (never with credentials)."""
    if profile.folders is not None:
        return f"{profile.transport.value}:{without_credentials(profile.folders.root)}"
    where = without_credentials(profile.url or "")
    return where if profile.transport.value == "ceb-http" else f"{profile.transport.value}:{where}"


@events.spawning_complete.add_listener
def _senders_ready(**_kwargs) -> None:
    # The schedule starts once every sender exists, so the first arrivals do not wait for spawning.
    runtime = _Run.runtime
    if runtime is not None and not runtime.started:
        runtime.start()


@events.test_stop.add_listener
def _stop(environment: Environment, **_kwargs) -> None:
    path = Path(environment.parsed_options.results_file)
    if isinstance(environment.runner, MasterRunner):
        parts = [_Run.worker_results[i] for i in sorted(_Run.worker_results)]
        if parts:
            for part in parts:
                part.write(path.with_name(f"{path.stem}-worker{part.worker_index}{path.suffix}"))
            RunResults.merge(parts).write(path)
        return
    runtime = _Run.runtime
    if runtime is None:
        return
    if not runtime.finished:  # stopped from outside: report what was measured
        runtime.abort("the generator was stopped before its share was done")
    runtime.stop()
    if _Run.transport is not None:
        _Run.transport.close()
    if not isinstance(environment.runner, WorkerRunner):
        runtime.results().write(path)


class CebDeclarant(User):
    """A sender: posts the due CEB messages of the plan, one at a time."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.sender = _Run.transport.sender() if _Run.transport is not None else None

    def on_stop(self) -> None:
        if self.sender is not None:
            self.sender.close()

    @task
    def send(self) -> None:
        runtime = _Run.runtime
        job = runtime.take() if runtime is not None else None
        while job is not None:  # a busy run stays in one task: no scheduling round per message
            sent = runtime.now()
            status, error = None, "not sent"
            try:
                status, error = self.sender.send(job.message_type, job.body, job.document_guid)
            finally:
                runtime.done_with(job, sent, status, error)
            job = runtime.take_waiting()


class ScenarioShape(LoadTestShape):
    """Keep the sender pool at the scenario's concurrency until every share of the run is over."""

    def tick(self):
        runtime = _Run.runtime
        if _Run.expected_workers:  # master: over when every worker has sent its results
            if len(_Run.worker_results) >= _Run.expected_workers:
                return None
        elif runtime is not None and runtime.finished:
            return None
        if _Run.deadline_s is not None and self.get_run_time() > _Run.deadline_s:
            if runtime is not None:
                runtime.abort(f"the shape passed the hard deadline at {self.get_run_time():.0f} s")
            return None
        return _Run.concurrency, _Run.concurrency

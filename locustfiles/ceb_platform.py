"""The locustfile: replay a peakload scenario against a CEB platform as an open-model arrival rate.

    locust -f locustfiles/ceb_platform.py --headless --host http://127.0.0.1:8080 \
        --scenario scenarios/double11-smoke.yaml --results-file results.json

Users are senders: each takes the next due message from the runtime's queue and posts it. The
shape keeps the sender pool up until the runtime says the run is over, then stops the test.
`peakload run` drives this file; running it by hand works the same way.
"""

from __future__ import annotations

from pathlib import Path

from locust import FastHttpUser, LoadTestShape, constant, events, task
from locust.env import Environment

from locustfiles.runtime import GeneratorRuntime
from scenarios.loader import load

_XML = {"Content-Type": "application/xml; charset=utf-8"}


class _Run:
    """The process's runtime, created when the test starts (None before)."""

    runtime: GeneratorRuntime | None = None


@events.init_command_line_parser.add_listener
def _arguments(parser) -> None:
    parser.add_argument("--scenario", type=str, required=False, default="",
                        help="peakload scenario file or library name")
    parser.add_argument("--results-file", type=str, default="results.json",
                        help="where to write the run's measurements (JSON)")


@events.test_start.add_listener
def _start(environment: Environment, **_kwargs) -> None:
    options = environment.parsed_options
    scenario = load(options.scenario)
    _Run.runtime = GeneratorRuntime(environment, scenario)
    _Run.runtime.start()


@events.test_stop.add_listener
def _stop(environment: Environment, **_kwargs) -> None:
    runtime = _Run.runtime
    if runtime is None:
        return
    runtime.stop()
    runtime.results().write(Path(environment.parsed_options.results_file))


class CebDeclarant(FastHttpUser):
    """A sender: posts the due CEB messages of the plan, one at a time."""

    wait_time = constant(0)

    @task
    def send(self) -> None:
        runtime = _Run.runtime
        job = runtime.take() if runtime is not None else None
        if job is None:
            return
        sent = runtime.now()
        status, error = None, None
        try:
            with self.client.post("/ceb/messages", data=job.body, headers=_XML,
                                  name=job.message_type.value, catch_response=True) as response:
                status = response.status_code or None
                if status in (200, 202):
                    response.success()
                else:
                    error = (response.text or str(response.error))[:200]
                    response.failure(f"HTTP {status}: {error}")
        finally:
            runtime.done_with(job, sent, status, error)


class ScenarioShape(LoadTestShape):
    """Keep the sender pool at the scenario's concurrency until the runtime finishes."""

    def tick(self):
        runtime = _Run.runtime
        if runtime is not None and runtime.finished:
            return None
        if runtime is not None and self.get_run_time() > runtime.deadline_s:
            runtime.abort(f"the shape passed the hard deadline at {self.get_run_time():.0f} s")
            return None
        concurrency = runtime.scenario.generator.concurrency if runtime else 1
        return concurrency, concurrency

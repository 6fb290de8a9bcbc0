"""Locust's own way to replay a peakload scenario, ending as `peakload run` does: summary, verdict,
report, JUnit and Markdown beside the results, and the verdict's exit code.

    locust -f peakload/locustfile.py --headless --scenario smoke --host http://127.0.0.1:8080
    locust -f peakload/locustfile.py --web-host 127.0.0.1 --scenario smoke --host http://127.0.0.1:8080

The second serves Locust's web UI on loopback only; press Start there. Everything else is the
generator's (locustfiles/ceb_platform.py): its options (--target-profile, --id-tag, --processes ...),
users and load shape. Results go to --results-file, by default under reports/out/<time>-<scenario>/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from locust import events
from locust.env import Environment
from locust.runners import WorkerRunner

from locustfiles.ceb_platform import CebDeclarant, ScenarioShape  # noqa: F401 - Locust finds them here
from locustfiles.results import RunResults
from peakload.exit_codes import ExitCode
from peakload.runner import orders_intended
from reports.gates import judge
from reports.outputs import write_outputs
from reports.summary import build_summary
from scenarios.loader import load

_DEFAULT_RESULTS = "results.json"  # the generator's default: here, a run folder of its own instead


@events.init.add_listener
def _run_folder(environment: Environment, **_kwargs) -> None:
    options = environment.parsed_options
    if options is not None and options.results_file == _DEFAULT_RESULTS and options.scenario:
        name = Path(options.scenario).stem
        folder = Path("reports/out") / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{name}"
        folder.mkdir(parents=True, exist_ok=True)
        options.results_file = str(folder / _DEFAULT_RESULTS)


@events.test_stop.add_listener
def _judge(environment: Environment, **_kwargs) -> None:
    """After the generator wrote its results (its listener runs first): judge and report them."""
    if isinstance(environment.runner, WorkerRunner):
        return
    options = environment.parsed_options
    path = Path(options.results_file)
    if not path.exists():
        return
    results = RunResults.read(path)
    scenario = load(options.scenario)
    scenario = scenario.with_id_tag(options.id_tag) if options.id_tag else scenario
    summary = judge(build_summary(results, orders_intended(scenario)), scenario,
                    aborted=[results.aborted] if results.aborted else [], stopped_by=results.stopped_by)
    write_outputs(summary, path.parent)
    print(f"verdict: {summary.verdict.value} ({'; '.join(summary.reasons) or 'all gates held'}); "
          f"results: {path.parent}", flush=True)
    environment.process_exit_code = int(ExitCode.of(summary.verdict))

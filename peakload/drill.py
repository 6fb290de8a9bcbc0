"""`peakload drill`: rehearse an incident end to end through the real monitoring stack.

The drill starts the mock platform, Prometheus, Alertmanager and the on-call receiver (time
compressed alike; the stack's own checks must pass), replays the drill scenario for steady traffic,
waits until Prometheus has a quiet baseline, injects the fault, and times the alert going pending
and firing and the page reaching on-call; then it clears the fault and times the resolution. The
timeline joins the run's summary, and the drill passes when the page came within the runbook's
detection budget. Every phase, and every few seconds of a wait, is told to `say` as a line.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

import safe_yaml
from monitoring.drills import DrillPlan, detection_budget_s
from monitoring.rehearsal import ScrapeTargets
from peakload.embedded_mock import remove_database, start_mock
from peakload.runner import RunRequest, run_scenario
from peakload.stack import (ONCALL_URL, PROMETHEUS_URL, StackConfig, announced_generators, down,
                            generator_ports, up)
from peakload.stack_checks import Say
from peakload.target import Target
from reports.drill import DrillTimeline
from reports.outputs import write_outputs
from reports.summary import RunSummary, Verdict
from scenarios.loader import load

_POLL_S = 0.25
_BASELINE_S = 60.0  # production seconds of quiet traffic before the fault (compressed)
_MIN_BASELINE_S = 8.0  # wall seconds: a few scrapes whatever the compression
_SAY_EVERY_S = 5.0  # a progress line this often while a wait goes on
_STEP_NAMES = {"pending": "alert pending", "fired": "alert firing", "paged": "page received",
               "cleared": "fault cleared", "resolved": "alert resolved", "page_resolved": "page resolved"}


class DrillError(RuntimeError):
    """The drill could not be carried out (stack, mock or Prometheus unavailable)."""


@dataclass(frozen=True, slots=True)
class DrillRequest:
    """Which fault, at what time compression, with which background load, results where."""

    plan: DrillPlan
    scenario_path: Path
    out_dir: Path
    compression: float = 1.0
    metrics_port: int = 9646
    keep_db: bool = False  # the mock's database stays in the results folder


def _drill_scenario(base: Path, length_s: float, out_dir: Path) -> Path:
    """The background scenario stretched to the drill's length (its last segment holds on)."""
    scenario = load(str(base))  # validated, its YAML bounded, before the raw document is used
    doc = safe_yaml.load_file(base)
    head_s = sum(scenario.curve[i].duration_s for i in range(len(doc["curve"]) - 1))
    doc["clock"]["duration"] = f"{length_s:.0f}s"
    doc["curve"][-1]["duration"] = f"{length_s - head_s:.0f}s"
    path = out_dir / "drill-scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    load(str(path))  # validate before anything starts
    return path


def _alert_state(alert: str) -> str | None:
    """'pending', 'firing', or None, as Prometheus' own alerts API has it."""
    alerts = httpx.get(f"{PROMETHEUS_URL}/api/v1/alerts", timeout=5).json()["data"]["alerts"]
    states = {a["state"] for a in alerts if a["labels"].get("alertname") == alert}
    return "firing" if "firing" in states else ("pending" if states else None)


def _page(alert: str, since: float) -> dict | None:
    pages = httpx.get(f"{ONCALL_URL}/pages", timeout=5).json()["pages"]
    return next((p for p in pages if p["alertname"] == alert and p["pagedAt"] >= since), None)


def _scraping(jobs: tuple[str, ...]) -> bool:
    result = httpx.get(f"{PROMETHEUS_URL}/api/v1/query", params={"query": "up == 1"},
                       timeout=5).json()["data"]["result"]
    return set(jobs) <= {series["metric"]["job"] for series in result}


def _wait_for(condition: Callable[[], bool], until: float, what: str, say: Say) -> None:
    started = told = time.time()
    while not condition():
        if time.time() > until:
            raise DrillError(f"timed out waiting for {what}")
        if time.time() - told >= _SAY_EVERY_S:
            say(f"  still waiting for {what} ({time.time() - started:.0f} s)")
            told = time.time()
        time.sleep(_POLL_S)


class _Timeline:
    """Polls Prometheus and the on-call receiver and notes the first time of each step."""

    def __init__(self, plan: DrillPlan, onset: float, say: Say) -> None:
        self.plan, self.onset, self.say = plan, onset, say
        self.steps: dict[str, float] = {}
        self._told = onset

    def note(self, step: str, at: float | None = None) -> None:
        if step not in self.steps:
            self.steps[step] = (at if at is not None else time.time()) - self.onset
            self.say(f"  {self.steps[step]:5.1f} s  {_STEP_NAMES[step]}")

    def _tick(self, until: float) -> None:
        """A line every few seconds of a wait in which nothing happened."""
        now = time.time()
        if now - self._told >= _SAY_EVERY_S:
            self.say(f"  {now - self.onset:5.1f} s  waiting ({until - now:.0f} s left)")
            self._told = now

    def watch_detection(self, until: float) -> None:
        while time.time() < until and "paged" not in self.steps:
            state = _alert_state(self.plan.alert)
            if state is not None:
                self.note("pending")
            if state == "firing":
                self.note("fired")
            if (page := _page(self.plan.alert, self.onset)) is not None:
                self.note("paged", page["pagedAt"])
            self._tick(until)
            time.sleep(_POLL_S)

    def watch_resolution(self, until: float) -> None:
        if "pending" not in self.steps:
            return  # the alert never went off: there is nothing to resolve
        while time.time() < until and not {"resolved", "page_resolved"} <= set(self.steps):
            if _alert_state(self.plan.alert) is None:
                self.note("resolved")
            page = _page(self.plan.alert, self.onset)
            if page is not None and page["resolvedAt"] is not None:
                self.note("page_resolved", page["resolvedAt"])
            if page is None and "resolved" in self.steps:
                break  # never paged: no page to resolve
            self._tick(until)
            time.sleep(_POLL_S)


def run_drill(request: DrillRequest, state: Path, say: Say = lambda _line: None) -> RunSummary:
    """Carry out the drill; its summary (with the timeline) is also written to the run folder."""
    plan, c = request.plan, request.compression
    budget_s = detection_budget_s(plan.alert)
    baseline_s = max(_MIN_BASELINE_S, _BASELINE_S / c)
    detect_s, resolve_s = budget_s / c, plan.resolution_allowance_s / c
    request.out_dir.mkdir(parents=True, exist_ok=True)
    scenario_path = _drill_scenario(request.scenario_path, baseline_s + detect_s + resolve_s + 5,
                                    request.out_dir)
    token = secrets.token_urlsafe(24)
    say("starting the mock platform")
    database = request.out_dir / "mock.db"
    mock = start_mock(database, request.out_dir / "mock.log", plan.mock_args,
                      env={"PEAKLOAD_ADMIN_TOKEN": token})
    admin = httpx.Client(base_url=mock.url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    outcome: dict[str, RunSummary | BaseException] = {}
    stop_load = threading.Event()  # the load runs on its own thread: an interrupt reaches this one
    loader: threading.Thread | None = None
    try:
        say(f"starting the monitoring stack in {state} (compression {c:g}) and checking it")
        stack = up(state, StackConfig(ScrapeTargets((mock.url.removeprefix("http://"),)), c),
                   lambda line: say(f"  {line}"))
        for line in stack.checked:
            say(f"  checked: {line}")
        run = RunRequest(scenario_path, load(str(scenario_path)), Target(mock.url), request.out_dir,
                         metrics_port=request.metrics_port)

        def replay() -> None:
            try:
                with announced_generators(state, generator_ports(request.metrics_port)):
                    outcome["summary"] = run_scenario(run, stop=stop_load)
            except BaseException as exc:  # reported on the main thread
                outcome["error"] = exc

        loader = threading.Thread(target=replay, name="drill-load", daemon=True)
        started = time.time()
        say("starting the background load; waiting for Prometheus to scrape the platform and the generator")
        loader.start()
        _wait_for(lambda: _scraping(("ceb-platform", "peakload-generator")), started + 60,
                  "Prometheus to scrape the platform and the generator", say)
        quiet_for = max(0.0, started + baseline_s - time.time())
        say(f"scraping both; {quiet_for:.0f} s of quiet traffic before the fault")
        time.sleep(quiet_for)  # quiet traffic the rules can see
        quiet = _alert_state(plan.alert) is None
        if not quiet:
            say(f"{plan.alert} is already firing before the fault: the drill cannot measure it")
        admin.post("/admin/faults", json={**plan.fault_body, "duration_s": detect_s + 5}).raise_for_status()
        timeline = _Timeline(plan, time.time(), say)
        say(f"fault on ({plan.fault.value}); waiting up to {detect_s:.0f} s for {plan.alert} to page")
        timeline.watch_detection(until=timeline.onset + detect_s)
        admin.delete("/admin/faults").raise_for_status()
        timeline.note("cleared")
        if "pending" in timeline.steps:
            say(f"waiting up to {resolve_s:.0f} s for the alert and the page to resolve")
        timeline.watch_resolution(until=time.time() + resolve_s)
        if loader.is_alive():
            say("waiting for the background load to end and write its results")
        loader.join()
    finally:
        if loader is not None and loader.is_alive():  # interrupted, or the stack failed meanwhile
            stop_load.set()  # the generator has been told to stop: a second Ctrl-C only skips the wait
            with contextlib.suppress(KeyboardInterrupt):
                loader.join()
        admin.close()
        say("stopping the stack and the mock platform")
        down(state)
        mock.stop()
        if not request.keep_db:
            remove_database(database)
    if "error" in outcome:
        raise outcome["error"]
    steps = timeline.steps
    drill = DrillTimeline(fault=plan.fault.value, alert=plan.alert, compression=c, budget_s=budget_s,
                          onset_at=timeline.onset, quiet_before=quiet, pending_s=steps.get("pending"),
                          fired_s=steps.get("fired"), paged_s=steps.get("paged"),
                          cleared_s=steps.get("cleared"), resolved_s=steps.get("resolved"),
                          page_resolved_s=steps.get("page_resolved"))
    summary = _with_drill(outcome["summary"], drill)
    write_outputs(summary, request.out_dir)
    return summary


def _with_drill(summary: RunSummary, drill: DrillTimeline) -> RunSummary:
    """The drill decides the verdict: the fault degrades the run on purpose, so the load's own
    verdict is kept as a note, not a judgement."""
    notes = [f"background load: {summary.verdict.value}"
             + (f" ({'; '.join(summary.reasons)})" if summary.reasons else "")]
    return summary.model_copy(update={
        "drill": drill, "verdict": Verdict.PASS if drill.passed else Verdict.FAIL,
        "reasons": [drill.verdict_reason, *notes]})


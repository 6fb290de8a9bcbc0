"""`peakload capacity`: find the highest arrival rate the target takes while meeting the gates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from locustfiles.urls import without_credentials
from peakload.runner import RunInterrupted, RunInvalid, RunRequest, run_scenario
from peakload.target import Target
from reports.capacity import CEILING_OVER_PEAK, CapacityResult, CapacitySearch, CapacityStep, summarise
from reports.summary import Verdict
from scenarios.figures import figures
from scenarios.model import Clock, Scenario
from scenarios.segments import Hold
from scenarios.writer import write


@dataclass(frozen=True, slots=True)
class CapacityRequest:
    """What to search, against what, how finely, and where the steps' runs go."""

    scenario: Scenario
    target: Target
    out_dir: Path
    step_s: float = 20.0  # wall seconds each probe holds its rate
    start: float | None = None  # orders/s of the first probe [default: a quarter of the forecast peak]
    ceiling: float | None = None  # never probe above [default: CEILING_OVER_PEAK x the forecast peak]
    precision: float = 0.1
    max_steps: int = 8

    def search(self) -> CapacitySearch:
        """The search's plan; ValueError when the ceiling is below the forecast peak."""
        peak = figures(self.scenario).peak_orders_per_s
        return CapacitySearch(start=self.start or max(1.0, round(peak / 4, 1)),
                              ceiling=self.ceiling or peak * CEILING_OVER_PEAK, precision=self.precision,
                              max_steps=self.max_steps, forecast_peak=peak)


def probe(scenario: Scenario, rate: float, step_s: float, number: int) -> Scenario:
    """The scenario as the search's `number`th probe: `rate` orders/s for `step_s` wall seconds,
    with its waves, bad data and gates (compressed as the scenario is, so its delays stay short),
    and identifiers of its own: the target takes every probe's documents as new, never as the
    duplicates of an earlier probe's."""
    real_s = step_s * scenario.clock.compression
    return scenario.model_copy(update={
        "name": f"{scenario.name}-capacity",
        "clock": Clock(start=scenario.clock.start, duration=real_s, compression=scenario.clock.compression),
        "curve": [Hold(kind="hold", duration=real_s, rate=rate)],
    }).with_id_tag(f"P{number:02d}")


def search_capacity(request: CapacityRequest,
                    on_step: Callable[[CapacityStep], None] = lambda step: None) -> CapacityResult:
    """Probe rates until the capacity is bracketed to the wanted precision (or the budget is spent).
    An interrupted probe ends the search: the result holds the probes finished before it."""
    search = request.search()
    steps: list[CapacityStep] = []
    interrupted = None
    while (rate := search.next_rate()) is not None:
        step_dir = request.out_dir / f"step-{len(steps) + 1:02d}-{rate:g}"
        step_dir.mkdir(parents=True, exist_ok=True)
        scenario = probe(request.scenario, rate, request.step_s, len(steps) + 1)
        path = write(scenario, step_dir / "scenario.yaml")
        try:
            summary = run_scenario(RunRequest(path, scenario, request.target, step_dir))
            step = CapacityStep(orders_per_s=rate, passed=summary.verdict is Verdict.PASS,
                                verdict=summary.verdict.value, p99_ms=summary.latency_ms.p99,
                                achieved_ratio=round(summary.achieved_ratio, 4),
                                error_ratio=round(summary.failures / summary.requests, 6)
                                if summary.requests else 0.0, reasons=summary.reasons)
        except RunInterrupted as exc:
            interrupted = f"{exc} during the probe at {rate:g} orders/s"
            break
        except RunInvalid as exc:
            step = CapacityStep(orders_per_s=rate, passed=False, verdict=Verdict.INVALID.value,
                                p99_ms=0.0, achieved_ratio=0.0, error_ratio=1.0, reasons=[str(exc)])
        search.record(rate, step.passed)
        steps.append(step)
        on_step(step)
    target = "mock" if request.target.is_mock else without_credentials(request.target.url or "")
    result = summarise(request.scenario.name, target, search.forecast_peak, search.ceiling, steps)
    return result.model_copy(update={"interrupted": interrupted})

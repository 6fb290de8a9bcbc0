"""Gates and the verdict, as pure functions of a summary.

A run is *invalid* when its numbers cannot be trusted to describe the target (the generator could
not keep its schedule, the target was unreachable, the run was cut short); otherwise it *fails*
when any gate does, and *passes* when all hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from reports.formatting import metric
from reports.summary import GateResult, RunSummary, Verdict
from scenarios.figures import figures
from scenarios.gates import Gate, GateMetric
from scenarios.model import Scenario
from scenarios.windows import LatencyStep, PerSecond, first_breach, worst_window

UNREACHABLE_RATIO = 0.5
SATURATED_CPU_PERCENT = 90.0  # of the one core a generator process runs on
BEHIND_RATIO = 0.01  # late or dropped arrivals, as a share of requests
DUPLICATE_RATIO = 0.01  # messages the target answered as ones it already had (200), a share of requests


def metric_value(summary: RunSummary, gate: Gate) -> float | None:
    """The summary figure a gate reads (None when the run produced no such figure)."""
    scope = summary.message_types.get(gate.message_type.value) if gate.message_type else None
    if gate.message_type and scope is None:
        return None
    requests = scope.requests if scope else summary.requests
    latency = scope.latency_ms if scope else summary.latency_ms
    match gate.metric:
        case GateMetric.ACHIEVED_RATIO:
            return round(summary.achieved_ratio, 4)
        case GateMetric.ERROR_RATIO:
            failures = scope.failures if scope else summary.failures
            return round(failures / requests, 6) if requests else None
        case GateMetric.THROTTLED_RATIO:
            throttled = scope.throttled if scope else summary.throttled
            return round(throttled / requests, 6) if requests else None
        case GateMetric.LATENCY_P50_MS:
            return latency.p50 if latency.count else None
        case GateMetric.LATENCY_P95_MS:
            return latency.p95 if latency.count else None
        case GateMetric.LATENCY_P99_MS:
            return latency.p99 if latency.count else None
        case GateMetric.LATENCY_MAX_MS:
            return latency.max if latency.count else None
        case GateMetric.DROPPED_ARRIVALS:
            return float(summary.dropped_arrivals)
        case GateMetric.RELEASED_RATIO:
            if not summary.clean_lists_sent:
                return None
            return round(summary.clean_lists_released / summary.clean_lists_sent, 4)
        case GateMetric.CLEARANCE_P95_S:
            return summary.clearance_s.p95 if summary.clearance_s else None
    raise ValueError(gate.metric)


def per_second_counts(summary: RunSummary) -> PerSecond:
    """The summary's per-second counts, for windowed gates."""
    t = summary.timeline
    steps = [LatencyStep(start, p50, p95, p99) for start, p50, p95, p99 in zip(
        t.window_starts_s, t.latency_p50_ms, t.latency_p95_ms, t.latency_p99_ms)]
    return PerSecond(t.intended_per_s, t.sent_per_s, t.failed_per_s, t.throttled_per_s, steps)


def evaluate_gates(summary: RunSummary, gates: Sequence[Gate]) -> list[GateResult]:
    """Each gate with the value it read and whether it held (windowed: its worst window)."""
    results = []
    counts = per_second_counts(summary)
    for gate in gates:
        if gate.window_s is not None:
            value = worst_window(gate, counts)
            value = None if value is None else round(value, 6)
            passed = value is not None and first_breach(gate, counts) is None
            results.append(GateResult(name=gate.label, threshold=gate.threshold, value=value,
                                      passed=passed, gate=gate))
            continue
        value = metric_value(summary, gate)
        passed = value is not None and gate.holds(value)
        results.append(GateResult(name=gate.label, threshold=gate.threshold, value=value,
                                  passed=passed, gate=gate))
    return results


def invalid_reasons(summary: RunSummary, scenario: Scenario, aborted: Sequence[str]) -> list[str]:
    """Why the run cannot be trusted, if it cannot."""
    reasons = [f"run aborted: {reason}" for reason in aborted]
    if summary.requests == 0:
        reasons.append("no request was sent")
    elif summary.connection_errors / summary.requests >= UNREACHABLE_RATIO:
        reasons.append(f"target unreachable: {summary.connection_errors} of {summary.requests} "
                       "requests got no HTTP answer")
    duplicates = sum(m.statuses.get("200", 0) for m in summary.message_types.values())
    if summary.requests and duplicates / summary.requests > DUPLICATE_RATIO:
        # Duplicates cost the target next to nothing: the figures would flatter it.
        reasons.append(f"the target already had {duplicates} of {summary.requests} messages (answered 200, "
                       "duplicate): a run with the same seed and generator.id_tag sent them before; "
                       "give this one another id_tag")
    late_ms = scenario.generator.late_ms
    if summary.scheduler_lag_p99_ms > late_ms:
        lag = (f"scheduler lag p99 {summary.scheduler_lag_p99_ms:.1f} ms exceeds {late_ms:g} ms "
               f"(CPU {summary.generator_cpu_percent:.0f}%)")
        if summary.generator_cpu_percent >= SATURATED_CPU_PERCENT:
            reasons.append(f"generator saturated: {lag}")
        else:
            # Late with its core mostly idle: something outside the generator held it (other
            # processes, a paused VM, swapping). The numbers carry that stall, so they are not the
            # target's either; rerunning on a quiet host is the remedy, not more generator processes.
            reasons.append(f"generator stalled: {lag}; the host held it back, rerun on a quiet host")
    elif summary.generator_cpu_percent >= SATURATED_CPU_PERCENT and summary.requests:
        # Arrivals fell behind while the generator's core was busy: its senders, not the target,
        # held them back (with an idle core, a backlog means the target was slow: a result).
        behind = (summary.late_arrivals + summary.dropped_arrivals) / summary.requests
        if behind > BEHIND_RATIO:
            reasons.append(f"generator saturated: CPU {summary.generator_cpu_percent:.0f}% and "
                           f"{behind:.1%} of arrivals late or dropped")
    return reasons


def judge(summary: RunSummary, scenario: Scenario, aborted: Sequence[str] = (),
          stopped_by: str | None = None) -> RunSummary:
    """The summary with its gates, verdict and reasons filled in. A run a stop-loss gate ended
    fails (its numbers are real, just fewer): `stopped_by` says which gate, when, at what value."""
    gates = evaluate_gates(summary, scenario.gates)
    reasons = invalid_reasons(summary, scenario, aborted)
    if reasons:
        verdict = Verdict.INVALID
    else:
        failed = [g for g in gates if not g.passed]
        verdict = Verdict.FAIL if failed or stopped_by else Verdict.PASS
        reasons = ([stopped_by] if stopped_by else []) + [
            f"gate failed: {g.name} (value {metric(g.value, g.gate.metric if g.gate else None)})"
            for g in failed]
    return summary.model_copy(update={"gates": gates, "verdict": verdict, "reasons": reasons,
                                      "clock": scenario.clock, "figures": figures(scenario)})

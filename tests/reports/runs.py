"""Summaries of runs made from data, for report tests: five minutes of a festival replay (ten
times compressed) with an injected fault, throttling and a stretch where the generator fell behind;
and a drill. No load is run: the figures are what a generator would have recorded."""

from __future__ import annotations

import datetime as dt
import random

from reports.drill import DrillTimeline
from reports.gates import judge
from reports.summary import Latency, MessageTypeSummary, RunSummary, Timeline, Verdict
from scenarios.gates import Gate
from scenarios.loader import load
from scenarios.model import Clock
from tests.peakload.test_run import TINY

STARTED_AT = 1_800_000_000.0
FAULT = (120, 170)  # seconds into the run: 30% of answers fail
THROTTLED = (200, 230)  # 10% answered 429
BEHIND = (240, 260)  # the generator sends half of what is due
LENGTH_S = 300
STEP_S = 5

GATES = [
    {"metric": "achieved_ratio", "op": ">=", "threshold": 0.95},
    {"metric": "error_ratio", "op": "<", "threshold": 0.001},
    {"metric": "error_ratio", "op": "<", "threshold": 0.05, "window": "10s"},
    {"metric": "throttled_ratio", "op": "<", "threshold": 0.2},
    {"metric": "latency_p99_ms", "op": "<", "threshold": 250},
    {"metric": "latency_p99_ms", "op": "<", "threshold": 1000, "message_type": "CEB621"},
    {"metric": "released_ratio", "op": ">=", "threshold": 0.99},
    {"metric": "clearance_p95_s", "op": "<", "threshold": 10},
]


def _latency(p50: float, p99: float, count: int) -> Latency:
    return Latency(p50=p50, p95=(p50 + p99) / 2, p99=p99, max=p99 * 1.7, count=count)


def _in(t: int, span: tuple[int, int]) -> bool:
    return span[0] <= t < span[1]


def _timeline() -> Timeline:
    rng = random.Random(7)
    due, sent, failed, throttled = [], [], [], []
    for t in range(LENGTH_S):
        d = 100 + rng.randint(-5, 5)
        s = d // 2 if _in(t, BEHIND) else d
        due.append(d)
        sent.append(s)
        failed_now = round(s * 0.3) if _in(t, FAULT) else (1 if t == 40 else 0)
        throttled_now = round(s * 0.1) if _in(t, THROTTLED) else 0
        failed.append(failed_now + throttled_now)
        throttled.append(throttled_now)
    starts = list(range(0, LENGTH_S, STEP_S))
    p99 = [round((900 if _in(t, FAULT) else 42) * rng.uniform(0.9, 1.1), 3) for t in starts]
    return Timeline(step_s=STEP_S, intended_per_s=due, sent_per_s=sent, failed_per_s=failed,
                    throttled_per_s=throttled, window_starts_s=starts,
                    latency_p50_ms=[round(v / 6, 3) for v in p99], latency_p95_ms=[round(v / 2, 3) for v in p99],
                    latency_p99_ms=p99, raw_p50_ms=[round(v / 7, 3) for v in p99],
                    raw_p99_ms=[round(v * 0.8, 3) for v in p99])


def _message_types(timeline: Timeline) -> dict[str, MessageTypeSummary]:
    sent, failed, throttled = sum(timeline.sent_per_s), sum(timeline.failed_per_s), sum(timeline.throttled_per_s)
    shares = {"CEB311": 0.25, "CEB411": 0.25, "CEB511": 0.25, "CEB621": 0.25}
    types = {}
    for name, share in shares.items():
        n, f, h = round(sent * share), round(failed * share), round(throttled * share)
        types[name] = MessageTypeSummary(
            requests=n, failures=f, throttled=h, statuses={"202": n - f - 3, "200": 3, "429": h, "500": f - h},
            latency_ms=_latency(7.108863, 312.5, n), raw_latency_ms=_latency(5.2, 250.1, n))
    return types


def festival_summary() -> RunSummary:
    """A judged five-minute run: it fails its error and latency gates."""
    timeline = _timeline()
    types = _message_types(timeline)
    requests = sum(m.requests for m in types.values())
    summary = RunSummary(
        scenario="double11-replay", target="http://127.0.0.1:8080", started_at=STARTED_AT,
        duration_s=LENGTH_S + 0.108863, intended_rate=25.0, achieved_rate=24.1733, orders_intended=7500,
        orders_sent=7250, requests=requests, failures=sum(m.failures for m in types.values()),
        throttled=sum(m.throttled for m in types.values()), connection_errors=0, dropped_arrivals=412,
        late_arrivals=1590, scheduler_lag_p99_ms=3.108863, generator_cpu_percent=41.7,
        latency_ms=_latency(7.108863, 312.5, requests), raw_latency_ms=_latency(5.2, 250.1, requests),
        message_types=types,
        receipts_by_status={"2": 3000, "100": 18, "120": 9000, "300": 4, "399": 2975, "500": 7, "800": 2960},
        clean_lists_sent=2982, clean_lists_released=2960, defect_lists_sent=18, defect_lists_rejected=18,
        clearance_s=_latency(2.4, 11.3, 2960), declared_to_cleared_s=_latency(1.1, 6.2, 2975),
        order_to_release_s=_latency(4.9, 14.8, 2960), error_samples=["CEB311 500: injected fault"],
        workers=2, timeline=timeline)
    scenario = load(str(TINY)).model_copy(update={
        "gates": [Gate.model_validate(raw) for raw in GATES],
        "clock": Clock(start=dt.datetime(2018, 11, 11, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                       duration=LENGTH_S * 10, compression=10)})
    return judge(summary, scenario)


def drill_summary() -> RunSummary:
    """A drill over the same run: the fault goes on at 120 s and pages after 40 s of wall time."""
    run = festival_summary()
    drill = DrillTimeline(fault="error", alert="CebPlatformErrorBudgetBurnFast", compression=10, budget_s=240,
                          onset_at=STARTED_AT + FAULT[0], quiet_before=True, pending_s=4.2, fired_s=16.5,
                          paged_s=19.8, cleared_s=50.0, resolved_s=71.3, page_resolved_s=74.0)
    return run.model_copy(update={"drill": drill, "gates": [], "verdict": Verdict.PASS,
                                  "reasons": [drill.verdict_reason]})

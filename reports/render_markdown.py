"""`summary.md`: a short digest for CI job summaries and chat."""

from __future__ import annotations

from pathlib import Path

from reports.formatting import count, metric, sig
from reports.statuses import status_name
from reports.summary import RunSummary

_ICON = {"pass": "✅", "fail": "❌", "invalid": "⚠️"}


def render_markdown(summary: RunSummary) -> str:
    """The verdict, the load, latency per message type and the gates, in Markdown."""
    lines = [f"## peakload · {summary.scenario}: {_ICON[summary.verdict.value]} {summary.verdict.value}", ""]
    lines += [f"- {reason}" for reason in summary.reasons]
    lines += ["", f"{summary.orders_sent} of {summary.orders_intended} orders sent, "
              f"{summary.achieved_rate:.2f}/s achieved vs {summary.intended_rate:.2f}/s intended "
              f"({summary.achieved_ratio:.1%}); target `{summary.target}`.", "",
              "| message | requests | failures | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|---:|"]
    for name, m in summary.message_types.items():
        lat = m.latency_ms
        lines.append(f"| {name} | {count(m.requests)} | {count(m.failures)} | {sig(lat.p50)} | {sig(lat.p95)} | "
                     f"{sig(lat.p99)} |")
    if summary.receipts_by_status:
        lines += ["", "Receipts: " + " · ".join(
            " ".join(part for part in (code, status_name(code)[0], count(n)) if part)
            for code, n in summary.receipts_by_status.items())]
    if (drill := summary.drill) is not None:
        lines += ["", f"Drill `{drill.fault}` → `{drill.alert}` (budget {drill.budget_s / 60:g} min, "
                  f"compressed {drill.compression:g}×):", "", "| step | after onset | in production |",
                  "|---|---:|---:|"]
        lines += [f"| {step} | {'—' if wall is None else f'{wall:.1f} s'} | "
                  f"{'—' if wall is None else f'{drill.production_s(wall):.0f} s'} |" for step, wall in drill.steps()]
    lines += ["", "| gate | threshold | value | result |", "|---|---:|---:|---|"]
    for gate in summary.gates:
        unit = gate.gate.metric if gate.gate else None
        lines.append(f"| `{gate.name}` | {metric(gate.threshold, unit)} | {metric(gate.value, unit)} | "
                     f"{'pass' if gate.passed else '**FAIL**'} |")
    return "\n".join(lines) + "\n"


def write_markdown(summary: RunSummary, path: Path) -> None:
    """Write `summary.md`."""
    path.write_text(render_markdown(summary), encoding="utf-8")

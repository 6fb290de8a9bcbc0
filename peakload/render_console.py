"""The verdict and key figures of a run, printed for a person at a terminal (lines unwrapped, so a
CI log keeps each whole)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from reports.summary import RunSummary, Verdict

_COLOUR = {Verdict.PASS: "green", Verdict.FAIL: "red", Verdict.INVALID: "yellow"}


def print_summary(summary: RunSummary, out_dir: Path, console: Console) -> None:
    """Print rates, latency per message type, receipts, gates and the verdict."""
    console.print(f"orders: {summary.orders_sent} sent of {summary.orders_intended} intended; "
                  f"rate {summary.achieved_rate:.2f}/s achieved vs {summary.intended_rate:.2f}/s "
                  f"intended ({summary.achieved_ratio:.1%})", highlight=False, soft_wrap=True)
    table = Table(title=f"{summary.transport} latency from intended send time (ms)")
    for column in ("message", "requests", "failures", "p50", "p95", "p99", "max"):
        table.add_column(column, justify="right")
    for name, m in summary.message_types.items():
        lat = m.latency_ms
        table.add_row(name, str(m.requests), str(m.failures), f"{lat.p50:.1f}", f"{lat.p95:.1f}",
                      f"{lat.p99:.1f}", f"{lat.max:.1f}")
    console.print(table)
    receipts = ", ".join(f"{status}: {count}" for status, count in summary.receipts_by_status.items())
    console.print(f"receipts by returnStatus: {receipts or 'none'}", highlight=False, soft_wrap=True)
    if summary.signing_ms is not None:
        console.print(f"signing: {summary.signed} messages, p50 {summary.signing_ms.p50:.2f} ms, "
                      f"p99 {summary.signing_ms.p99:.2f} ms each, ahead of their send time",
                      highlight=False, soft_wrap=True)
    for problem, count in summary.receipt_feed_problems.items():
        console.print(f"receipts feed: {problem} ({count}x)", highlight=False, soft_wrap=True)
    for label, latency in (("list sent -> first receipt", summary.first_receipt_s),
                           ("list sent -> cleared (399)", summary.declared_to_cleared_s),
                           ("list sent -> released (800)", summary.clearance_s),
                           ("order sent -> released (800)", summary.order_to_release_s)):
        if latency:
            console.print(f"{label}: p50 {latency.p50:.2f} s, p95 {latency.p95:.2f} s, "
                          f"max {latency.max:.2f} s", highlight=False, soft_wrap=True)
    gates = Table(title="gates")
    for column in ("gate", "value", "result"):
        gates.add_column(column)
    for gate in summary.gates:
        gates.add_row(gate.name, "—" if gate.value is None else f"{gate.value:g}",
                      "[green]pass[/green]" if gate.passed else "[red]FAIL[/red]")
    console.print(gates)
    colour = _COLOUR[summary.verdict]
    console.print(f"[bold {colour}]verdict: {summary.verdict.value}[/bold {colour}]", soft_wrap=True)
    for reason in summary.reasons:
        console.print(f"  - {reason}", highlight=False, soft_wrap=True)
    console.print(f"results: {out_dir}/summary.json, report: {out_dir}/report.html", highlight=False, soft_wrap=True)

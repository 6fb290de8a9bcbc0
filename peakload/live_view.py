"""The live view of a run: compressed time, intended vs achieved rate, p99, errors, stop-loss."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from locustfiles.progress import Progress
from peakload.formatting import duration
from scenarios.model import Scenario


def progress_table(scenario: Scenario, parts: Sequence[Progress]) -> Table:
    """One table summing every generator process's progress."""
    table = Table(title=f"peakload · {scenario.name}", show_header=False, min_width=60)
    table.add_column("what")
    table.add_column("now", justify="right")
    if not parts:
        table.add_row("status", "starting the generator ...")
        return table
    elapsed = max(p.elapsed_s for p in parts)
    load_s = parts[0].load_s
    real = min(elapsed, load_s) * scenario.clock.compression
    sent, failed = sum(p.sent for p in parts), sum(p.failed for p in parts)
    table.add_row("time", f"{duration(elapsed)} of {duration(load_s)} "
                          f"(real time {duration(real)} of {duration(scenario.clock.duration_s)})")
    table.add_row("rate, last 5 s", f"{sum(p.sent_rate for p in parts):,.1f} sent / "
                                    f"{sum(p.intended_rate for p in parts):,.1f} due messages/s")
    table.add_row("messages", f"{sent:,} sent of {sum(p.intended for p in parts):,} due")
    table.add_row("p99 (corrected), latest window", f"{max(p.p99_ms for p in parts):,.1f} ms")
    table.add_row("errors / 429", f"{failed:,} ({failed / sent:.2%}) / {sum(p.throttled for p in parts):,}"
                  if sent else "0 / 0")
    stopped = next((p.stopped_by for p in parts if p.stopped_by), None)
    stop_losses = [g for g in scenario.gates if g.stop_loss]
    if stopped:
        table.add_row("stop-loss", f"[red]{stopped}[/red]")
    elif stop_losses:
        table.add_row("stop-loss", f"[green]holding[/green] ({len(stop_losses)} gate(s))")
    if all(p.finished for p in parts) and elapsed >= load_s:
        table.add_row("status", "waiting for the last receipts ...")
    return table

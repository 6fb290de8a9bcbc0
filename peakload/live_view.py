"""The live view of a run: compressed time, intended vs achieved rate, p99, errors, stop-loss.

On a terminal it is a table redrawn twice a second; anywhere else (a CI log, a pipe, a file) it is
a plain line every few seconds, since a redrawn table there shows nothing until the run ends.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.live import Live
from rich.table import Table

from locustfiles.progress import Progress
from peakload.formatting import duration
from scenarios.model import Scenario

PLAIN_EVERY_S = 5.0

Show = Callable[[Sequence[Progress]], None]


@dataclass(frozen=True, slots=True)
class Figures:
    """Every generator process's progress, summed."""

    elapsed_s: float
    load_s: float
    real_s: float  # the stretch of the scenario's clock replayed so far
    sent: int
    due: int
    failed: int
    throttled: int
    sent_rate: float
    due_rate: float
    p99_ms: float
    stopped_by: str | None
    draining: bool  # the load is over; the last receipts are awaited

    @classmethod
    def of(cls, scenario: Scenario, parts: Sequence[Progress]) -> Figures:
        elapsed = max(p.elapsed_s for p in parts)
        load_s = parts[0].load_s
        return cls(elapsed, load_s, min(elapsed, load_s) * scenario.clock.compression,
                   sum(p.sent for p in parts), sum(p.intended for p in parts),
                   sum(p.failed for p in parts), sum(p.throttled for p in parts),
                   sum(p.sent_rate for p in parts), sum(p.intended_rate for p in parts),
                   max(p.p99_ms for p in parts), next((p.stopped_by for p in parts if p.stopped_by), None),
                   all(p.finished for p in parts) and elapsed >= load_s)

    @property
    def errors(self) -> str:
        return (f"{self.failed:,} ({self.failed / self.sent:.2%}) / {self.throttled:,}"
                if self.sent else "0 / 0")


def progress_table(scenario: Scenario, parts: Sequence[Progress]) -> Table:
    """One table summing every generator process's progress."""
    table = Table(title=f"peakload · {scenario.name}", show_header=False, min_width=60)
    table.add_column("what")
    table.add_column("now", justify="right")
    if not parts:
        table.add_row("status", "starting the generator ...")
        return table
    f = Figures.of(scenario, parts)
    table.add_row("time", f"{duration(f.elapsed_s)} of {duration(f.load_s)} "
                          f"(real time {duration(f.real_s)} of {duration(scenario.clock.duration_s)})")
    table.add_row("rate, last 5 s", f"{f.sent_rate:,.1f} sent / {f.due_rate:,.1f} due messages/s")
    table.add_row("messages", f"{f.sent:,} sent of {f.due:,} due")
    table.add_row("p99 (corrected), latest window", f"{f.p99_ms:,.1f} ms")
    table.add_row("errors / 429", f.errors)
    stop_losses = [g for g in scenario.gates if g.stop_loss]
    if f.stopped_by:
        table.add_row("stop-loss", f"[red]{f.stopped_by}[/red]")
    elif stop_losses:
        table.add_row("stop-loss", f"[green]holding[/green] ({len(stop_losses)} gate(s))")
    if f.draining:
        table.add_row("status", "waiting for the last receipts ...")
    return table


def progress_line(scenario: Scenario, parts: Sequence[Progress]) -> str:
    """The table's figures on one plain line."""
    if not parts:
        return "starting the generator ..."
    f = Figures.of(scenario, parts)
    line = (f"{duration(f.elapsed_s)} of {duration(f.load_s)} (real time {duration(f.real_s)}): "
            f"{f.sent:,} of {f.due:,} messages sent, {f.sent_rate:,.1f}/{f.due_rate:,.1f} per s, "
            f"p99 {f.p99_ms:,.1f} ms, errors / 429 {f.errors}")
    if f.stopped_by:
        line += f", stopped: {f.stopped_by}"
    return line + (", waiting for the last receipts" if f.draining else "")


@contextlib.contextmanager
def live_progress(scenario: Scenario, console: Console, every_s: float = PLAIN_EVERY_S) -> Iterator[Show]:
    """Where a run's progress goes while the block runs: a live table on a terminal; elsewhere a
    plain line at most every `every_s` seconds (and once at the start)."""
    if console.is_terminal:
        with Live(progress_table(scenario, []), console=console, refresh_per_second=2) as live:
            yield lambda parts: live.update(progress_table(scenario, parts))
        console.line()
        return
    last_shown = -math.inf

    def show(parts: Sequence[Progress]) -> None:
        nonlocal last_shown
        if time.monotonic() - last_shown >= every_s:
            last_shown = time.monotonic()
            console.print(f"peakload: {progress_line(scenario, parts)}", highlight=False, markup=False,
                          soft_wrap=True)

    yield show

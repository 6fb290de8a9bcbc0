"""`peakload capacity`: search the highest rate that meets the scenario's gates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from peakload.capacity import CapacityRequest, search_capacity
from peakload.exit_codes import ExitCode
from peakload.target import TargetError, parse_target
from reports.capacity_plot import plot_capacity
from scenarios.loader import ScenarioError, load


def capacity(
    scenario: Annotated[str, typer.Argument(help="Scenario file or library name.")],
    target: Annotated[str | None, typer.Option(help="'mock' or a URL [default: the scenario's].")] = None,
    confirm_target: Annotated[str | None, typer.Option(help="A non-loopback target's host, again.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder [default: reports/out/<time>-<scenario>-capacity].")] = None,
    step_duration: Annotated[float, typer.Option(help="Seconds each probe holds its rate.", min=1)] = 20.0,
    start: Annotated[float | None, typer.Option(help="First probe, orders/s [default: peak / 4].", min=0.1)] = None,
    ceiling: Annotated[float | None, typer.Option(help="Highest probe, orders/s [default: 16x peak].", min=0.1)] = None,
    precision: Annotated[float, typer.Option(help="Stop when the bracket is this narrow (0.1 = 10%).",
                                             min=0.01)] = 0.1,
    max_steps: Annotated[int, typer.Option(help="Most probes to run.", min=1, max=30)] = 8,
) -> None:
    """Find the capacity: exit 0 when it covers the scenario's peak, 1 when it does not, 2 when no
    rate passed, 64 bad usage."""
    err = Console(stderr=True)
    try:
        loaded = load(scenario)
        chosen = parse_target(target or loaded.target, confirm_target)
    except (ScenarioError, TargetError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None
    out_dir = out or Path("reports/out") / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{loaded.name}-capacity"
    console = Console()
    request = CapacityRequest(loaded, chosen, out_dir, step_duration, start, ceiling, precision, max_steps)
    try:
        result = search_capacity(request, lambda s: console.print(
            f"  {s.orders_per_s:,.1f} orders/s: {s.verdict} (p99 {s.p99_ms:,.1f} ms)", highlight=False))
    except KeyboardInterrupt:  # while a probe's mock started or stopped
        err.print(f"capacity search interrupted; the probes run so far are in {out_dir}", highlight=False)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    (out_dir / "capacity.json").write_text(result.model_dump_json(indent=1), encoding="utf-8")
    plot_capacity(result, out_dir / "capacity.png")
    table = Table(title=f"capacity of {result.target} for {result.scenario}")
    table.add_column("figure")
    table.add_column("orders/s", justify="right")
    for label, value in (("capacity (highest rate that passed)", result.capacity_orders_per_s),
                         ("lowest rate that failed", result.lowest_failing_orders_per_s),
                         ("knee of the latency curve", result.knee_orders_per_s),
                         ("forecast peak of the scenario", result.forecast_peak_orders_per_s)):
        table.add_row(label, "—" if value is None else f"{value:,.1f}")
    console.print(table)
    if result.interrupted:
        console.print(f"search {result.interrupted}: the figures above are from the probes before it; "
                      f"results in {out_dir}", highlight=False)
        raise typer.Exit(ExitCode.INTERRUPTED)
    if result.headroom is None:
        console.print("no probed rate passed the gates")
        raise typer.Exit(ExitCode.INVALID)
    console.print(f"headroom: {result.headroom:.2f}x the forecast peak; results in {out_dir}")
    raise typer.Exit(ExitCode.PASS if result.headroom >= 1 else ExitCode.FAIL)

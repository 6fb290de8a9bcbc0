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
from peakload.replay_options import ForecastPeak, RateScale, replay_or_exit
from peakload.target import TargetError, parse_target
from reports.capacity import CEILING_OVER_PEAK, CapacityResult, Outcome
from reports.capacity_plot import plot_capacity
from scenarios.loader import ScenarioError, load


def capacity(
    scenario: Annotated[str, typer.Argument(help="Scenario file or library name.")],
    target: Annotated[str | None, typer.Option(help="'mock' or a URL [default: the scenario's].")] = None,
    confirm_target: Annotated[str | None, typer.Option(help="A non-loopback target's host, again.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder [default: reports/out/<time>-<scenario>-capacity].")] = None,
    step_duration: Annotated[float, typer.Option(help="Seconds each probe holds its rate.", min=1)] = 20.0,
    start: Annotated[float | None, typer.Option(help="First probe, orders/s [default: peak / 4].", min=0.1)] = None,
    ceiling: Annotated[float | None, typer.Option(
        help=f"Highest probe, orders/s [default: {CEILING_OVER_PEAK}x the forecast peak].", min=0.1)] = None,
    precision: Annotated[float, typer.Option(help="Stop when the bracket is this narrow (0.1 = 10%).",
                                             min=0.01)] = 0.1,
    max_steps: Annotated[int, typer.Option(help="Most probes to run.", min=1, max=30)] = 8,
    rate_scale: RateScale = None,
    forecast_peak: ForecastPeak = None,
) -> None:
    """Find the capacity: exit 0 when it is bracketed and covers the scenario's peak, 1 when it is
    bracketed below it, 2 when no rate passed, 3 when only a lower bound was found (no probe failed,
    or the ceiling was reached), 64 bad usage."""
    err = Console(stderr=True, soft_wrap=True)
    try:
        loaded = load(scenario)
        chosen = parse_target(target or loaded.target, confirm_target)
    except (ScenarioError, TargetError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None
    loaded = replay_or_exit(loaded, rate_scale=rate_scale, forecast_peak=forecast_peak)  # this year's forecast
    out_dir = out or Path("reports/out") / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{loaded.name}-capacity"
    console = Console()
    request = CapacityRequest(loaded, chosen, out_dir, step_duration, start, ceiling, precision, max_steps)
    try:
        plan = request.search()
    except ValueError as exc:
        err.print(f"[red]error:[/red] --ceiling: {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None
    console.print(f"probing from {plan.start:,.1f} orders/s up to a ceiling of {plan.ceiling:,.1f} "
                  f"({'--ceiling' if ceiling else f'{CEILING_OVER_PEAK}x the forecast peak'}), "
                  f"through the forecast peak of {plan.forecast_peak:,.1f}, at most {max_steps} probes",
                  highlight=False)
    try:
        result = search_capacity(request, lambda s: console.print(
            f"  {s.orders_per_s:,.1f} orders/s: {s.verdict} (p99 {s.p99_ms:,.1f} ms)", highlight=False))
    except KeyboardInterrupt:  # while a probe's mock started or stopped
        err.print(f"capacity search interrupted; the probes run so far are in {out_dir}", highlight=False)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    (out_dir / "capacity.json").write_text(result.model_dump_json(indent=1), encoding="utf-8")
    plot_capacity(result, out_dir / "capacity.png")
    console.print(_table(result))
    console.print(result.statement, highlight=False)
    if result.interrupted:
        console.print(f"search {result.interrupted}: the figures above are from the probes before it; "
                      f"results in {out_dir}", highlight=False)
        raise typer.Exit(ExitCode.INTERRUPTED)
    if result.headroom is not None:
        bound = "" if result.outcome is Outcome.BRACKETED else "at least "
        console.print(f"headroom: {bound}{result.headroom:.2f}x the forecast peak", highlight=False)
    console.print(f"results in {out_dir}", highlight=False)
    raise typer.Exit(_exit_code(result))


def _table(result: CapacityResult) -> Table:
    table = Table(title=f"capacity of {result.target} for {result.scenario}")
    table.add_column("figure")
    table.add_column("orders/s", justify="right")
    peak = {True: "passed", False: "failed", None: "not probed"}[result.forecast_peak_passed]
    for label, value in (("highest rate that passed", result.capacity_orders_per_s),
                         ("lowest rate above it that failed", result.lowest_failing_orders_per_s),
                         ("knee of the latency curve", result.knee_orders_per_s),
                         (f"forecast peak of the scenario ({peak})", result.forecast_peak_orders_per_s),
                         ("ceiling of the search", result.ceiling_orders_per_s)):
        table.add_row(label, "—" if value is None else f"{value:,.1f}")
    return table


def _exit_code(result: CapacityResult) -> ExitCode:
    match result.outcome:
        case Outcome.BRACKETED:
            return ExitCode.PASS if result.headroom >= 1 else ExitCode.FAIL
        case Outcome.UPPER_BOUND | Outcome.UNKNOWN:
            return ExitCode.INVALID
    return ExitCode.INCONCLUSIVE  # a lower bound: the capacity itself was not found

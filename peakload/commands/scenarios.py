"""`peakload scenarios list|show|plot|fit`: look at scenarios without running them, or make one."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from peakload.exit_codes import ExitCode
from peakload.formatting import duration
from peakload.replay_options import Compression, ForecastPeak, RateScale, Window, replay_or_exit
from scenarios.figures import NEAR_PEAK, ScenarioFigures, figures, orders_per_minute
from scenarios.fit import fitted_scenario
from scenarios.history import HistoryError, read_history
from scenarios.loader import ScenarioError, library_names, load, resolve
from scenarios.model import Scenario
from scenarios.writer import write

app = typer.Typer(no_args_is_help=True, help="List, show, plot and fit scenarios without running them.")
console = Console()


def _load(name: str) -> Scenario:
    try:
        return load(name)
    except ScenarioError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None


@app.command("list")
def list_scenarios() -> None:
    """The library's scenarios with their duration, peak, volume and how long they hold the peak."""
    table = Table(title="scenario library (scenarios/*.yaml)")
    table.add_column("name", no_wrap=True)
    for column in ("covers", "runs", "peak orders/s", f"≥{NEAR_PEAK:.0%} of peak", "orders sent", "description"):
        table.add_column(column)
    for name in library_names():
        scenario = _load(name)
        f = figures(scenario)
        table.add_row(name, duration(f.real_duration_s), duration(f.run_duration_s),
                      f"{f.peak_orders_per_s:,.1f}", _wall(f.near_peak_wall_s), f"{f.orders_sent:,.0f}",
                      scenario.description)
    console.print(table)


@app.command("show")
def show(name: Annotated[str, typer.Argument(help="Scenario file or library name.")],
         compression: Compression = None, window: Window = None, rate_scale: RateScale = None,
         forecast_peak: ForecastPeak = None,
         as_json: Annotated[bool, typer.Option("--json", help="Print the figures and the curve's orders per "
                                                              "minute of the festival clock as JSON.")] = False,
         ) -> None:
    """A scenario's file and what its replay really is (with the time and scale options applied)."""
    scenario = replay_or_exit(_load(name), compression=compression, window=window, rate_scale=rate_scale,
                              forecast_peak=forecast_peak)
    f = figures(scenario)
    if as_json:
        print(json.dumps({"scenario": scenario.name, "replayed_as": scenario.description,
                          **_jsonable(f), "near_peak_share": NEAR_PEAK,
                          "orders_per_minute": [round(n, 3) for n in orders_per_minute(scenario)]}, indent=1))
        return
    console.print(resolve(name).read_text(encoding="utf-8"), highlight=False, markup=False)
    if any(option is not None for option in (compression, window, rate_scale, forecast_peak)):
        console.print(f"replayed as: {scenario.description}", highlight=False, markup=False)
    console.print(describe(f), highlight=False)


def describe(f: ScenarioFigures) -> str:
    """What a replay really is, in a few lines."""
    lines = [
        f"real time covered: {duration(f.real_duration_s)}, {f.start:%Y-%m-%d %H:%M:%S} to "
        f"{f.end:%Y-%m-%d %H:%M:%S} ({f.start:%z})",
        f"replayed in: {duration(f.run_duration_s)} (compression {f.compression:g}x)",
        f"peak: {f.peak_orders_per_s:,.1f} orders/s = {f.peak_messages_per_s:,.0f} messages/s "
        f"({f.peak_over_baseline:,.0f}x the baseline average)",
        f"at or above {NEAR_PEAK:.0%} of the peak for: {_wall(f.near_peak_wall_s)} of wall time",
        f"orders in the real stretch: {f.orders_real:,.0f}; sent by the replay: {f.orders_sent:,.0f}"]
    if f.lead_in_documents:
        lines.append(f"documents of orders placed before the stretch, due in it: {f.lead_in_documents:,.0f}")
    return "\n".join(lines)


def _wall(seconds: float) -> str:
    """Wall time, to a tenth of a second below ten (a compressed peak lasts that little)."""
    return f"{seconds:.1f}s" if seconds < 10 else duration(seconds)


def _jsonable(f: ScenarioFigures) -> dict[str, object]:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in dataclasses.asdict(f).items()}


@app.command("plot")
def plot(name: Annotated[str, typer.Argument(help="Scenario file or library name.")],
         out: Annotated[Path | None, typer.Option(help="Image file (.png or .svg) [default: <name>.png].")] = None,
         compression: Compression = None, window: Window = None, rate_scale: RateScale = None,
         forecast_peak: ForecastPeak = None,
         ) -> None:
    """Draw a scenario's arrival curve to an image."""
    from reports.curve_plot import plot_curve  # matplotlib loads only for this command

    scenario = replay_or_exit(_load(name), compression=compression, window=window, rate_scale=rate_scale,
                              forecast_peak=forecast_peak)
    path = plot_curve(scenario, out or Path(f"{scenario.name}.png"))
    console.print(f"wrote {path}", highlight=False)


@app.command("fit")
def fit(history: Annotated[Path, typer.Argument(help="CSV of time and orders per minute or second (China time; "
                                                     "optional payments, waybills, lists columns), or the platform's "
                                                     "/stats/daily export (.json).", show_default=False)],
        name: Annotated[str, typer.Option(help="The scenario's name.", show_default=False)],
        growth: Annotated[float | None, typer.Option(help="Scale the fitted curve by F: this year's growth.",
                                                     show_default=False)] = None,
        forecast_peak: ForecastPeak = None,
        out: Annotated[Path | None, typer.Option(help="Scenario file to write [default: <name>.yaml]; its plot "
                                                      "goes beside it (.png).")] = None,
        ) -> None:
    """Fit a scenario to a past festival's counts: a compact curve within 2% of the history in every
    10-minute window and 5% at the peak, scaled to this year's forecast, and a plot of the two."""
    from reports.curve_plot import plot_fit  # matplotlib loads only for this command

    err = Console(stderr=True)
    try:
        if growth is not None and forecast_peak is not None:
            raise ValueError("give --growth or --forecast-peak, not both: each sets the scale")
        if any(value is not None and not value > 0 for value in (growth, forecast_peak)):
            raise ValueError("--growth and --forecast-peak must be above 0")
        fitted = fitted_scenario(read_history(history), name, growth, forecast_peak,
                                 description=f"Fitted from {history.name}.")
    except (HistoryError, ValueError) as exc:  # a name the format refuses is a ValidationError, a ValueError
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE) from None
    path = write(fitted.scenario, out or Path(f"{name}.yaml"))
    image = plot_fit(fitted, path.with_suffix(".png"))
    check = fitted.check
    console.print(f"wrote {path} and {image}: {check.segments} segments from {len(fitted.buckets)} buckets of "
                  f"{duration(fitted.bucket_s)}; worst 10-minute window {check.worst_window_error:.2%} off the "
                  f"history, peak bucket {check.peak_error:.2%}"
                  + (f"; scaled {fitted.scale:.3g}x" if fitted.scale != 1 else ""), highlight=False)
    console.print(describe(figures(fitted.scenario)), highlight=False)
    if not check.within_bounds:
        err.print("the fit is outside the bounds (2% a window, 5% at the peak)", highlight=False)
        raise typer.Exit(ExitCode.FAIL)

"""`peakload scenarios list|show|plot`: look at scenarios without running them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from peakload.exit_codes import ExitCode
from peakload.formatting import duration
from scenarios.figures import figures
from scenarios.loader import ScenarioError, library_names, load, resolve
from scenarios.model import Scenario

app = typer.Typer(no_args_is_help=True, help="List, show and plot scenarios without running them.")
console = Console()


def _load(name: str) -> Scenario:
    try:
        return load(name)
    except ScenarioError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None


@app.command("list")
def list_scenarios() -> None:
    """The library's scenarios with their duration, peak and volume."""
    table = Table(title="scenario library (scenarios/*.yaml)")
    for column in ("name", "covers", "runs", "peak orders/s", "orders sent", "description"):
        table.add_column(column)
    for name in library_names():
        scenario = _load(name)
        f = figures(scenario)
        table.add_row(name, duration(f.real_duration_s), duration(f.run_duration_s),
                      f"{f.peak_orders_per_s:,.1f}", f"{f.orders_sent:,.0f}", scenario.description)
    console.print(table)


@app.command("show")
def show(name: Annotated[str, typer.Argument(help="Scenario file or library name.")]) -> None:
    """A scenario's file and the figures it implies."""
    scenario = _load(name)
    f = figures(scenario)
    console.print(resolve(name).read_text(encoding="utf-8"), highlight=False, markup=False)
    console.print(
        f"real time covered: {duration(f.real_duration_s)} from {scenario.clock.start:%Y-%m-%d %H:%M %z}\n"
        f"replayed in: {duration(f.run_duration_s)} (compression {scenario.clock.compression:g}x)\n"
        f"peak: {f.peak_orders_per_s:,.1f} orders/s = {f.peak_messages_per_s:,.0f} messages/s "
        f"({f.peak_over_baseline:,.0f}x the baseline average)\n"
        f"orders in the real stretch: {f.orders_real:,.0f}; sent by the replay: {f.orders_sent:,.0f}",
        highlight=False)


@app.command("plot")
def plot(name: Annotated[str, typer.Argument(help="Scenario file or library name.")],
         out: Annotated[Path | None, typer.Option(help="Image file (.png or .svg) [default: <name>.png].")] = None,
         ) -> None:
    """Draw a scenario's arrival curve to an image."""
    from reports.curve_plot import plot_curve  # matplotlib loads only for this command

    scenario = _load(name)
    path = plot_curve(scenario, out or Path(f"{scenario.name}.png"))
    console.print(f"wrote {path}", highlight=False)

"""The time and scale options (`--compression`, `--window`, `--rate-scale`, `--forecast-peak`) of
`peakload run`, `peakload scenarios show` and `peakload capacity`: defined once, applied alike."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from peakload.exit_codes import ExitCode
from scenarios.model import Scenario
from scenarios.replay import Replay, ReplayError, replayed
from scenarios.writer import write

Compression = Annotated[float | None, typer.Option(
    help="Replay N times faster than real time, instead of the scenario's clock.compression (1 = real time).",
    show_default=False)]
Window = Annotated[str | None, typer.Option(
    metavar="START..END", show_default=False,
    help="Replay only this stretch of the festival clock: 23:50..01:00 (times of day, the first after the "
         "clock's start), or ISO date-times.")]
RateScale = Annotated[float | None, typer.Option(
    help="Multiply every rate of the curve (and the baseline) by F: this year's growth.", show_default=False)]
ForecastPeak = Annotated[float | None, typer.Option(
    help="Scale the curve so the festival's peak is R orders/s.", show_default=False)]


def replay_or_exit(scenario: Scenario, *, compression: float | None = None, window: str | None = None,
                   rate_scale: float | None = None, forecast_peak: float | None = None) -> Scenario:
    """The scenario replayed as the options ask; a bad option is one line on stderr and exit 64."""
    try:
        return replayed(scenario, Replay(compression=compression, window=window, rate_scale=rate_scale,
                                         forecast_peak=forecast_peak))
    except ReplayError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE) from None


def replay_for_run(scenario: Scenario, path: Path, out_dir: Path, *, compression: float | None,
                   window: str | None, rate_scale: float | None,
                   forecast_peak: float | None) -> tuple[Scenario, Path]:
    """The scenario a run replays and the file the generator reads it from: the scenario's own file
    when no option is given, else the replayed scenario written to `out_dir/scenario.yaml`."""
    if compression is None and window is None and rate_scale is None and forecast_peak is None:
        return scenario, path
    scenario = replay_or_exit(scenario, compression=compression, window=window, rate_scale=rate_scale,
                              forecast_peak=forecast_peak)
    return scenario, write(scenario, out_dir / "scenario.yaml")

"""`peakload stack up|down`: Prometheus, Alertmanager and the on-call receiver on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from monitoring.rehearsal import ScrapeTargets
from peakload.exit_codes import ExitCode
from peakload.stack import StackConfig, StackError, down, up

app = typer.Typer(no_args_is_help=True, help="Run the monitoring stack on loopback.")
State = Annotated[Path, typer.Option("--state", help="Where the stack keeps data, logs and pids.")]


@app.command("up")
def stack_up(
    state: State = Path(".peakload-stack"),
    platform: Annotated[list[str] | None, typer.Option(
        help="host:port of a platform's /metrics to scrape (repeatable; default 127.0.0.1:8080).")] = None,
    generator: Annotated[list[str] | None, typer.Option(
        help="host:port of a generator's metrics (repeatable; default 127.0.0.1:9646-9650).")] = None,
    compression: Annotated[float, typer.Option(
        help="Run rule windows, `for:` and routing timings this many times faster (drills).",
        min=1.0)] = 1.0,
) -> None:
    """Start Prometheus (9090), Alertmanager (9093) and the on-call receiver (9095)."""
    defaults = ScrapeTargets()
    config = StackConfig(ScrapeTargets(tuple(platform or defaults.platform),
                                       tuple(generator or defaults.generator)), compression)
    try:
        pids = up(state, config)
    except StackError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None
    for name, pid in pids.items():
        Console().print(f"{name}: pid {pid}", highlight=False)


@app.command("down")
def stack_down(state: State = Path(".peakload-stack")) -> None:
    """Stop the stack started by `peakload stack up`."""
    stopped = down(state)
    Console().print(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}", highlight=False)

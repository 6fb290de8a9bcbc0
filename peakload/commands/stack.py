"""`peakload stack up|down`: Prometheus, Alertmanager and the on-call receiver on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from monitoring.rehearsal import ScrapeTargets
from peakload.exit_codes import ExitCode
from peakload.formatting import err_console, out_console
from peakload.stack import DEFAULT_STATE, StackAlreadyUp, StackConfig, StackError, down, up

app = typer.Typer(no_args_is_help=True, help="Run the monitoring stack on loopback.")
State = Annotated[Path, typer.Option("--state", help="Where the stack keeps data, logs and pids.")]


@app.command("up")
def stack_up(
    state: State = DEFAULT_STATE,
    platform: Annotated[list[str] | None, typer.Option(
        help="host:port of a platform's /metrics to scrape; it must be up (repeatable).",
        show_default="127.0.0.1:8080")] = None,
    generator: Annotated[list[str] | None, typer.Option(
        help="host:port of a generator that stays up (repeatable). A run's own generators are "
             "scraped while `peakload run --metrics-port` runs, without this.",
        show_default="none")] = None,
    compression: Annotated[float, typer.Option(
        help="Run rule windows, `for:` and routing timings this many times faster (drills).",
        min=1.0)] = 1.0,
) -> None:
    """Start Prometheus (9090), Alertmanager (9093) and the on-call receiver (9095), and check them:
    every rule and alert loaded, every scrape target up, Alertmanager on the rendered routing, the
    receiver answering. Exit 69 naming what is wrong (nothing is left running), 64 if already up."""
    err = err_console()
    config = StackConfig(ScrapeTargets(tuple(platform or ScrapeTargets().platform), tuple(generator or ())),
                         compression)
    try:
        stack = up(state, config, lambda line: err.print(f"stack: {line}", highlight=False, markup=False))
    except StackAlreadyUp as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(ExitCode.USAGE) from None
    except StackError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    out = out_console()
    for name, url in stack.urls.items():
        out.print(f"{name:<13} {url:<26} pid {stack.pids[name]}", highlight=False, markup=False)
    for line in stack.checked:
        out.print(f"checked: {line}", highlight=False, markup=False)
    out.print(f"generators: `peakload run --metrics-port PORT` has its own scraped while it runs "
              f"(listed in {stack.generators})", highlight=False, markup=False)


@app.command("down")
def stack_down(state: State = DEFAULT_STATE) -> None:
    """Stop the stack started by `peakload stack up`."""
    stopped = down(state)
    out_console().print(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}",
                        highlight=False, markup=False)

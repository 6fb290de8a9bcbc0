"""The `peakload` command: one module per command under `peakload.commands`."""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from peakload.commands import (baseline, capacity, drill, grafana, mock, oncall, report, run, scenarios,
                               stack, worker)
from peakload.exit_codes import ExitCode

app = typer.Typer(
    name="peakload", no_args_is_help=True, add_completion=False,
    help="Stress-test a cross-border e-commerce (CEB) customs data exchange platform for 6·18 and "
         "11·11.")
app.command("mock")(mock.mock)
app.command("run")(run.run)
app.command("worker")(worker.worker)
app.command("report")(report.report)
app.command("gate")(baseline.gate)
app.command("capacity")(capacity.capacity)
app.command("oncall")(oncall.oncall)
app.command("drill")(drill.drill)
app.add_typer(baseline.app, name="baseline")
app.add_typer(stack.app, name="stack")
app.add_typer(grafana.app, name="grafana")
app.add_typer(scenarios.app, name="scenarios")


def main() -> None:
    """The console entry point. Usage errors exit 64 (EX_USAGE), not click's 2, which means an
    invalid run here."""
    try:
        code = app(prog_name="peakload", standalone_mode=False)
    except typer.Abort:
        sys.exit(130)
    except TyperException as exc:  # click's usage and parameter errors, as Typer ships them
        exc.show()
        sys.exit(ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code)
    sys.exit(int(code or 0))

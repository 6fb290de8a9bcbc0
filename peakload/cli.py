"""The `peakload` command: one module per command under `peakload.commands`."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer
from typer.exceptions import TyperException

from peakload.commands import (baseline, capacity, cleanup, drill, grafana, mock, oncall, report, run,
                               scenarios, signing, stack, worker)
from peakload.exit_codes import ExitCode

# Help as plain text: Rich markup would take `[default: ...]` and patterns like `[a-z0-9._-]` in
# help texts for its own tags and drop them.
app = typer.Typer(
    name="peakload", no_args_is_help=True, add_completion=False, rich_markup_mode=None,
    help="Stress-test a cross-border e-commerce (CEB) customs data exchange platform for 6·18 and "
         "11·11.")


def _print_version(wanted: bool) -> None:
    if wanted:
        try:
            print(f"peakload {version('peakload')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            print("peakload (not installed: `make install`)")
        raise typer.Exit()


@app.callback()
def _options(_version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print peakload's version and exit.")] = False,
             ) -> None:
    """Options of `peakload` itself, before a command."""


app.command("mock")(mock.mock)
app.command("run")(run.run)
app.command("cleanup")(cleanup.cleanup)
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
app.add_typer(signing.app, name="signing")


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

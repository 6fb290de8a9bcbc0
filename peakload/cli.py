"""The `peakload` command: one module per command under `peakload.commands`."""

from __future__ import annotations

import typer

from peakload.commands import mock, report, run, scenarios, worker

app = typer.Typer(
    name="peakload", no_args_is_help=True, add_completion=False,
    help="Stress-test a cross-border e-commerce (CEB) customs data exchange platform for 6·18 and "
         "11·11.")
app.command("mock")(mock.mock)
app.command("run")(run.run)
app.command("worker")(worker.worker)
app.command("report")(report.report)
app.add_typer(scenarios.app, name="scenarios")

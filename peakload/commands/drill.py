"""`peakload drill FAULT`: inject a fault into the mock platform and time detection end to end."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from monitoring.drills import PLANS, DrillFault, RunbookError
from peakload.drill import DrillError, DrillRequest, run_drill
from peakload.embedded_mock import MockStartError
from peakload.exit_codes import ExitCode
from peakload.formatting import err_console, out_console
from peakload.runner import RunInvalid
from peakload.stack import StackError
from reports.drill import DrillTimeline
from scenarios.loader import ScenarioError, resolve


def drill(
    fault: Annotated[DrillFault, typer.Argument(help="The fault to rehearse.")],
    compression: Annotated[float, typer.Option(
        help="Run the rules, routing and budget this many times faster (CI uses 10).", min=1.0, max=60.0)] = 1.0,
    scenario: Annotated[str, typer.Option(help="Background load (the drill sets its length).")] = "drill",
    out: Annotated[Path | None, typer.Option(help="Results folder.",
                                             show_default="reports/out/<time>-drill-<fault>")] = None,
    state: Annotated[Path, typer.Option(help="Where the drill's own monitoring stack keeps its data.")]
        = Path(".peakload-drill"),
    metrics_port: Annotated[int, typer.Option(help="Port of the generator's metrics.", min=1, max=65535)] = 9646,
    keep_db: Annotated[bool, typer.Option("--keep-db", help="Keep the mock platform's database in the results folder.")]
        = False,
) -> None:
    """Rehearse an incident: exit 0 when on-call was paged within the runbook's budget, 1 when not.
    Each phase is told on stderr as it starts, and every few seconds while it waits."""
    console = err_console()
    began = time.monotonic()

    def say(line: str) -> None:
        console.print(f"{time.monotonic() - began:4.0f}s  {line}", highlight=False, markup=False)
    plan = PLANS[fault]
    out_dir = out or Path("reports/out") / f"{dt.datetime.now():%Y%m%d-%H%M%S}-drill-{fault.value}"
    try:
        request = DrillRequest(plan, resolve(scenario), out_dir, compression, metrics_port, keep_db)
        console.print(f"peakload drill: {fault.value} should page {plan.alert} "
                      f"(compression {compression:g}); results in {out_dir}", highlight=False, markup=False)
        summary = run_drill(request, state, say)
    except (ScenarioError, RunbookError) as exc:
        console.print(f"error: {exc}", highlight=False, markup=False)
        raise typer.Exit(ExitCode.USAGE) from None
    except (StackError, MockStartError, DrillError, RunInvalid) as exc:
        console.print(f"drill not carried out: {exc}", highlight=False, markup=False)
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    except KeyboardInterrupt:
        console.print("drill interrupted: its load, stack and mock are stopped", highlight=False)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    Console().print(timeline_table(summary.drill))
    out_console().print(f"verdict: {summary.verdict.value} — {'; '.join(summary.reasons)}",
                        highlight=False, markup=False)
    raise typer.Exit(ExitCode.of(summary.verdict))


def timeline_table(drill: DrillTimeline) -> Table:
    """The drill's steps: wall seconds after the onset, and what they stand for in production."""
    table = Table(title=f"drill {drill.fault} → {drill.alert}")
    table.add_column("step")
    table.add_column("after onset (wall)", justify="right")
    table.add_column("in production", justify="right")
    for step, wall in drill.steps():
        table.add_row(step, "—" if wall is None else f"{wall:.1f} s",
                      "—" if wall is None else f"{drill.production_s(wall):.0f} s")
    return table

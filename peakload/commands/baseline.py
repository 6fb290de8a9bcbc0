"""`peakload baseline save` and `peakload gate`: compare runs with saved reference runs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from peakload.exit_codes import ExitCode
from reports.baseline import BaselineError, read_baseline, save_run
from reports.comparison import BaselineVerdict, Tolerances, compare, overall
from reports.summary import RunSummary, Verdict

app = typer.Typer(no_args_is_help=True, help="Save runs as baselines for `peakload gate`.")
_err = Console(stderr=True, soft_wrap=True)
_DEFAULT = Tolerances()


def _summary(path: Path) -> RunSummary:
    file = path / "summary.json" if path.is_dir() else path
    try:
        return RunSummary.model_validate_json(file.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as exc:
        _err.print(f"[red]error:[/red] {file}: not a readable run summary: {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None


@app.command("save")
def save(summary: Annotated[Path, typer.Argument(help="A run's summary.json, or its folder.")],
         name: Annotated[str, typer.Option("--as", help="The baseline's name.")],
         directory: Annotated[Path, typer.Option("--dir", help="Where baselines live.")] = Path("baselines"),
         ) -> None:
    """Add a run to a baseline (created if new): more runs, a better noise estimate."""
    try:
        baseline = save_run(_summary(summary), directory / f"{name}.json", name)
    except BaselineError as exc:
        _err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None
    Console().print(f"baseline {name}: {len(baseline.runs)} run(s) of {baseline.scenario} "
                    f"in {directory / f'{name}.json'}", highlight=False)


def gate(summary: Annotated[Path, typer.Argument(help="The run to judge: summary.json or its folder.")],
         baseline: Annotated[Path, typer.Option(help="A baseline file from `peakload baseline save`.")],
         latency_p50_tolerance: Annotated[float, typer.Option(
             min=0, help="Allowed rise of the median window's p50 (0.5 = +50%).")] = _DEFAULT.latency_p50,
         latency_p99_tolerance: Annotated[float, typer.Option(
             min=0, help="Allowed rise of the median window's p99.")] = _DEFAULT.latency_p99,
         error_ratio_tolerance: Annotated[float, typer.Option(
             min=0, help="Allowed rise of the error ratio (absolute).")] = _DEFAULT.error_ratio,
         ) -> None:
    """Judge a run against a baseline: exit 0 pass, 1 fail or regressed, 2 invalid run,
    3 inconclusive, 64 usage."""
    candidate = _summary(summary)
    try:
        reference = read_baseline(baseline)
    except BaselineError as exc:
        _err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None
    if reference.scenario != candidate.scenario:
        _err.print(f"[red]error:[/red] {baseline} is a baseline of {reference.scenario}, the run is of "
                   f"{candidate.scenario}", highlight=False)
        raise typer.Exit(ExitCode.USAGE)
    figures = compare(reference.runs, candidate,
                      Tolerances(latency_p50_tolerance, latency_p99_tolerance, error_ratio_tolerance))
    table = Table(title=f"{candidate.scenario} against baseline {reference.name} "
                        f"({len(reference.runs)} run(s))")
    for column in ("figure", "baseline", "run", "95% interval of change", "limit", "outcome"):
        table.add_column(column)
    for f in figures:
        shown = "—" if math.isnan(f.low) else f"{f.low:.3g} … {f.high:.3g}"
        table.add_row(f.name, f"{f.baseline:.4g}", f"{f.candidate:.4g}", shown, f"{f.limit:.3g}",
                      f.outcome.value)
    console = Console()
    console.print(table)
    verdict = overall(figures)
    if candidate.verdict is Verdict.INVALID:
        console.print("verdict: invalid (the run itself cannot be trusted)")
        raise typer.Exit(ExitCode.INVALID)
    if candidate.verdict is Verdict.FAIL:
        console.print(f"verdict: fail (the run's own gates failed); against the baseline: {verdict.value}")
        raise typer.Exit(ExitCode.FAIL)
    console.print(f"verdict: {verdict.value}")
    raise typer.Exit({BaselineVerdict.PASS: ExitCode.PASS, BaselineVerdict.REGRESSED: ExitCode.FAIL,
                      BaselineVerdict.INCONCLUSIVE: ExitCode.INCONCLUSIVE}[verdict])

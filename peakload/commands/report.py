"""`peakload report DIR`: render a run's summary.json again (HTML, JUnit, Markdown)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from peakload.exit_codes import ExitCode
from reports.outputs import write_outputs
from reports.summary import RunSummary


def report(run_dir: Annotated[Path, typer.Argument(help="A run's folder (holding summary.json).")]) -> None:
    """Render a run's reports from its summary, without the run."""
    path = run_dir / "summary.json"
    try:
        summary = RunSummary.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {path}: {exc}", highlight=False)
        raise typer.Exit(ExitCode.USAGE) from None
    for written in write_outputs(summary, run_dir):
        Console().print(f"wrote {written}", highlight=False)

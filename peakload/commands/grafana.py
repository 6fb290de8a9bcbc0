"""`peakload grafana export|push`: the dashboards as JSON files, or uploaded to a Grafana."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from monitoring.grafana.dashboards import all_dashboards, as_json
from monitoring.grafana.push import PushError, PushTarget, push, redacted
from peakload.exit_codes import ExitCode

TOKEN_VARIABLE = "GRAFANA_TOKEN"

app = typer.Typer(no_args_is_help=True, help="Grafana dashboards as code.")


@app.command("export")
def export(out: Annotated[Path, typer.Option(help="Directory for one JSON file per dashboard.")]
           = Path("grafana-dashboards")) -> None:
    """Write the dashboards as JSON (for file provisioning or review)."""
    out.mkdir(parents=True, exist_ok=True)
    for dashboard in all_dashboards():
        model = as_json(dashboard)
        path = out / f"{model['uid']}.json"
        path.write_text(json.dumps(model, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        Console().print(f"{path}: {model['title']}", highlight=False)


@app.command("push")
def push_command(
    url: Annotated[str, typer.Option(help="Grafana's base URL, e.g. https://grafana.example:3000.")],
    prometheus_url: Annotated[str, typer.Option(
        help="The Prometheus the data source points at, as Grafana's server reaches it.")]
        = "http://127.0.0.1:9090",
) -> None:
    """Create or update the folder, the Prometheus data source and the dashboards (idempotent).
    The service-account token comes from $GRAFANA_TOKEN, never from the command line."""
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] set ${TOKEN_VARIABLE} to a Grafana service-account "
                                   "token (Editor role or higher)", highlight=False)
        raise typer.Exit(ExitCode.USAGE)
    try:
        outcome = push(PushTarget(url=url, token=token, prometheus_url=prometheus_url))
    except PushError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(ExitCode.UNAVAILABLE) from None
    console = Console()
    console.print(f"Grafana {redacted(url)}", highlight=False)
    console.print(f"  folder: {outcome.folder}", highlight=False)
    console.print(f"  data source: {outcome.datasource}", highlight=False)
    for uid, what in outcome.dashboards.items():
        console.print(f"  dashboard {uid}: {what}", highlight=False)

"""`report.html`: one self-contained page (inline SVG charts, no scripts or fonts from anywhere)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from reports import charts
from reports.summary import RunSummary

_TEMPLATES = Environment(loader=PackageLoader("reports", "templates"),
                         autoescape=select_autoescape(["html", "j2"]))


def render_html(summary: RunSummary) -> str:
    """The report page of a run."""
    drawn = {"arrival_rate": charts.arrival_rate(summary),
             "latency_over_time": charts.latency_over_time(summary),
             "outcomes_by_type": charts.outcomes_by_type(summary),
             "receipts": charts.receipts(summary)}
    started = dt.datetime.fromtimestamp(summary.started_at, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return _TEMPLATES.get_template("report.html.j2").render(s=summary, charts=drawn, started=started)


def write_html(summary: RunSummary, path: Path) -> None:
    """Write the report page."""
    path.write_text(render_html(summary), encoding="utf-8")

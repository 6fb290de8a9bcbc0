"""`report.html`: one self-contained page that opens offline. Count charts are inline SVG; the time
series are drawn in the page by uPlot (vendored under templates/vendor/uplot, inlined with the
page's own script), so a reader can zoom into a fault and hover for values. Nothing is fetched."""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from reports import charts, formatting
from reports.statuses import status_name
from reports.summary import RunSummary
from reports.timeseries import series_spec

_TEMPLATES = Environment(loader=PackageLoader("reports", "templates"),
                         autoescape=select_autoescape(["html", "j2"]))
_TEMPLATES.filters.update(formatting.FILTERS)
_TEMPLATES.globals.update(metric=formatting.metric, status_name=status_name)


def _asset(name: str) -> str:
    return files("reports").joinpath("templates", name).read_text(encoding="utf-8")


def _script_json(data: object) -> str:
    """JSON safe inside a <script> element (no `</script>` can close it early)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _time(epoch_s: float) -> str:
    return dt.datetime.fromtimestamp(epoch_s, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def render_html(summary: RunSummary) -> str:
    """The report page of a run."""
    drawn = {"answers_by_type": charts.answers_by_type(summary) if summary.message_types else "",
             "receipts_by_status": charts.receipts_by_status(summary) if summary.receipts_by_status else "",
             "clearance": charts.clearance(summary)
             if summary.clearance_s or summary.declared_to_cleared_s or summary.order_to_release_s else ""}
    spec = series_spec(summary)
    drawn_on = dict(spec["gate_charts"])
    if drawn["clearance"]:
        for name in charts.clearance_gates(summary):
            drawn_on.setdefault(name, []).append("clearance")
    return _TEMPLATES.get_template("report.html.j2").render(
        s=summary, charts=drawn, series=spec, drawn_on=drawn_on, series_json=_script_json(spec),
        started=_time(summary.started_at), onset=_time(summary.drill.onset_at) if summary.drill else None,
        uplot_js=_asset("vendor/uplot/uPlot.iife.min.js"), uplot_css=_asset("vendor/uplot/uPlot.min.css"),
        timeseries_js=_asset("timeseries.js"))


def write_html(summary: RunSummary, path: Path) -> None:
    """Write the report page."""
    path.write_text(render_html(summary), encoding="utf-8")

"""Every file a run's summary is rendered to, written in one place."""

from __future__ import annotations

from pathlib import Path

from reports.render_html import write_html
from reports.render_json import write_summary
from reports.render_junit import write_junit
from reports.render_markdown import write_markdown
from reports.summary import RunSummary

OUTPUTS = {"summary.json": write_summary, "report.html": write_html, "junit.xml": write_junit,
           "summary.md": write_markdown}


def write_outputs(summary: RunSummary, out_dir: Path) -> list[Path]:
    """Render `summary` to every output file in `out_dir`; the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, write in OUTPUTS.items():
        write(summary, out_dir / name)
        written.append(out_dir / name)
    return written

"""`summary.json`: the summary as machine-readable JSON (the input of baselines and CI gates)."""

from __future__ import annotations

import json
from pathlib import Path

from reports.summary import RunSummary


def write_summary(summary: RunSummary, path: Path) -> None:
    """Write the summary, with the achieved/intended ratio spelled out."""
    data = summary.model_dump(mode="json")
    data["achieved_ratio"] = round(summary.achieved_ratio, 4)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

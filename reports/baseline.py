"""Baseline files: the summaries of runs a later run is compared with.

A baseline is a JSON file holding one or more run summaries of the same scenario; saving again
under the same name adds a run, so the baseline's noise estimate improves with every save.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reports.summary import RunSummary


class BaselineError(ValueError):
    """A baseline that cannot be read or does not fit the run."""


class Baseline(BaseModel):
    """Named reference runs of one scenario."""

    model_config = ConfigDict(frozen=True)

    name: str
    scenario: str
    saved_at: list[str] = Field(default_factory=list)
    runs: list[RunSummary] = Field(default_factory=list)

    def with_run(self, summary: RunSummary) -> Baseline:
        """This baseline with one more run."""
        if summary.scenario != self.scenario:
            raise BaselineError(f"baseline {self.name} is of scenario {self.scenario}, "
                                f"the run is of {summary.scenario}")
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        return self.model_copy(update={"runs": [*self.runs, summary],
                                       "saved_at": [*self.saved_at, stamp]})


def read_baseline(path: Path) -> Baseline:
    """A baseline file; BaselineError names the file and what is wrong."""
    try:
        return Baseline.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise BaselineError(f"{path}: not a peakload baseline: {exc}") from None


def save_run(summary: RunSummary, path: Path, name: str) -> Baseline:
    """Add a run to the baseline at `path` (created if absent) and write it."""
    baseline = read_baseline(path) if path.exists() else Baseline(name=name, scenario=summary.scenario)
    baseline = baseline.with_run(summary)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(baseline.model_dump_json(indent=1), encoding="utf-8")
    return baseline

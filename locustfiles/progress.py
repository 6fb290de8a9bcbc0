"""A generator process's progress, written every second for the live view of `peakload run`."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

RECENT_S = 5  # the "now" of rates: the last five whole seconds


class Progress(BaseModel):
    """Where one generator process's share of the run stands."""

    model_config = ConfigDict(frozen=True)

    elapsed_s: float
    load_s: float  # how long the arrival curve lasts
    intended: int  # messages due so far
    sent: int
    failed: int
    throttled: int
    intended_rate: float  # messages/s over the last RECENT_S seconds
    sent_rate: float
    p99_ms: float  # corrected, in the latest latency window
    finished: bool = False
    stopped_by: str | None = None

    def write(self, path: Path) -> None:
        """Write atomically (the reader never sees half a file)."""
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(), encoding="utf-8")
        tmp.replace(path)


def read_progress(folder: Path) -> list[Progress]:
    """Every process's latest progress in `folder` (progress*.json), skipping unreadable files."""
    found = []
    for path in sorted(folder.glob("progress*.json")):
        try:
            found.append(Progress.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # being replaced right now: the next poll reads it
    return found

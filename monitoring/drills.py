"""Incident drills: which fault raises which alert, and the runbook budget it is held to.

Each plan injects one fault into the mock platform through `/admin/faults` and names the alert
on-call should be paged by. The detection budget is read from the alert's runbook (the single
place on-call staff read it), so changing the runbook changes what the drill demands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from importlib.resources import files
from importlib.resources.abc import Traversable

RUNBOOKS = files("monitoring") / "runbooks"  # shipped in the package
_BUDGET = re.compile(r"Detection budget: paged within \*\*(\d+(?:\.\d+)?) minutes\*\*")


class DrillFault(str, Enum):
    """The faults a drill can rehearse."""

    ERROR = "error"  # half of intake answers 500: the fast error-budget burn pages
    CAPACITY_CAP = "capacity-cap"  # intake capped far below the load: 429s page as throttling


@dataclass(frozen=True, slots=True)
class DrillPlan:
    """A fault (the body of POST /admin/faults, less its duration) and the alert it must raise."""

    fault: DrillFault
    alert: str
    fault_body: dict[str, object] = field(hash=False)
    # How long after the fault clears the alert can take to resolve and the resolution to reach
    # on-call, in production seconds: the rule's longest window plus Alertmanager's group interval.
    resolution_allowance_s: float
    mock_args: tuple[str, ...] = ()  # the platform's size for this drill


PLANS = {
    DrillFault.ERROR: DrillPlan(DrillFault.ERROR, "CebPlatformErrorBudgetBurnFast",
                                {"kind": "error", "ratio": 0.5}, resolution_allowance_s=11 * 60),
    # A queue smaller than the drill load's 64 senders, so a capped platform sheds with 429
    # instead of only queueing (a real platform's queue is small next to its client count).
    DrillFault.CAPACITY_CAP: DrillPlan(DrillFault.CAPACITY_CAP, "CebPlatformThrottling",
                                       {"kind": "capacity_cap", "capacity": 20}, resolution_allowance_s=11 * 60,
                                       mock_args=("--queue-size", "32")),
}


class RunbookError(ValueError):
    """An alert's runbook is missing or states no detection budget."""


def detection_budget_s(alert: str, runbooks: Traversable = RUNBOOKS) -> float:
    """The runbook's detection budget for `alert`, in seconds."""
    path = runbooks / f"{alert}.md"
    if not path.is_file():
        raise RunbookError(f"{path}: no runbook for {alert}")
    match = _BUDGET.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise RunbookError(f"{path}: no 'Detection budget: paged within **N minutes**' line")
    return float(match.group(1)) * 60

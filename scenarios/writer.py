"""Writing a scenario back to a file, as the loader reads it (a derived scenario a run replays)."""

from __future__ import annotations

from pathlib import Path

import yaml

from scenarios.model import Scenario


def to_yaml(scenario: Scenario) -> str:
    """The scenario as a scenario file: durations in seconds, keys at their defaults left out."""
    return yaml.safe_dump(scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True),
                          allow_unicode=True, sort_keys=False)


def write(scenario: Scenario, path: Path) -> Path:
    """Write the scenario to `path` (its folder made if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(scenario), encoding="utf-8")
    return path

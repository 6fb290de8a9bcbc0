"""Loading scenario files, with errors that name the file, the key and the value at fault. The
YAML is read by `safe_yaml`: no aliases, bounded nesting and size."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

import safe_yaml
from package_files import package_file, package_files
from scenarios.model import Scenario


class ScenarioError(ValueError):
    """A scenario file that cannot be used; `problems` lists every fault found."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {problem}" for problem in problems))


def resolve(name_or_path: str) -> Path:
    """A scenario path: an existing file, or the name of one in the library (`double11-smoke`)."""
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate
    try:
        return package_file("scenarios", f"{name_or_path.removesuffix('.yaml')}.yaml")
    except FileNotFoundError:
        raise ScenarioError(candidate, [f"no such scenario file or library scenario "
                                        f"(library: {', '.join(library_names())})"]) from None


def library_names() -> list[str]:
    """Names of the scenarios shipped in the `scenarios` package."""
    return [f.name.removesuffix(".yaml") for f in package_files("scenarios", ".yaml")]


def load(name_or_path: str) -> Scenario:
    """Read and validate a scenario; ScenarioError says what is wrong and where."""
    path = resolve(name_or_path)
    try:
        raw = safe_yaml.load_file(path)
    except safe_yaml.UnsafeYaml as exc:
        raise ScenarioError(path, [f"refused: {exc}"]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(path, [f"not valid YAML: {exc}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(path, [f"cannot read: {exc}"]) from None
    if not isinstance(raw, dict):
        raise ScenarioError(path, ["the file must hold a mapping of scenario keys"])
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(path, [describe_validation_error(error) for error in exc.errors()]) from None


def describe_validation_error(error: dict) -> str:
    """One pydantic error as `key.path = value: message`."""
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    value = error.get("input")
    shown = repr(value) if not isinstance(value, dict) else "{...}"
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"{key} = {shown}: {error['msg']}"

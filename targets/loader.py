"""Loading target profiles, with errors that name the file, the key and the value at fault."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

import safe_yaml
from package_files import package_file, package_files
from scenarios.loader import describe_validation_error
from targets.profile import ProfileError, TargetProfile


def example_names() -> list[str]:
    """Names of the example profiles shipped in the `targets` package."""
    return [f.name.removesuffix(".yaml") for f in package_files("targets", ".yaml")]


def resolve_profile(name_or_path: str) -> Path:
    """A profile path: an existing file, or the name of an example in `targets/`."""
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate
    try:
        return package_file("targets", f"{name_or_path.removesuffix('.yaml')}.yaml")
    except FileNotFoundError:
        raise ProfileError(f"{candidate}: no such profile file or example profile "
                           f"(examples: {', '.join(example_names())})") from None


def load_profile(name_or_path: str) -> TargetProfile:
    """Read and validate a target profile; ProfileError lists every fault with its key."""
    path = resolve_profile(name_or_path)
    try:
        raw = safe_yaml.load_file(path)
    except safe_yaml.UnsafeYaml as exc:
        raise ProfileError(f"{path}: refused: {exc}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}: the file must hold a mapping of profile keys")
    try:
        return TargetProfile.model_validate(raw)
    except ValidationError as exc:
        raise ProfileError("\n".join(f"{path}: {describe_validation_error(e)}" for e in exc.errors())) from None

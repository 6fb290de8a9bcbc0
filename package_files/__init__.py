"""The files peakload ships inside its packages (scenarios, target profiles, the locustfile),
found through `importlib.resources` wherever the packages are installed: a checkout, an editable
install, a wheel in a virtualenv.

Most readers only read a file (`files(package) / name`, then `.read_text()`); this module serves the
few that hand a file to another process (Locust's child is given the locustfile's and the
scenario's paths), which needs a path on disk. pip unpacks a wheel into folders, so that path is
the file itself; a package imported from a zip archive has its file extracted once, kept until the
process exits (the recipe importlib.resources documents for a path that lives as long as the
program).
"""

from __future__ import annotations

import atexit
import contextlib
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["package_file", "package_files"]

_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def package_files(package: str, suffix: str) -> list[Traversable]:
    """The files directly in `package` whose names end with `suffix`, sorted by name."""
    return sorted((f for f in files(package).iterdir() if f.is_file() and f.name.endswith(suffix)),
                  key=lambda f: f.name)


def package_file(package: str, name: str) -> Path:
    """The path on disk of the file `name` shipped in `package` (FileNotFoundError: it ships none)."""
    resource = files(package) / name
    if not resource.is_file():
        raise FileNotFoundError(f"the {package} package ships no {name}")
    return _extracted.enter_context(as_file(resource))

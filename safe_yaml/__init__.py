"""YAML that users hand peakload, read with PyYAML's safe loader less what makes a small file
expensive.

An alias repeats the node its anchor names, so nine lines of anchors ("billion laughs", 843 bytes)
stand for 10^9 nodes: PyYAML shares them, but whatever walks the document afterwards (validation,
a copy, a dump) visits every one and grows past a gigabyte. Deeply nested brackets exhaust the
parser's recursion limit, which is a RecursionError, not a YAML error. So a document read here has
no aliases (refused where the first one stands), at most MAX_DEPTH levels of nesting, and a file at
most MAX_BYTES. A refusal is an UnsafeYaml, which is a yaml.YAMLError: a caller's handler for bad
YAML reports it with the file's name.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

__all__ = ["MAX_BYTES", "MAX_DEPTH", "UnsafeYaml", "load_file", "loads"]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 50


class UnsafeYaml(yaml.YAMLError):
    """A document refused before it was built: an alias, nesting too deep, a file too large."""


def _where(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "in the document"


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases and nesting deeper than MAX_DEPTH as it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise UnsafeYaml(f"aliases are not allowed (*{event.anchor} at {_where(event.start_mark)}); "
                             f"write the value out")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise UnsafeYaml(f"nested deeper than {MAX_DEPTH} levels (at {_where(event.start_mark)})")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def loads(text: str) -> Any:
    """The one document in `text`; UnsafeYaml or another yaml.YAMLError when it cannot be used."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_file(path: Path | Traversable) -> Any:
    """The document in the UTF-8 file at `path` (on disk, or shipped in a package), read only up to
    MAX_BYTES (OSError, UnicodeDecodeError and yaml.YAMLError as the file is unreadable, not text or
    not usable YAML)."""
    with path.open("rb") as stream:
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UnsafeYaml(f"the file is larger than {MAX_BYTES // 1024} KiB")
    return loads(data.decode("utf-8"))

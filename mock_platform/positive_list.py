"""The positive list of goods allowed for retail import (正面清单), by HS code prefix, loaded
from a YAML file so a revision is an edit of data; pilot categories (pet food) only when named."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import safe_yaml

DEFAULT_FILE = files("mock_platform") / "positive_list.yaml"  # shipped in the package


class Category(BaseModel):
    """One allowed category: an HS code prefix (2 to 10 digits)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hs: str = Field(pattern=r"^[0-9]{2,10}$")
    name: str
    pilot: str | None = None  # the pilot's name; allowed only while the pilot is on


class PositiveList(BaseModel):
    """The categories in force."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    categories: tuple[Category, ...]

    def allowed_prefixes(self, pilots: frozenset[str] = frozenset()) -> tuple[str, ...]:
        """HS prefixes allowed with these pilots on."""
        return tuple(c.hs for c in self.categories if c.pilot is None or c.pilot in pilots)

    @property
    def pilots(self) -> frozenset[str]:
        """Names of the pilots the file defines."""
        return frozenset(c.pilot for c in self.categories if c.pilot)


class PositiveListError(ValueError):
    """The file is unreadable or not a positive list; the message names the file and the key."""


def load_positive_list(path: Path | Traversable = DEFAULT_FILE) -> PositiveList:
    """Read and validate a positive-list file."""
    try:
        return PositiveList.model_validate(safe_yaml.load_file(path))
    except OSError as exc:
        raise PositiveListError(f"{path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise PositiveListError(f"{path}: not UTF-8 text") from None
    except safe_yaml.UnsafeYaml as exc:
        raise PositiveListError(f"{path}: refused: {exc}") from None
    except yaml.YAMLError as exc:
        raise PositiveListError(f"{path}: not YAML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PositiveListError(f"{path}: {where}: {first['msg']} (got {first.get('input')!r})") from None


def on_list(gcode: str, prefixes: tuple[str, ...]) -> bool:
    """Whether an item's 10-digit HS code falls under an allowed category."""
    return gcode.startswith(prefixes)

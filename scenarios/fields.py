"""The building blocks of the scenario format: durations and the strict, frozen base model."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _seconds(value: object) -> object:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        compact = value.replace(" ", "")
        if not _DURATION.match(compact):
            raise ValueError(f"{value!r} is not a duration like 90s, 10m, 2h30m or 3d")
        return sum(float(n) * _UNIT_S[unit] for n, unit in _DURATION_PART.findall(compact))
    return value


Seconds = Annotated[float, BeforeValidator(_seconds), Field(ge=0)]
PositiveSeconds = Annotated[float, BeforeValidator(_seconds), Field(gt=0)]


class Model(BaseModel):
    """A scenario part: immutable, and an unknown key is an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

"""The head every CEB declaration document starts with (docs/domain.md, "The messages")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DeclarationHead:
    """The fields every declaration head starts with."""

    guid: str
    app_type: str
    app_time: str
    app_status: str

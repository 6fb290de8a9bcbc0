"""Customs' side of an inventory list: the status ladder of docs/contract.md ("An inventory list's statuses") with its branches, and
how long each step takes, by profile.

    matched -> 120 accepted -> [300 manual review] -> 399 cleared -> [500 inspection
      -> [501/502/503/599 detained -> 700 returned abroad]] -> 800 released

Which branch a list takes is drawn per list with the configured ratios; how long a step takes is
drawn from its delay, divided by the time compression (a realistic profile compressed 600 times
turns hours into seconds). Pure: the engine owns the clock and the random generator.
"""

from __future__ import annotations

import random
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ceb.types import ReturnStatus

DETAINED = (ReturnStatus.DETAINED_CLEARANCE, ReturnStatus.DETAINED_ANTI_SMUGGLING,
            ReturnStatus.DETAINED_LEGAL, ReturnStatus.DETAINED_OTHER)


class Delay(BaseModel):
    """A customs step's duration: uniform between `min_s` and `max_s` seconds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_s: float = Field(0.05, ge=0)
    max_s: float = Field(0.3, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Delay:
        if self.max_s < self.min_s:
            raise ValueError(f"max_s {self.max_s} is below min_s {self.min_s}")
        return self

    def draw(self, rng: random.Random) -> float:
        """One duration in seconds."""
        return rng.uniform(self.min_s, self.max_s)


class CustomsProfile(str, Enum):
    """Preset timings and branch ratios."""

    FAST = "fast"  # the default: every step within a fraction of a second, no branches
    INSTANT = "instant"  # every step at once (tests)
    REALISTIC = "realistic"  # real durations and branch ratios (compress them for rehearsals)


class Branches(BaseModel):
    """How often a list leaves the straight path (fractions, 0..1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    manual_review: float = Field(0.0, ge=0, le=1)  # of accepted lists: 300 before 399
    inspection: float = Field(0.0, ge=0, le=1)  # of cleared lists: 500 before release
    detention: float = Field(0.0, ge=0, le=1)  # of inspected lists: 5xx
    return_abroad: float = Field(0.0, ge=0, le=1)  # of detained lists: 700 instead of 800


class CustomsTiming(BaseModel):
    """How long each step takes (before compression), and the branch ratios."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accept: Delay = Delay(min_s=0.0, max_s=0.1)  # matched -> 120
    review: Delay = Delay()  # 300 -> 399
    clear: Delay = Delay()  # 120 -> 399
    inspect: Delay = Delay()  # 500 -> 800 or 5xx
    detain: Delay = Delay()  # 5xx -> 700 or 800
    release: Delay = Delay()  # 399 -> 800
    branches: Branches = Branches()
    compression: float = Field(1.0, gt=0)  # every delay is divided by it

    @classmethod
    def profile(cls, profile: CustomsProfile, compression: float = 1.0,
                branches: Branches | None = None) -> CustomsTiming:
        """A preset, optionally compressed and with other branch ratios."""
        if profile is CustomsProfile.INSTANT:
            zero = Delay(min_s=0, max_s=0)
            timing = cls(accept=zero, review=zero, clear=zero, inspect=zero, detain=zero, release=zero)
        elif profile is CustomsProfile.REALISTIC:
            minutes, hours = 60.0, 3600.0
            timing = cls(accept=Delay(min_s=1, max_s=10), review=Delay(min_s=10 * minutes, max_s=2 * hours),
                         clear=Delay(min_s=30, max_s=5 * minutes), inspect=Delay(min_s=1 * hours, max_s=8 * hours),
                         detain=Delay(min_s=24 * hours, max_s=72 * hours),
                         release=Delay(min_s=1 * minutes, max_s=30 * minutes),
                         branches=Branches(manual_review=0.02, inspection=0.01, detention=0.1, return_abroad=0.3))
        else:
            timing = cls()
        return timing.model_copy(update={"compression": compression,
                                         **({"branches": branches} if branches is not None else {})})

    def wait(self, delay: Delay, rng: random.Random) -> float:
        """A step's duration in (compressed) seconds."""
        return delay.draw(rng) / self.compression


def next_step(status: ReturnStatus, timing: CustomsTiming,
              rng: random.Random) -> tuple[ReturnStatus, float] | None:
    """The status a list reached `status` goes to next and after how long; None when final."""
    b = timing.branches
    if status is ReturnStatus.ACCEPTED:
        if rng.random() < b.manual_review:
            return ReturnStatus.MANUAL_REVIEW, timing.wait(timing.review, rng)
        return ReturnStatus.CLEARED, timing.wait(timing.clear, rng)
    if status is ReturnStatus.MANUAL_REVIEW:
        return ReturnStatus.CLEARED, timing.wait(timing.clear, rng)
    if status is ReturnStatus.CLEARED:
        if rng.random() < b.inspection:
            return ReturnStatus.INSPECTION, timing.wait(timing.inspect, rng)
        return ReturnStatus.RELEASED, timing.wait(timing.release, rng)
    if status is ReturnStatus.INSPECTION:
        if rng.random() < b.detention:
            return rng.choice(DETAINED), timing.wait(timing.detain, rng)
        return ReturnStatus.RELEASED, timing.wait(timing.release, rng)
    if status in DETAINED:
        if rng.random() < b.return_abroad:
            return ReturnStatus.RETURNED_ABROAD, timing.wait(timing.detain, rng)
        return ReturnStatus.RELEASED, timing.wait(timing.release, rng)
    return None

"""Fault injection: incidents on demand, each for a while, to rehearse detection and response.

Faults are posted to `/admin/faults` (bearer token; the admin API is off without one) and expire by
themselves. What each does:

| kind | effect |
|---|---|
| latency | every intake request waits a delay drawn from the fault's distribution |
| error | a `ratio` of intake requests answer 500 |
| stall | intake requests wait until the fault ends (a frozen platform) |
| storage_slowdown | every group-commit transaction takes `delay_ms` longer |
| capacity_cap | admission takes at most `capacity` messages/s |
| receipt_delay | receipts become visible `delay_ms` after they are issued |
| receipt_loss | a `ratio` of receipts is never issued |
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FaultKind(str, Enum):
    """What a fault breaks."""

    LATENCY = "latency"
    ERROR = "error"
    STALL = "stall"
    STORAGE_SLOWDOWN = "storage_slowdown"
    CAPACITY_CAP = "capacity_cap"
    RECEIPT_DELAY = "receipt_delay"
    RECEIPT_LOSS = "receipt_loss"


class LatencyDistribution(str, Enum):
    """How an injected latency is drawn."""

    FIXED = "fixed"
    UNIFORM = "uniform"
    EXPONENTIAL = "exponential"


class FaultSpec(BaseModel):
    """A fault as posted to `/admin/faults`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FaultKind
    duration_s: float = Field(gt=0, le=86400)
    delay_ms: float = Field(0.0, ge=0, le=600_000)  # latency (mean/fixed/max), storage, receipts
    min_delay_ms: float = Field(0.0, ge=0)  # uniform latency's lower bound
    distribution: LatencyDistribution = LatencyDistribution.FIXED
    ratio: float = Field(0.0, ge=0, le=1)  # error, receipt_loss
    capacity: float = Field(0.0, ge=0)  # capacity_cap, messages/s

    @model_validator(mode="after")
    def _needs(self) -> FaultSpec:
        needs = {FaultKind.LATENCY: ("delay_ms", self.delay_ms),
                 FaultKind.STORAGE_SLOWDOWN: ("delay_ms", self.delay_ms),
                 FaultKind.RECEIPT_DELAY: ("delay_ms", self.delay_ms),
                 FaultKind.ERROR: ("ratio", self.ratio), FaultKind.RECEIPT_LOSS: ("ratio", self.ratio),
                 FaultKind.CAPACITY_CAP: ("capacity", self.capacity)}
        if self.kind in needs and needs[self.kind][1] <= 0:
            raise ValueError(f"a {self.kind.value} fault needs {needs[self.kind][0]} > 0")
        return self


@dataclass(frozen=True, slots=True)
class ActiveFault:
    """A fault in force until `ends_at` (epoch seconds)."""

    spec: FaultSpec
    started_at: float
    ends_at: float

    def as_json(self) -> dict[str, object]:
        return {**self.spec.model_dump(mode="json"), "startedAt": self.started_at,
                "endsAt": self.ends_at}


class FaultBook:
    """The faults in force; every reader asks at the moment it needs to know."""

    def __init__(self, clock: Callable[[], float] = time.time, seed: int | None = None) -> None:
        self._clock = clock
        self._rng = random.Random(seed)
        self._faults: list[ActiveFault] = []

    def add(self, spec: FaultSpec) -> ActiveFault:
        """Put a fault in force from now for its duration."""
        now = self._clock()
        fault = ActiveFault(spec, now, now + spec.duration_s)
        self._faults.append(fault)
        return fault

    def clear(self) -> int:
        """End every fault; how many there were."""
        count, self._faults = len(self.active()), []
        return count

    def active(self) -> list[ActiveFault]:
        """The faults in force now."""
        if not self._faults:  # the hot path: asked on every request, nearly always empty
            return []
        now = self._clock()
        self._faults = [f for f in self._faults if f.ends_at > now]
        return list(self._faults)

    def _of(self, kind: FaultKind) -> list[ActiveFault]:
        return [f for f in self.active() if f.spec.kind is kind]

    def request_delay_s(self) -> float:
        """Added latency plus any stall, for one intake request."""
        delay = 0.0
        for fault in self._of(FaultKind.LATENCY):
            spec = fault.spec
            match spec.distribution:
                case LatencyDistribution.FIXED:
                    delay += spec.delay_ms / 1000
                case LatencyDistribution.UNIFORM:
                    delay += self._rng.uniform(spec.min_delay_ms, spec.delay_ms) / 1000
                case LatencyDistribution.EXPONENTIAL:
                    delay += self._rng.expovariate(1000 / spec.delay_ms)
        stalls = self._of(FaultKind.STALL)
        if stalls:
            delay = max(delay, max(f.ends_at for f in stalls) - self._clock())
        return delay

    def should_fail(self) -> bool:
        """Whether this intake request gets an injected 500."""
        return any(self._rng.random() < f.spec.ratio for f in self._of(FaultKind.ERROR))

    def storage_delay_s(self) -> float:
        """Extra time each group-commit transaction takes."""
        return sum(f.spec.delay_ms for f in self._of(FaultKind.STORAGE_SLOWDOWN)) / 1000

    def capacity_cap(self) -> float | None:
        """The lowest capacity cap in force, if any."""
        caps = [f.spec.capacity for f in self._of(FaultKind.CAPACITY_CAP)]
        return min(caps) if caps else None

    def receipt_delay_s(self) -> float:
        """How long issued receipts stay invisible."""
        return max((f.spec.delay_ms for f in self._of(FaultKind.RECEIPT_DELAY)), default=0.0) / 1000

    def lose_receipt(self) -> bool:
        """Whether this receipt is lost."""
        return any(self._rng.random() < f.spec.ratio for f in self._of(FaultKind.RECEIPT_LOSS))

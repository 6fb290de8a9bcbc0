"""Admission control: a platform of a given size.

`capacity` messages per second are admitted at most, paced like a worker pool would take them (the
generic cell rate algorithm: each admission reserves the next free slot); up to `queue_limit`
messages may be waiting or in progress at once. Anything beyond is refused at once with 429 and a
`Retry-After`, so admitted messages wait at most `queue_limit / capacity` seconds. Intake asks for a
place once a message's body has arrived (bounded in size, time and total by `bodies.BodyBounds`):
clients that send slowly hold connections, never places in the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Callable


class Overloaded(Exception):
    """The intake queue is full; try again after `retry_after_s`."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"intake queue full; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class Admission:
    """Bounded, paced intake."""

    def __init__(self, capacity: float | None, queue_limit: int,
                 capacity_cap: Callable[[], float | None] = lambda: None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._capacity = capacity
        self._queue_limit = queue_limit
        self._capacity_cap = capacity_cap
        self._clock = clock
        self._next_slot = 0.0
        self.waiting = 0
        self.in_flight = 0

    @property
    def capacity(self) -> float | None:
        """Messages per second admitted now (a fault may cap the configured capacity)."""
        cap = self._capacity_cap()
        if cap is None:
            return self._capacity
        return cap if self._capacity is None else min(cap, self._capacity)

    @property
    def queue_limit(self) -> int:
        return self._queue_limit

    def _retry_after(self, capacity: float | None) -> int:
        if not capacity:
            return 1
        return max(1, math.ceil((self.waiting + self.in_flight) / capacity))

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one place in the intake for the body of the `async with`; Overloaded if none."""
        capacity = self.capacity
        if self.waiting + self.in_flight >= self._queue_limit:
            raise Overloaded(self._retry_after(capacity))
        self.in_flight += 1
        try:
            if capacity:
                now = self._clock()
                start = max(now, self._next_slot)
                self._next_slot = start + 1.0 / capacity
                if start > now:
                    self.waiting += 1
                    try:
                        await asyncio.sleep(start - now)
                    finally:
                        self.waiting -= 1
            yield
        finally:
            self.in_flight -= 1

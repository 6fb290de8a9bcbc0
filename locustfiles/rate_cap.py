"""The hard cap of a target profile (`max_rate` messages a second, `max_messages` a run), shared
among a run's generator processes, and the limiter each process's dispatcher releases through.

The cap holds over every window, not on average: a process may release at most `per_window`
messages in any `window_s` seconds. A token bucket would let a window see its burst on top of its
rate, so the limiter keeps the last `per_window` release times instead. The same window count
(`busiest_window`) is what a plan is checked against before a run, so a plan that fits is never
held back here; this limiter is the safety net when something else goes wrong.

Pure: time and sleeping are passed in (the dispatcher passes its clock and gevent's sleep).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CapShare:
    """One generator process's part of a run's cap: at most `per_window` messages released in any
    `window_s` seconds (None: no rate cap), at most `total` in all (None: no count cap)."""

    per_window: int | None
    window_s: float
    total: int | None

    @classmethod
    def of(cls, max_rate: float | None, max_messages: int | None, index: int, count: int) -> CapShare | None:
        """Process `index` of `count`'s share: the whole messages of `max_rate / count` a second (a
        share below one a second becomes one message per `count / max_rate` seconds), and
        `max_messages` split so the shares add up to it exactly. None when there is no cap."""
        if max_rate is None and max_messages is None:
            return None
        per_window, window_s = None, 1.0
        if max_rate is not None:
            rate = max_rate / count
            per_window, window_s = (math.floor(rate + 1e-9), 1.0) if rate >= 1 else (1, 1 / rate)
        total = None if max_messages is None else max_messages // count + (index < max_messages % count)
        return cls(per_window, window_s, total)

    def describe(self) -> str:
        """The share in words, for reasons and errors."""
        parts = []
        if self.per_window is not None:
            parts.append(f"{self.per_window} messages a second" if self.window_s == 1.0
                         else f"1 message every {self.window_s:g} s")
        if self.total is not None:
            parts.append(f"{self.total} messages in all")
        return " and ".join(parts)


def busiest_window(times: Sequence[float], window_s: float = 1.0) -> int:
    """The most of `times` (sorted) that fall in any half-open window [t, t + `window_s`)."""
    best, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= window_s:
            first += 1
        best = max(best, last - first + 1)
    return best


class RateCap:
    """The limiter of one process: `admit` waits until one more message fits the share."""

    def __init__(self, share: CapShare) -> None:
        self.share = share
        self.released = 0
        self._recent: deque[float] = deque(maxlen=share.per_window or 1)  # the latest release times

    @classmethod
    def for_process(cls, max_rate: float | None, max_messages: int | None, index: int,
                    count: int) -> RateCap | None:
        """The limiter of process `index` of `count` (None when the target has no cap)."""
        share = CapShare.of(max_rate, max_messages, index, count)
        return None if share is None else cls(share)

    @property
    def exhausted(self) -> bool:
        """Whether the process has released its whole share of `max_messages`."""
        return self.share.total is not None and self.released >= self.share.total

    @property
    def exhausted_reason(self) -> str:
        return (f"the target profile's max_messages was reached: this generator process released its share "
                f"({self.share.total} messages) and sent nothing more")

    def delay_s(self, now: float) -> float:
        """How long from `now` until one more message fits the rate (0: at once)."""
        per_window = self.share.per_window
        if per_window is None or len(self._recent) < per_window:
            return 0.0
        # Compared as `busiest_window` compares; a wait never shorter than a microsecond, so float
        # rounding at the window's edge cannot leave a loop waiting for nothing.
        elapsed = now - self._recent[0]
        return 0.0 if elapsed >= self.share.window_s else max(self.share.window_s - elapsed, 1e-6)

    def admit(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> bool:
        """Wait (with `sleep`) until one more message fits, and count it released; False, at once,
        when the share of `max_messages` is used up."""
        if self.exhausted:
            return False
        while (wait := self.delay_s(clock())) > 0:
            sleep(wait)
        self._recent.append(clock())
        self.released += 1
        return True

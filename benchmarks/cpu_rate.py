"""Operations per CPU-second: a per-core figure that holds while other processes share the core."""

from __future__ import annotations

import time
from collections.abc import Callable


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per CPU-second of this process over about `seconds` of its CPU time (after one
    warm-up call)."""
    operation()
    count, started = 0, time.process_time()
    while (elapsed := time.process_time() - started) < seconds:
        for _ in range(10):
            operation()
        count += 10
    return count / elapsed

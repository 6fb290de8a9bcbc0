"""Pacing accuracy: how closely the messages sent followed the messages due, window by window."""

from __future__ import annotations

from collections.abc import Sequence


def window_errors(intended: Sequence[int], sent: Sequence[int], window_s: int = 10) -> list[float]:
    """Relative error |sent - due| / due in each full `window_s`-second window with messages due."""
    errors = []
    for begin in range(0, len(intended) - window_s + 1, window_s):
        due = sum(intended[begin:begin + window_s])
        done = sum(sent[begin:begin + window_s])
        if due:
            errors.append(abs(done - due) / due)
    return errors

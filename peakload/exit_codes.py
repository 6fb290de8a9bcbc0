"""Exit codes of every peakload command, documented in docs/running.md ("Exit codes")."""

from __future__ import annotations

from enum import IntEnum

from reports.summary import Verdict


class ExitCode(IntEnum):
    """What a peakload process's exit status means."""

    PASS = 0
    FAIL = 1  # a gate failed
    INVALID = 2  # the run cannot be trusted: generator saturated, target unreachable, cut short
    INCONCLUSIVE = 3  # `gate`: too noisy to tell a regression from none; `capacity`: a lower bound only
    USAGE = 64  # bad usage or configuration (EX_USAGE)
    UNAVAILABLE = 69  # a service peakload drives (Grafana, the monitoring stack) failed (EX_UNAVAILABLE)
    INTERRUPTED = 130  # stopped by Ctrl-C, SIGTERM or SIGHUP (128 + SIGINT, as shells report it)

    @classmethod
    def of(cls, verdict: Verdict) -> ExitCode:
        """The exit code of a run's verdict."""
        return {Verdict.PASS: cls.PASS, Verdict.FAIL: cls.FAIL, Verdict.INVALID: cls.INVALID}[verdict]

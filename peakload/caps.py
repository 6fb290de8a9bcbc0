"""A target profile's hard cap, checked on a run's plan before any load: the run is refused, or,
with `--clip-to-cap`, its scenario is scaled down until the plan fits.

The plan checked is the generator's own (`send_plan` for every process of the run), so the figures
are what the run would send: its busiest second (over any 1 s window, every process together), its
total, and each process's busiest window and total against its share of the cap, the share its
dispatcher enforces while the run goes on (`locustfiles.rate_cap`). A plan that fits here is never
held back there.
"""

from __future__ import annotations

import heapq
from array import array
from dataclasses import dataclass
from pathlib import Path

from locustfiles.rate_cap import CapShare, busiest_window
from locustfiles.schedule import send_plan
from scenarios.model import Scenario
from scenarios.replay import Replay, ReplayError, replayed
from scenarios.writer import write
from targets import TargetProfile

_CLIP_ATTEMPTS = 8  # scaling by the overshoot lands at or just above the cap; a few more tries close in


@dataclass(frozen=True, slots=True)
class PlanTimes:
    """When every message of a run's plan is due (seconds from the start), per generator process."""

    per_process: tuple[array, ...]  # each in time order, as the process's plan yields them

    @classmethod
    def of(cls, scenario: Scenario, processes: int) -> PlanTimes:
        return cls(tuple(array("d", (job.intended_s for job in send_plan(scenario, index, processes)))
                         for index in range(processes)))

    @property
    def total(self) -> int:
        return sum(len(times) for times in self.per_process)

    def peak(self) -> int:
        """The most messages due in any 1 s window, every process together."""
        return busiest_window(list(heapq.merge(*self.per_process)))


def _checks(times: PlanTimes, profile: TargetProfile) -> list[tuple[float, str]]:
    """Each limit of the cap with how far the plan goes over it (1.0 = exactly at it) and, for
    when it does go over, the figures in words."""
    checks: list[tuple[float, str]] = []
    count = len(times.per_process)
    if profile.max_rate is not None:
        peak = times.peak()
        words = (f"the plan sends {peak} messages in its busiest second (over any 1 s), above the profile's "
                 f"max_rate of {profile.max_rate:g}")
        checks.append((peak / profile.max_rate, words))
    if profile.max_messages is not None:
        words = f"the plan sends {times.total} messages, above the profile's max_messages of {profile.max_messages}"
        checks.append((times.total / profile.max_messages, words))
    for index, process in enumerate(times.per_process):
        share = CapShare.of(profile.max_rate, profile.max_messages, index, count)
        if share is None or count == 1:  # one process's share is the whole cap, checked above
            continue
        which = f"generator process {index + 1} of {count}"
        if share.per_window is not None:
            busiest = busiest_window(process, share.window_s)
            words = (f"{which} would release {busiest} messages within {share.window_s:g} s, above its share of "
                     f"max_rate ({share.describe()})")
            checks.append((busiest / share.per_window, words))
        if share.total is not None:
            words = f"{which} would send {len(process)} messages, above its share of max_messages ({share.total})"
            checks.append((len(process) / share.total, words))
    return checks


def cap_problems(times: PlanTimes, profile: TargetProfile) -> list[str]:
    """Every limit of the profile's cap the plan goes over, with its figures (none: it fits)."""
    return [words for over, words in _checks(times, profile) if over > 1]


@dataclass(frozen=True, slots=True)
class CapFit:
    """A run's scenario against its target's cap: the scenario to run and the file the generator
    reads it from, what clipping did (None: nothing), and what the plan still goes over."""

    scenario: Scenario
    path: Path
    clipped: str | None = None
    problems: tuple[str, ...] = ()


def fit_to_cap(scenario: Scenario, path: Path, profile: TargetProfile | None, processes: int, out_dir: Path,
               clip: bool) -> CapFit:
    """Check the plan of `scenario` over `processes` generator processes against the profile's
    cap; with `clip`, scale its curve down until it fits (written to `out_dir/scenario.yaml`)."""
    if profile is None or (profile.max_rate is None and profile.max_messages is None):
        return CapFit(scenario, path)
    times = PlanTimes.of(profile.tagged(scenario) if profile else scenario, processes)
    problems = cap_problems(times, profile)
    if not problems or not clip:
        return CapFit(scenario, path, problems=tuple(problems))
    first_peak, first_total = times.peak(), times.total
    factor, overshoot = 1.0, max(over for over, _ in _checks(times, profile))
    for attempt in range(_CLIP_ATTEMPTS):
        factor = float(f"{factor / overshoot * 0.99 ** attempt:.6g}")
        try:
            fitted = replayed(scenario, Replay(rate_scale=factor))
        except ReplayError as exc:
            return CapFit(scenario, path, problems=(*problems, f"--clip-to-cap: {exc}"))
        times = PlanTimes.of(profile.tagged(fitted) if profile else fitted, processes)
        overshoot = max(over for over, _ in _checks(times, profile))
        if overshoot <= 1:
            break
    else:
        failed = f"--clip-to-cap: no scale found that fits within {_CLIP_ATTEMPTS} tries (last {factor:.3g})"
        return CapFit(scenario, path, problems=(*problems, failed))
    clipped = (f"clipped to the target's cap ({_cap_words(profile)}): the scenario's rates were scaled by "
               f"{factor:.3g}; the plan's busiest second went from {first_peak} to {times.peak()} messages, "
               f"its total from {first_total} to {times.total}")
    return CapFit(fitted, write(fitted, out_dir / "scenario.yaml"), clipped)


def _cap_words(profile: TargetProfile) -> str:
    words = [f"max_rate {profile.max_rate:g} messages/s"] if profile.max_rate is not None else []
    return ", ".join(words + ([f"max_messages {profile.max_messages}"] if profile.max_messages is not None else []))

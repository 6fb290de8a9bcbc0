"""Fitting a scenario to a past festival's counts: a compact arrival curve, and the waves of its
documents when the history has them.

The curve is built greedily from the start: each segment is the longest stretch that one of a few
shapes fits (a hold, a ramp, an exponential decay or approach), weighted least squares on the
shape's exact integral over each bucket; the next segment begins where it ends, so a cliff or a new
wave starts one of its own. A stretch fits when every 10-minute window it closes is within the
tolerance of the history, and so is every shorter window ending where it ends: then a window
straddling two segments is within it too, and a one-bucket hold (which matches its bucket exactly)
can always follow, so the search always ends with a curve that meets the bounds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scenarios.curves import compile_curve, orders_between, peak_rate
from scenarios.gates import Gate
from scenarios.history import History
from scenarios.model import Clock, Delay, DelayKind, Scenario, Waves
from scenarios.replay import scaled
from scenarios.segments import CurveSegment, ExpDecay, Hold, PlacedSegment, Ramp

WINDOW_S = 600.0  # the windows the fit must reproduce
TOLERANCE = 0.02  # in every window
PEAK_TOLERANCE = 0.05  # at the peak bucket (the peak minute of minute data)
_MARGIN = 0.9  # the search works to this share of the tolerances, so rounding cannot break them
_SLACK = 0.5  # orders: a window's count is whole, the curve's is not
_HALF_LIVES = 48  # candidates per decay fit, log-spaced
REPLAY_S = 600.0  # a fitted scenario is compressed to replay in about this long
DEFAULT_GATES = [{"metric": "achieved_ratio", "op": ">=", "threshold": 0.95},
                 {"metric": "error_ratio", "op": "<", "threshold": 0.001},
                 {"metric": "latency_p99_ms", "op": "<", "threshold": 1000},
                 {"metric": "released_ratio", "op": ">=", "threshold": 0.99}]


@dataclass(frozen=True, slots=True)
class FitCheck:
    """How well a curve reproduces a history."""

    worst_window_error: float  # relative, the worst 10-minute window (sliding by one bucket)
    peak_error: float  # relative, at the history's peak bucket
    segments: int

    @property
    def within_bounds(self) -> bool:
        return self.worst_window_error <= TOLERANCE and self.peak_error <= PEAK_TOLERANCE


@dataclass(frozen=True, slots=True)
class Fitted:
    """A fitted scenario and how well its curve reproduced the history (before any scaling)."""

    scenario: Scenario
    check: FitCheck
    buckets: list[float]  # the history's orders per bucket, as fitted
    bucket_s: float
    scale: float  # the forecast over the history (1: not scaled)


def minute_buckets(history: History) -> tuple[list[float], dict[str, list[float]], float]:
    """The history's orders and documents per bucket: per-second (or finer) counts summed into
    minutes, coarser ones as they are."""
    step = history.step_s
    if step >= 60 or 60 % step:
        return list(history.orders), dict(history.documents), step
    per = round(60 / step)

    def summed(series: Sequence[float]) -> list[float]:
        return [sum(series[i:i + per]) for i in range(0, len(series) // per * per, per)]

    return summed(history.orders), {kind: summed(series) for kind, series in history.documents.items()}, 60.0


def fit_curve(counts: Sequence[float], step_s: float) -> list[CurveSegment]:
    """A compact curve whose orders per bucket reproduce `counts` within the bounds."""
    return _Fitter(np.asarray(counts, dtype=float), step_s).segments()


def check_fit(curve: Sequence[CurveSegment], counts: Sequence[float], step_s: float) -> FitCheck:
    """The worst window and the peak bucket of `curve` against `counts`."""
    compiled = compile_curve([PlacedSegment(s) for s in curve])
    actual = np.asarray(counts, dtype=float)
    predicted = np.array([orders_between(compiled, i * step_s, (i + 1) * step_s) for i in range(len(actual))])
    width = min(len(actual), max(1, round(WINDOW_S / step_s)))
    cum_a, cum_p = np.concatenate([[0], np.cumsum(actual)]), np.concatenate([[0], np.cumsum(predicted)])
    window_a, window_p = cum_a[width:] - cum_a[:-width], cum_p[width:] - cum_p[:-width]
    errors = np.abs(window_p - window_a) / np.maximum(window_a, 1.0)
    peak = int(np.argmax(actual))
    return FitCheck(worst_window_error=float(errors.max()),
                    peak_error=float(abs(predicted[peak] - actual[peak]) / max(actual[peak], 1.0)), segments=len(curve))


class _Fitter:
    """The greedy search over one history."""

    def __init__(self, counts: np.ndarray, step_s: float) -> None:
        self.counts, self.step = counts, step_s
        self.predicted = np.zeros_like(counts)
        self.width = min(len(counts), max(1, round(WINDOW_S / step_s)))
        self.peak = int(np.argmax(counts))

    def segments(self) -> list[CurveSegment]:
        found, start = [], 0
        while start < len(self.counts):
            end, (segment, predicted) = self._longest(start)
            self.predicted[start:end] = predicted
            found.append(segment)
            start = end
        return found

    def _longest(self, start: int) -> tuple[int, tuple[CurveSegment, np.ndarray]]:
        """Gallop to the first length no shape fits, then bisect back to the longest that does."""
        n = len(self.counts)
        good, best = 1, self._fit(start, start + 1)
        bad = None
        while start + good < n:
            length = min(n - start, good * 2)
            fitted = self._fit(start, start + length)
            if fitted is None:
                bad = length
                break
            good, best = length, fitted
        while bad is not None and bad - good > 1:
            middle = (good + bad) // 2
            fitted = self._fit(start, start + middle)
            if fitted is None:
                bad = middle
            else:
                good, best = middle, fitted
        return start + good, best

    def _fit(self, start: int, end: int) -> tuple[CurveSegment, np.ndarray] | None:
        """The simplest shape that fits buckets [start, end), or None."""
        counts = self.counts[start:end]
        for shape in (_hold, _ramp, _decay):
            fitted = shape(counts, self.step)
            if fitted is not None and self._fits(start, end, fitted[1]):
                return fitted
        return None

    def _fits(self, start: int, end: int, predicted: np.ndarray) -> bool:
        width, tolerance = self.width, TOLERANCE * _MARGIN
        first = max(0, start - width + 1)
        actual = self.counts[first:end]
        guess = np.concatenate([self.predicted[first:start], predicted])
        cum_a, cum_p = np.concatenate([[0], np.cumsum(actual)]), np.concatenate([[0], np.cumsum(guess)])
        ends = np.arange(start + 1, end + 1) - first  # every full window that closes in the stretch
        ends = ends[ends >= width]
        windows = [(cum_a[ends] - cum_a[ends - width], cum_p[ends] - cum_p[ends - width])]
        if end < len(self.counts):  # and every shorter one ending where it ends: the next may straddle it
            last = end - first
            lengths = np.arange(1, min(width, last + 1))
            windows.append((cum_a[last] - cum_a[last - lengths], cum_p[last] - cum_p[last - lengths]))
        for a, p in windows:
            if np.any(np.abs(p - a) > tolerance * a + _SLACK):
                return False
        if start <= self.peak < end:
            a, p = self.counts[self.peak], predicted[self.peak - start]
            return abs(p - a) <= PEAK_TOLERANCE * _MARGIN * a + _SLACK
        return True


def _bucket_edges(length: int, step: float) -> tuple[np.ndarray, np.ndarray]:
    t0 = np.arange(length) * step
    return t0, t0 + step


def _weights(counts: np.ndarray) -> np.ndarray:
    return 1.0 / np.maximum(counts, 1.0)  # relative errors count, not absolute


def _solve(basis: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, float]:
    w = _weights(counts)[:, None]
    coefficients, *_ = np.linalg.lstsq(basis * w, counts * w[:, 0], rcond=None)
    residual = (basis @ coefficients - counts) * w[:, 0]
    return coefficients, float(residual @ residual)


def _hold(counts: np.ndarray, step: float) -> tuple[CurveSegment, np.ndarray]:
    rate = float(counts.sum()) / (len(counts) * step)
    return Hold(kind="hold", duration=len(counts) * step, rate=_round(rate)), np.full(len(counts), _round(rate) * step)


def _ramp(counts: np.ndarray, step: float) -> tuple[CurveSegment, np.ndarray] | None:
    if len(counts) < 2:
        return None
    t0, t1 = _bucket_edges(len(counts), step)
    (a, b), _ = _solve(np.column_stack([t1 - t0, (t1 ** 2 - t0 ** 2) / 2]), counts)
    duration = len(counts) * step
    begin, finish = _round(a), _round(a + b * duration)
    if begin < 0 or finish < 0:
        return None
    slope = (finish - begin) / duration
    return (Ramp(kind="ramp", duration=duration, from_rate=begin, to=finish),
            begin * (t1 - t0) + slope * (t1 ** 2 - t0 ** 2) / 2)


def _decay(counts: np.ndarray, step: float) -> tuple[CurveSegment, np.ndarray] | None:
    if len(counts) < 3:
        return None
    t0, t1 = _bucket_edges(len(counts), step)
    duration = len(counts) * step

    def solved(half_life: float) -> tuple[float, float, float] | None:
        shape = half_life / math.log(2) * (0.5 ** (t0 / half_life) - 0.5 ** (t1 / half_life))
        (level, gap), error = _solve(np.column_stack([t1 - t0, shape]), counts)
        return (error, level, gap) if level >= 0 and level + gap >= 0 else None

    grid = np.geomspace(step / 4, 50 * duration, _HALF_LIVES)
    tried = [(fit, h) for h in grid if (fit := solved(h)) is not None]
    if not tried:
        return None
    (_, level, gap), half_life = min(tried, key=lambda item: item[0][0])
    # Golden-section search on log(half-life) between the best candidate's neighbours.
    low, high = math.log(half_life / (grid[1] / grid[0])), math.log(half_life * grid[1] / grid[0])
    for _ in range(20):
        a, b = high - (high - low) / 1.618, low + (high - low) / 1.618
        fa, fb = solved(math.exp(a)), solved(math.exp(b))
        if fa is None or fb is None:
            break
        low, high = (low, b) if fa[0] < fb[0] else (a, high)
    refined = solved(math.exp((low + high) / 2))
    if refined is not None and refined[0] < solved(half_life)[0]:
        (_, level, gap), half_life = refined, math.exp((low + high) / 2)
    to, start, half_life = _round(level), _round(level + gap), round(float(half_life), 1)
    shape = half_life / math.log(2) * (0.5 ** (t0 / half_life) - 0.5 ** (t1 / half_life))
    return (ExpDecay(kind="exp_decay", duration=duration, from_rate=start, to=to, half_life=half_life),
            to * (t1 - t0) + (start - to) * shape)


def _round(rate: float) -> float:
    """A rate to five significant figures: short in the file, far inside the tolerance."""
    return float(f"{rate:.5g}") if rate > 0 else 0.0


def fit_waves(orders: Sequence[float], documents: Sequence[float], step_s: float) -> Delay:
    """The lognormal delay after their orders that best turns `orders` into `documents` per bucket."""
    o, d = np.asarray(orders, dtype=float), np.asarray(documents, dtype=float)
    share = d.sum() / max(o.sum(), 1.0)
    best = None
    for median in np.geomspace(1.0, 3 * 86400.0, 60):
        for sigma in (0.2, 0.35, 0.5, 0.7, 0.9, 1.2):
            predicted = share * np.convolve(o, _lag_masses(median, sigma, step_s, len(o)))[:len(o)]
            error = float(((predicted - d) ** 2).sum())
            if best is None or error < best[0]:
                best = (error, median, sigma)
    _, median, sigma = best
    return Delay(dist=DelayKind.LOGNORMAL, median=round(float(median), 1), sigma=sigma)


def _lag_masses(median: float, sigma: float, step: float, length: int) -> np.ndarray:
    """The share of documents landing 0, 1, 2 ... buckets after their order's bucket (an order sits
    half a bucket into its own, on average)."""
    edges = (np.arange(length + 1) + 0.5) * step
    with np.errstate(divide="ignore"):
        z = (np.log(edges) - math.log(median)) / (sigma * math.sqrt(2))
    cdf = 0.5 * (1 + np.vectorize(math.erf)(z))
    return np.diff(np.concatenate([[0.0], cdf]))


def fitted_scenario(history: History, name: str, growth: float | None = None,
                    forecast_peak: float | None = None, description: str = "") -> Fitted:
    """A scenario from a history: its curve fitted, its waves fitted when the history has the
    documents, scaled by `growth` or to `forecast_peak` orders/s, compressed to replay in about ten
    minutes (`--compression` changes that at run time)."""
    counts, documents, bucket_s = minute_buckets(history)
    curve = fit_curve(counts, bucket_s)
    check = check_fit(curve, counts, bucket_s)
    duration = bucket_s * len(counts)
    waves = Waves(**{kind: fit_waves(counts, series, bucket_s) for kind, series in documents.items()})
    per_day = sum(counts) / duration * 86400 if duration >= 86400 else _quietest_rate(counts, bucket_s) * 86400
    scenario = Scenario(
        name=name, description=description or f"Fitted from {len(counts)} buckets of history.",
        clock=Clock(start=history.start, duration=duration, compression=max(1.0, math.ceil(duration / REPLAY_S))),
        baseline_orders_per_day=max(per_day, 1.0), curve=curve, waves=waves,
        gates=[Gate.model_validate(gate) for gate in DEFAULT_GATES])
    scale = growth if growth is not None else (
        forecast_peak / peak_rate(scenario.compiled_curve()) if forecast_peak is not None else 1.0)
    return Fitted(scaled(scenario, scale) if scale != 1 else scenario, check, list(counts), bucket_s, scale)


def _quietest_rate(counts: Sequence[float], step_s: float) -> float:
    """Orders per second over the quietest 10 minutes: the everyday level of a short history."""
    width = min(len(counts), max(1, round(WINDOW_S / step_s)))
    sums = np.convolve(np.asarray(counts, dtype=float), np.ones(width), mode="valid")
    return float(sums.min()) / (width * step_s)

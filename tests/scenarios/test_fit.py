"""Fitting a scenario to a past festival's counts: a compact curve within the bounds, the waves of
its documents, and the history formats read."""

import datetime as dt
import json
import math
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from peakload.cli import app
from scenarios.curves import compile_curve, orders_between, peak_rate
from scenarios.fit import PEAK_TOLERANCE, TOLERANCE, check_fit, fit_curve, fit_waves, fitted_scenario
from scenarios.history import CHINA_TIME, History, HistoryError, read_history
from scenarios.loader import load
from scenarios.segments import ExpDecay, Hold, PlacedSegment, Ramp, Spike, Step

# A festival night: a quiet evening, a ramp, a spike decaying, a cliff to a plateau and its long
# decay, and a second, sharper spike: six shapes.
TRUTH = [Hold(kind="hold", duration="1h", rate=2), Ramp(kind="ramp", duration="30m", to=12),
         Spike(kind="spike", duration="90m", peak=60, floor=5, rise="5m", half_life="15m"),
         Step(kind="step", duration="20m", to=120), ExpDecay(kind="exp_decay", duration="2h", to=10, half_life="20m"),
         Spike(kind="spike", duration="1h", peak=45, floor=8, rise="2m", half_life="10m")]
START = dt.datetime(2023, 11, 10, 20, 0, tzinfo=CHINA_TIME)


def per_bucket(segments, step_s):
    curve = compile_curve([PlacedSegment(s) for s in segments])
    n = int(sum(s.duration_s for s in segments) // step_s)
    return [orders_between(curve, i * step_s, (i + 1) * step_s) for i in range(n)]


def write_csv(path, step_s, columns):
    names = list(columns)
    rows = [",".join(["time", *names])]
    for i, values in enumerate(zip(*columns.values())):
        rows.append(",".join([(START + dt.timedelta(seconds=i * step_s)).replace(tzinfo=None).isoformat(),
                              *(f"{v:g}" for v in values)]))
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_generated_history_is_fitted_within_the_bounds_by_few_segments():
    counts = [round(c) for c in per_bucket(TRUTH, 60)]  # whole orders per minute
    curve = fit_curve(counts, 60)
    check = check_fit(curve, counts, 60)
    assert check.worst_window_error <= TOLERANCE and check.peak_error <= PEAK_TOLERANCE
    assert check.segments <= 10 and check.segments < len(counts) / 30
    fitted = compile_curve([PlacedSegment(s) for s in curve])
    assert peak_rate(fitted) == pytest.approx(120, rel=0.01)  # the cliff's plateau
    assert sum(counts) == pytest.approx(orders_between(fitted, 0, 60 * len(counts)), rel=0.001)


def test_a_noisy_history_still_meets_the_bounds():
    rng = np.random.default_rng(11)
    counts = [float(n) for n in rng.poisson(per_bucket(TRUTH, 60))]
    check = check_fit(fit_curve(counts, 60), counts, 60)
    assert check.within_bounds  # at the price of more segments: the bound is tighter than the noise


def test_per_second_counts_are_fitted_by_the_minute_with_their_waves(tmp_path):
    orders = per_bucket(TRUTH[:3], 1)  # 3 hours per second
    minutes = np.add.reduceat(np.array(orders), np.arange(0, len(orders), 60))
    lists = fit_waves_truth(minutes, median_s=900, sigma=0.5)
    history = read_history(write_csv(tmp_path / "night.csv", 1, {"orders": [round(o) for o in orders]}))
    assert history.step_s == 1 and len(history.orders) == 3 * 3600
    fitted = fitted_scenario(history, "night")
    assert fitted.bucket_s == 60 and fitted.check.within_bounds
    delay = fit_waves(list(minutes), list(lists), 60)
    assert delay.median_s == pytest.approx(900, rel=0.15) and delay.sigma == pytest.approx(0.5, abs=0.2)


def fit_waves_truth(orders, median_s, sigma):
    """Documents per minute when each order's document follows it after a lognormal delay."""
    lags = (np.arange(len(orders) + 1) + 0.5) * 60
    cdf = 0.5 * (1 + np.vectorize(math.erf)((np.log(lags) - math.log(median_s)) / (sigma * math.sqrt(2))))
    return np.convolve(orders, np.diff(np.concatenate([[0.0], cdf])))[:len(orders)]


def test_the_fit_is_scaled_to_the_forecast():
    counts = [round(c) for c in per_bucket(TRUTH, 60)]
    history = History(start=START, step_s=60, orders=counts, documents={})
    by_growth = fitted_scenario(history, "grown", growth=1.3)
    by_peak = fitted_scenario(history, "peaked", forecast_peak=150)
    plain = fitted_scenario(history, "plain")
    assert peak_rate(by_peak.scenario.compiled_curve()) == pytest.approx(150)
    assert peak_rate(by_growth.scenario.compiled_curve()) == pytest.approx(1.3 * peak_rate(plain.scenario.compiled_curve()))
    assert plain.scenario.clock.start == START and plain.scenario.clock.duration_s == 60 * len(counts)


def test_the_platform_statistics_export_is_a_history_by_the_day(tmp_path):
    days = [{"date": f"202206{d:02d}", "documentsByMessageType": {"CEB311": n, "CEB621": round(0.9 * n)}}
            for d, n in zip(range(10, 20), (50_000, 52_000, 60_000, 300_000, 420_000, 380_000, 90_000, 400_000,
                                            960_000, 120_000))]
    path = tmp_path / "stats.json"
    path.write_text(json.dumps(days))
    history = read_history(path)
    assert history.step_s == 86400 and history.start == dt.datetime(2022, 6, 10, tzinfo=CHINA_TIME)
    assert history.orders[-2] == 960_000 and set(history.documents) == {"inventory_list"}
    fitted = fitted_scenario(history, "six-eighteen")
    assert fitted.check.within_bounds  # every day within 2%, the peak day within 5%
    lines = tmp_path / "stats.jsonl"
    lines.write_text("\n".join(json.dumps(day) for day in days))
    assert read_history(lines).orders == history.orders


@pytest.mark.parametrize("text, words", [
    ("when,orders\n2023-11-11T00:00,1\n", "must name a 'time' column"),
    ("time,orders\n2023-11-11T00:00,1\n2023-11-11T00:01,2\n2023-11-11T00:03,2\n", ":4: 2023-11-11T00:03:00+08:00 is not 60 s after"),
    ("time,orders\n2023-11-11T00:00,1\n2023-11-11T00:01,-2\n", ":3: -2.0 is not a count"),
    ("time,orders\n2023-11-11T00:00,1\nyesterday,2\n", ":3: Invalid isoformat"),
    ("time,orders\n2023-11-11T00:00,0\n2023-11-11T00:01,0\n", "no orders in any row"),
])
def test_a_history_that_cannot_be_read_names_the_line(tmp_path, text, words):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(HistoryError, match=re.escape(words)):
        read_history(path)


def test_cli_fit_writes_a_scenario_and_its_plot(tmp_path):
    counts = [round(c) for c in per_bucket(TRUTH, 60)]
    history = write_csv(tmp_path / "d11.csv", 60, {"orders": counts})
    out = tmp_path / "d11-2024.yaml"
    done = CliRunner().invoke(app, ["scenarios", "fit", str(history), "--name", "d11-2024", "--growth", "1.3",
                                    "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "segments from 380 buckets" in " ".join(done.output.split())
    scenario = load(str(out))
    assert scenario.name == "d11-2024" and peak_rate(scenario.compiled_curve()) == pytest.approx(156, rel=0.01)
    assert out.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    both = CliRunner().invoke(app, ["scenarios", "fit", str(history), "--name", "x", "--growth", "2",
                                    "--forecast-peak", "9", "--out", str(out)])
    assert both.exit_code == 64 and "not both" in both.output
    bad_name = CliRunner().invoke(app, ["scenarios", "fit", str(history), "--name", "Not A Name", "--out", str(out)])
    assert bad_name.exit_code == 64

"""Plotting a scenario's arrival curve to an image (PNG or SVG), without running it.

The curve is sampled at every segment boundary and turning time as well as evenly, so the drawn
peak is the stated one; a curve longer than a day and a half gets a second panel on its busiest hour,
where a festival's midnight would otherwise be a hairline.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from reports.formatting import seconds  # noqa: E402
from scenarios.curves import orders_between  # noqa: E402
from scenarios.figures import NEAR_PEAK, busiest_hour, figures, sampled_curve  # noqa: E402
from scenarios.fit import Fitted  # noqa: E402
from scenarios.model import Scenario  # noqa: E402

ZOOM_PAST_S = 36 * 3600  # curves longer than this get the busiest-hour panel


def plot_curve(scenario: Scenario, path: Path) -> Path:
    """Draw orders/s over the scenario's real time, annotated with its compression and peak."""
    fig = curve_figure(scenario)
    fig.savefig(path)
    plt.close(fig)
    return path


def curve_figure(scenario: Scenario) -> Figure:
    """The drawing: the whole curve, and its busiest hour beneath when the curve is long."""
    figs = figures(scenario)
    zoom = figs.real_duration_s > ZOOM_PAST_S
    fig, axes = plt.subplots(2 if zoom else 1, 1, figsize=(10, 7 if zoom else 4), dpi=110, squeeze=False)
    _panel(axes[0][0], scenario, sampled_curve(scenario), "%m-%d %H:%M")
    pace = ("in real time" if figs.compression == 1 else f"{figs.compression:g}x faster") + \
        f" in {seconds(figs.run_duration_s)}"
    axes[0][0].set_title(f"{scenario.name}: peak {figs.peak_orders_per_s:,.1f} orders/s, "
                         f"{figs.orders_real:,.0f} orders; replayed {pace}, at or above {NEAR_PEAK:.0%} of "
                         f"the peak for {seconds(figs.near_peak_wall_s)}", fontsize=9)
    if zoom:
        start_s, end_s = busiest_hour(scenario)
        _panel(axes[1][0], scenario, sampled_curve(scenario, 600, (start_s, end_s)), "%H:%M")
        start = scenario.clock.start + dt.timedelta(seconds=start_s)
        axes[1][0].set_title(f"its busiest hour, from {start:%Y-%m-%d %H:%M}: "
                             f"{orders_between(scenario.compiled_curve(), start_s, end_s):,.0f} orders", fontsize=9)
    fig.tight_layout()
    return fig


def _panel(ax, scenario: Scenario, points, time_format: str) -> None:
    times, rates = [t for t, _ in points], [r for _, r in points]
    ax.plot(times, rates, color="#c0392b", linewidth=1.5)
    ax.fill_between(times, rates, alpha=0.15, color="#c0392b")
    ax.axhline(scenario.baseline_rate, color="#7f8c8d", linestyle="--", linewidth=1,
               label=f"baseline {scenario.baseline_orders_per_day:,.0f} orders/day")
    ax.set_ylabel("orders per second (real time)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter(time_format, tz=scenario.clock.start.tzinfo))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    plt.setp(ax.get_xticklabels(), rotation=25, horizontalalignment="right")


def plot_fit(fitted: Fitted, path: Path) -> Path:
    """The history's orders per second, bucket by bucket, against the fitted curve (and the
    forecast, when the fit was scaled)."""
    scenario = fitted.scenario
    origin, step = scenario.clock.start, fitted.bucket_s
    fig, ax = plt.subplots(figsize=(10, 4), dpi=110)
    times = [origin + dt.timedelta(seconds=i * step) for i in range(len(fitted.buckets) + 1)]
    ax.stairs([count / step for count in fitted.buckets], times, color="#7f8c8d", linewidth=3, alpha=0.6,
              label="history")
    points = sampled_curve(scenario)
    ax.plot([t for t, _ in points], [r / fitted.scale for _, r in points], color="#c0392b", linewidth=1.2,
            label=f"fitted curve ({fitted.check.segments} segments)")
    if fitted.scale != 1:
        ax.plot([t for t, _ in points], [r for _, r in points], color="#2c7fb8", linestyle="--", linewidth=1.2,
                label=f"forecast ({fitted.scale:.3g}x)")
    ax.set_ylabel("orders per second")
    ax.set_title(f"{scenario.name}: worst 10-minute window {fitted.check.worst_window_error:.2%} off the history, "
                 f"peak bucket {fitted.check.peak_error:.2%}", fontsize=9)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M", tz=origin.tzinfo))
    plt.setp(ax.get_xticklabels(), rotation=25, horizontalalignment="right")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path

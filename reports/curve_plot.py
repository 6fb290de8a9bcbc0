"""Plotting a scenario's arrival curve to an image (PNG or SVG), without running it."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from scenarios.figures import figures, sampled_curve  # noqa: E402
from scenarios.model import Scenario  # noqa: E402


def plot_curve(scenario: Scenario, path: Path) -> Path:
    """Draw orders/s over the scenario's real time, annotated with its compression and peak."""
    points = sampled_curve(scenario)
    figs = figures(scenario)
    fig, ax = plt.subplots(figsize=(10, 4), dpi=110)
    ax.plot([t for t, _ in points], [r for _, r in points], color="#c0392b", linewidth=1.5)
    ax.fill_between([t for t, _ in points], [r for _, r in points], alpha=0.15, color="#c0392b")
    ax.axhline(scenario.baseline_rate, color="#7f8c8d", linestyle="--", linewidth=1,
               label=f"baseline {scenario.baseline_orders_per_day:,.0f} orders/day")
    ax.set_ylabel("orders per second (real time)")
    ax.set_title(f"{scenario.name}: peak {figs.peak_orders_per_s:,.1f} orders/s, "
                 f"{figs.orders_real:,.0f} orders; replayed {scenario.clock.compression:g}x faster "
                 f"in {figs.run_duration_s:,.0f} s", fontsize=10)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M", tz=scenario.clock.start.tzinfo))
    fig.autofmt_xdate()
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path

"""The capacity search drawn: p99 per probed rate, passes and failures, the knee, the forecast."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402

from reports.capacity import CapacityResult  # noqa: E402


def plot_capacity(result: CapacityResult, path: Path) -> Path:
    """Write the search's latency curve with its verdicts to an image."""
    fig, ax = plt.subplots(figsize=(9, 4), dpi=110)
    steps = result.steps
    ax.plot([s.orders_per_s for s in steps], [max(s.p99_ms, 0.1) for s in steps], color="#7f8c8d",
            linewidth=1)
    for passed, colour, label in ((True, "#27ae60", "passed its gates"), (False, "#c0392b", "failed")):
        chosen = [s for s in steps if s.passed is passed]
        ax.scatter([s.orders_per_s for s in chosen], [max(s.p99_ms, 0.1) for s in chosen], color=colour,
                   label=label, zorder=3)
    if result.capacity_orders_per_s and result.lowest_failing_orders_per_s:
        ax.axvspan(result.capacity_orders_per_s, result.lowest_failing_orders_per_s, color="#f1c40f",
                   alpha=0.25, label="capacity lies here")
    if result.knee_orders_per_s:
        ax.axvline(result.knee_orders_per_s, color="#e67e22", linestyle=":", label="latency knee")
    ax.axvline(result.forecast_peak_orders_per_s, color="#2c7fb8", linestyle="--", label="forecast peak")
    ax.set_yscale("log")
    ax.set_xlabel("orders per second")
    ax.set_ylabel("p99 latency, ms (corrected)")
    ax.set_title(f"{result.scenario}: {result.statement}", fontsize=9, wrap=True)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path

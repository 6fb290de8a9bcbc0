"""The report's charts, drawn with matplotlib from a run summary into inline SVG strings."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402

from reports.summary import RunSummary  # noqa: E402

_RED, _BLUE, _GREY, _ORANGE = "#c0392b", "#2c7fb8", "#7f8c8d", "#e67e22"


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.tight_layout()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG sits inline in HTML


def _smooth(series: list[int], width: int) -> list[float]:
    if width <= 1:
        return [float(x) for x in series]
    out = []
    for i in range(len(series)):
        window = series[max(0, i - width + 1):i + 1]
        out.append(sum(window) / len(window))
    return out


def arrival_rate(summary: RunSummary) -> str:
    """Messages due vs messages sent per second over the run."""
    t = summary.timeline
    width = max(1, len(t.intended_per_s) // 120)
    fig, ax = plt.subplots(figsize=(9, 3.2), dpi=100)
    ax.plot(range(len(t.intended_per_s)), _smooth(t.intended_per_s, width), color=_GREY,
            linestyle="--", label="intended (due)")
    ax.plot(range(len(t.sent_per_s)), _smooth(t.sent_per_s, width), color=_RED, label="achieved (sent)")
    ax.set_xlabel("seconds into the run")
    ax.set_ylabel("messages per second")
    ax.set_title("Arrival rate: intended vs achieved", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _svg(fig)


def latency_over_time(summary: RunSummary) -> str:
    """p50 and p99 per window, from the intended send time (corrected) and from the actual one."""
    t = summary.timeline
    fig, ax = plt.subplots(figsize=(9, 3.2), dpi=100)
    ax.plot(t.window_starts_s, t.latency_p99_ms, color=_RED, label="p99 corrected")
    ax.plot(t.window_starts_s, t.latency_p50_ms, color=_ORANGE, label="p50 corrected")
    ax.plot(t.window_starts_s, t.raw_p99_ms, color=_BLUE, linestyle=":", label="p99 raw")
    ax.plot(t.window_starts_s, t.raw_p50_ms, color=_GREY, linestyle=":", label="p50 raw")
    if any(v > 0 for v in t.latency_p99_ms):
        ax.set_yscale("log")
    ax.set_xlabel("seconds into the run")
    ax.set_ylabel("ms")
    ax.set_title(f"HTTP latency per {t.step_s} s window", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, ncol=4)
    return _svg(fig)


def outcomes_by_type(summary: RunSummary) -> str:
    """Answers per message type: accepted, duplicates, throttled (429), other errors."""
    names = list(summary.message_types)
    groups = {"202 accepted": [], "200 duplicate": [], "429 throttled": [], "other failures": []}
    for m in summary.message_types.values():
        groups["202 accepted"].append(m.statuses.get("202", 0))
        groups["200 duplicate"].append(m.statuses.get("200", 0))
        groups["429 throttled"].append(m.throttled)
        groups["other failures"].append(m.failures - m.throttled)
    fig, ax = plt.subplots(figsize=(9, 3), dpi=100)
    bottom = [0] * len(names)
    for (label, values), colour in zip(groups.items(), ("#27ae60", _BLUE, _ORANGE, _RED)):
        ax.bar(names, values, bottom=bottom, label=label, color=colour)
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("requests")
    ax.set_title("Answers by message type", fontsize=10)
    ax.legend(fontsize=8, ncol=4)
    return _svg(fig)


def receipts(summary: RunSummary) -> str:
    """Receipts by returnStatus, and the business latencies read from them."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3), dpi=100)
    statuses = list(summary.receipts_by_status)
    left.bar(statuses, list(summary.receipts_by_status.values()), color=_BLUE)
    left.set_title("Receipts by returnStatus", fontsize=10)
    left.set_xlabel("returnStatus")
    lags = [(label, latency) for label, latency in (
        ("list → 399", summary.declared_to_cleared_s), ("list → 800", summary.clearance_s),
        ("order → 800", summary.order_to_release_s)) if latency]
    for offset, (attribute, colour) in enumerate((("p50", _GREY), ("p95", _ORANGE), ("max", _RED))):
        right.bar([i + offset * 0.27 for i in range(len(lags))],
                  [getattr(latency, attribute) for _, latency in lags], width=0.27, color=colour,
                  label=attribute)
    right.set_xticks([i + 0.27 for i in range(len(lags))], [label for label, _ in lags])
    right.set_ylabel("seconds")
    right.set_title("Clearance lag (receipts)", fontsize=10)
    right.legend(fontsize=8)
    return _svg(fig)

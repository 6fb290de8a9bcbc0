"""The report's count charts, drawn with matplotlib into inline SVG: answers by message type,
receipts by status and the clearance lags. Counts span orders of magnitude (18 rejections among
9,000 receipts), so bars sit on a log axis and carry their numbers; legends sit below the axes.
Text stays text in the SVG, so the browser draws it (Chinese status names included) in its fonts."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from reports.formatting import count, seconds  # noqa: E402
from reports.statuses import Outcome, status_name  # noqa: E402
from reports.summary import RunSummary  # noqa: E402
from scenarios.gates import GateMetric  # noqa: E402

_RED, _BLUE, _GREY, _ORANGE, _GREEN = "#c0392b", "#2c7fb8", "#7f8c8d", "#e67e22", "#27ae60"
_OUTCOME_COLOUR = {Outcome.PROGRESS: _GREY, Outcome.GOOD: _GREEN, Outcome.HELD: _ORANGE, Outcome.BAD: _RED}
_STYLE = {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}


def _svg(fig) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():
        # Chinese labels have no glyphs in matplotlib's font; the browser draws them, not matplotlib.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(buffer, format="svg")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG sits inline in HTML


def _figure(height: float):
    return plt.subplots(figsize=(9, height), dpi=100, layout="constrained")


def _label_bars(ax, bars, values, text=count) -> None:
    ax.bar_label(bars, labels=[text(v) if v else "" for v in values], padding=3, fontsize=8)


def answers_by_type(summary: RunSummary) -> str:
    """Answers per message type: accepted, duplicates, throttled (429) and other failures, each bar
    labelled with its count on a log axis, so three failures beside 9,000 acceptances show."""
    names = list(summary.message_types)
    groups = {"202 accepted": [], "200 duplicate": [], "429 throttled": [], "other failures": []}
    for m in summary.message_types.values():
        groups["202 accepted"].append(m.statuses.get("202", 0))
        groups["200 duplicate"].append(m.statuses.get("200", 0))
        groups["429 throttled"].append(m.throttled)
        groups["other failures"].append(m.failures - m.throttled)
    with plt.rc_context(_STYLE):
        fig, ax = _figure(0.6 + 0.55 * max(1, len(names)))
        height = 0.8 / len(groups)
        for i, ((label, values), colour) in enumerate(zip(groups.items(), (_GREEN, _BLUE, _ORANGE, _RED))):
            bars = ax.barh([n + (i - 1.5) * height for n in range(len(names))], values, height=height,
                           label=label, color=colour)
            _label_bars(ax, bars, values)
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        _log_counts(ax.xaxis, _headroom(groups))
        ax.set_xlabel("answers (log scale)")
        ax.set_title("Answers by message type", fontsize=10, loc="left")
        fig.legend(loc="outside lower center", ncol=4, frameon=False)
        return _svg(fig)


def _log_counts(axis, top: float) -> None:
    """A log count axis from below 1 to `top`, its ticks in plain numbers (1,000, not 10³)."""
    axis.axes.set_xscale("log")
    axis.axes.set_xlim(0.8, top)
    axis.set_major_formatter(FuncFormatter(lambda v, _: count(v) if v >= 1 else ""))


def _headroom(groups: dict[str, list[int]]) -> float:
    """The log axis' right end: room for the largest bar's label."""
    return max((v for values in groups.values() for v in values), default=1) * 6 or 10


def receipts_by_status(summary: RunSummary) -> str:
    """Receipts by `returnStatus`, each named and counted, on a log axis."""
    codes = list(summary.receipts_by_status)
    values = list(summary.receipts_by_status.values())
    labels, colours = [], []
    for code in codes:
        chinese, english, outcome = status_name(code)
        labels.append(f"{code} {chinese} {english}".replace("  ", " "))
        colours.append(_OUTCOME_COLOUR[outcome])
    with plt.rc_context(_STYLE):
        fig, ax = _figure(0.9 + 0.32 * max(1, len(codes)))
        bars = ax.barh(range(len(codes)), values, color=colours, height=0.7)
        _label_bars(ax, bars, values)
        ax.set_yticks(range(len(codes)), labels)
        ax.invert_yaxis()
        _log_counts(ax.xaxis, _headroom({"all": values}))
        ax.set_xlabel("receipts (log scale)")
        ax.set_title("Receipts by returnStatus", fontsize=10, loc="left")
        return _svg(fig)


def clearance(summary: RunSummary) -> str:
    """The business latencies read from receipts (p50, p95, max), with a clearance gate drawn at its
    threshold over the bars it holds."""
    lags = [(label, latency) for label, latency in (
        ("list sent → first receipt", summary.first_receipt_s),
        ("list sent → 399 审结 cleared", summary.declared_to_cleared_s),
        ("list sent → 800 放行 released", summary.clearance_s),
        ("order sent → 800 放行 released", summary.order_to_release_s)) if latency]
    with plt.rc_context(_STYLE):
        fig, ax = _figure(3.0)
        width = 0.26
        for offset, (attribute, colour) in enumerate((("p50", _GREY), ("p95", _ORANGE), ("max", _RED))):
            values = [getattr(latency, attribute) for _, latency in lags]
            bars = ax.bar([i + (offset - 1) * width for i in range(len(lags))], values, width=width,
                          color=colour, label=attribute)
            _label_bars(ax, bars, values, seconds)
        held = [i for i, (label, _) in enumerate(lags) if label.startswith("list sent → 800")]
        for result in summary.gates:
            if result.name in clearance_gates(summary):
                for i in held:
                    ax.hlines(result.threshold, i - 1.5 * width, i + 1.5 * width, colors=_GREEN if result.passed
                              else _RED, linestyles="--", label=f"gate {result.name}")
        ax.set_xticks(range(len(lags)), [label for label, _ in lags])
        ax.set_ylabel("seconds")
        ax.margins(y=0.15)
        ax.set_title("Clearance lag, from the receipts", fontsize=10, loc="left")
        fig.legend(loc="outside lower center", ncol=5, frameon=False)
        return _svg(fig)


def clearance_gates(summary: RunSummary) -> list[str]:
    """The gates the clearance chart draws, by name."""
    return [r.name for r in summary.gates
            if r.gate is not None and r.gate.metric is GateMetric.CLEARANCE_P95_S and summary.clearance_s]
